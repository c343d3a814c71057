"""AsyncRetryPolicy: the seed's retry rules, as a driver RetryPolicy.

The engine retries by its own policy (include/async_cassandra/policies.hpp:
reads retried when enough replicas answered, writes only when idempotent);
this class keeps the seed's API for code that constructs or subclasses it."""

from cassandra import WriteType
from cassandra.policies import RetryPolicy


class AsyncRetryPolicy(RetryPolicy):
    def __init__(self, max_retries: int = 3):
        super().__init__()
        self.max_retries = max_retries

    def on_read_timeout(self, query, consistency, required_responses, received_responses, data_retrieved, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        if received_responses >= required_responses and not data_retrieved:
            return self.RETRY, consistency
        if data_retrieved:
            return self.RETRY, consistency
        return self.RETHROW, None

    def on_write_timeout(self, query, consistency, write_type, required_responses, received_responses, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        if getattr(query, "is_idempotent", None) is not True:
            return self.RETHROW, None
        if write_type in (WriteType.SIMPLE, WriteType.BATCH, WriteType.UNLOGGED_BATCH):
            return self.RETRY, consistency
        return self.RETHROW, None

    def on_unavailable(self, query, consistency, required_replicas, alive_replicas, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        if retry_num == 0:
            return self.RETRY_NEXT_HOST, consistency
        return self.RETRY, consistency

    def on_request_error(self, query, consistency, error, retry_num):
        if retry_num >= self.max_retries:
            return self.RETHROW, None
        return self.RETRY_NEXT_HOST, consistency

// The library's internal classes that public headers name but users never
// see: declared here, so that a public header does not open `detail`.
#pragma once

namespace async_cassandra::detail {

class host_pool;        // src/cluster/host_pool.hpp: one host's connections
class row_stream_impl;  // src/session/row_stream.cpp: a stream's state

}  // namespace async_cassandra::detail

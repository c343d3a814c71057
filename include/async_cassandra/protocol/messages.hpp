// Every message of the native protocol (spec section 4): pure functions over
// bytes. Encoders append a request body to a byte_writer; decoders read a
// response body from a byte_reader and throw protocol_error naming the field
// and offset of anything truncated or malformed.
#pragma once

#include <async_cassandra/protocol/errors.hpp>
#include <async_cassandra/protocol/events.hpp>
#include <async_cassandra/protocol/frame.hpp>
#include <async_cassandra/protocol/requests.hpp>
#include <async_cassandra/protocol/responses.hpp>
#include <async_cassandra/protocol/results.hpp>

// The value types of CQL that have no exact standard C++ counterpart.
#pragma once

#include <async_cassandra/date_time.hpp>
#include <async_cassandra/decimal.hpp>
#include <async_cassandra/duration.hpp>
#include <async_cassandra/inet_address.hpp>
#include <async_cassandra/uuid.hpp>
#include <async_cassandra/value_error.hpp>
#include <async_cassandra/varint.hpp>

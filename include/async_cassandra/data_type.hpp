// CQL column types as described by an [option] (spec 4.2.5.2).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace async_cassandra {

enum class type_id : std::uint16_t {
    custom = 0x0000,
    ascii = 0x0001,
    bigint = 0x0002,
    blob = 0x0003,
    boolean = 0x0004,
    counter = 0x0005,
    decimal = 0x0006,
    double_ = 0x0007,
    float_ = 0x0008,
    int_ = 0x0009,
    timestamp = 0x000B,
    uuid = 0x000C,
    varchar = 0x000D,
    varint = 0x000E,
    timeuuid = 0x000F,
    inet = 0x0010,
    date = 0x0011,
    time = 0x0012,
    smallint = 0x0013,
    tinyint = 0x0014,
    duration = 0x0015,
    list = 0x0020,
    map = 0x0021,
    set = 0x0022,
    udt = 0x0030,
    tuple = 0x0031,
    // Not a wire id: Cassandra 5 sends vectors as the custom type
    // org.apache.cassandra.db.marshal.VectorType(<element>, <dimension>).
    vector = 0xFF01,
};

// A possibly nested type. Parameters: list/set element, map key and value,
// tuple components, UDT field types (names in field_names).
struct data_type {
    type_id id = type_id::blob;
    std::vector<data_type> params;
    std::string custom_class;              // custom
    std::string keyspace, name;            // udt
    std::vector<std::string> field_names;  // udt
    std::int32_t dimension = 0;            // vector

    bool operator==(const data_type&) const = default;
};

// CQL spelling, e.g. "map<text, frozen<list<int>>>" (frozen is not tracked).
std::string to_string(const data_type& t);

}  // namespace async_cassandra

#include <async_cassandra/data_type.hpp>

namespace async_cassandra {

std::string to_string(const data_type& t) {
    auto join = [&](std::string head) {
        head += '<';
        for (std::size_t i = 0; i < t.params.size(); ++i) {
            if (i) head += ", ";
            head += to_string(t.params[i]);
        }
        return head + '>';
    };
    switch (t.id) {
        case type_id::custom: return "'" + t.custom_class + "'";
        case type_id::ascii: return "ascii";
        case type_id::bigint: return "bigint";
        case type_id::blob: return "blob";
        case type_id::boolean: return "boolean";
        case type_id::counter: return "counter";
        case type_id::decimal: return "decimal";
        case type_id::double_: return "double";
        case type_id::float_: return "float";
        case type_id::int_: return "int";
        case type_id::timestamp: return "timestamp";
        case type_id::uuid: return "uuid";
        case type_id::varchar: return "text";
        case type_id::varint: return "varint";
        case type_id::timeuuid: return "timeuuid";
        case type_id::inet: return "inet";
        case type_id::date: return "date";
        case type_id::time: return "time";
        case type_id::smallint: return "smallint";
        case type_id::tinyint: return "tinyint";
        case type_id::duration: return "duration";
        case type_id::list: return join("list");
        case type_id::map: return join("map");
        case type_id::set: return join("set");
        case type_id::tuple: return join("tuple");
        case type_id::udt: return t.keyspace + "." + t.name;
        case type_id::vector:
            return "vector<" + (t.params.empty() ? std::string("?") : to_string(t.params[0])) + ", " +
                   std::to_string(t.dimension) + ">";
    }
    return "unknown";
}

}  // namespace async_cassandra

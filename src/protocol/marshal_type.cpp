#include <async_cassandra/protocol/messages.hpp>

namespace async_cassandra::protocol {

// Placeholder: every custom class stays opaque until the marshal-class parser lands.
data_type parse_marshal_type(std::string_view class_name) {
    data_type t;
    t.id = type_id::custom;
    t.custom_class = std::string(class_name);
    return t;
}

}  // namespace async_cassandra::protocol

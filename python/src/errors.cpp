#include "errors.hpp"

#include <async_cassandra/error.hpp>

namespace acpy {
namespace {

nb::dict details(const ac::server_error_details& d) {
    nb::dict out;
    if (d.consistency_level) out["consistency"] = static_cast<int>(*d.consistency_level);
    out["received"] = d.received;
    out["block_for"] = d.block_for;
    out["alive"] = d.alive;
    out["required"] = d.required;
    out["num_failures"] = d.num_failures;
    out["data_present"] = d.data_present;
    out["write_type"] = d.write_type;
    out["keyspace"] = d.keyspace;
    out["table"] = d.table;
    out["function"] = d.function;
    nb::list args;
    for (const auto& a : d.arg_types) args.append(nb::str(a.c_str()));
    out["arg_types"] = args;
    nb::dict reasons;
    for (const auto& [endpoint, code] : d.reason_map) reasons[nb::str(endpoint.c_str())] = code;
    out["reason_map"] = reasons;
    out["unprepared_id"] = nb::bytes(d.unprepared_id.data(), d.unprepared_id.size());
    if (d.contentions) out["contentions"] = *d.contentions;
    return out;
}

}  // namespace

nb::object make_error(core& c, std::error_code ec, const ac::diagnostics& diag) {
    const char* category = "other";
    int code = ec.value();
    if (ec.category() == ac::server_category()) {
        category = "server";
        // server_error is wire code 0 (0 means success in an error_code).
        if (ec == ac::server_errc::server_error) code = 0;
    } else if (ec.category() == ac::client_category()) {
        category = "client";
    } else if (ec == std::errc::operation_canceled) {
        category = "cancelled";
    }
    std::string message = diag.message().empty() ? ec.message() : diag.message();
    nb::object det = diag.server_details() ? nb::object(details(*diag.server_details())) : nb::none();
    return c.error_factory(nb::str(category), code, nb::str(message.c_str(), message.size()),
                           nb::str(diag.host().c_str(), diag.host().size()), det);
}

}  // namespace acpy

// execute_stream and the stream's pages: the engine prefetches the next page
// while Python consumes the current one.
#include "decode.hpp"
#include "handles.hpp"
#include "options.hpp"

namespace acpy {
namespace {

struct pending_stream : pending {
    std::shared_ptr<ac::row_stream> stream;
    nb::object result(core& c) override { return nb::cast(stream_handle{c.shared_from_this(), std::move(stream)}); }
};

struct pending_page : pending {
    std::optional<ac::result_set> page;
    nb::object result(core& c) override { return page ? page_to_python(c, *page) : nb::none(); }
};

struct pending_done : pending {
    nb::object result(core&) override { return nb::none(); }
};

ac::stream_config parse_stream_config(nb::handle cfg) {
    ac::stream_config sc;
    nb::tuple t = nb::borrow<nb::tuple>(cfg);
    if (t.size() != 3) throw nb::value_error("internal: stream config needs 3 fields");
    if (!t[0].is_none()) sc.page_size = nb::cast<std::int32_t>(t[0]);
    if (!t[1].is_none()) sc.max_pages = nb::cast<std::size_t>(t[1]);
    if (!t[2].is_none()) {
        double s = nb::cast<double>(t[2]);
        if (!(s > 0)) throw nb::value_error("timeout_seconds must be a positive number");
        sc.timeout = std::chrono::milliseconds(static_cast<long long>(s * 1000.0 + 0.999));
    }
    return sc;
}

}  // namespace

request_handle session_handle::execute_stream(nb::handle stmt, nb::handle values, nb::handle opts, nb::handle cfg,
                                              nb::handle fut) {
    auto sc = parse_stream_config(cfg);
    auto o = parse_options(opts);
    auto p = std::make_shared<pending_stream>();
    auto done = [](std::shared_ptr<core> c, std::shared_ptr<pending_stream> p) {
        return completion(c, p,
                          [c](pending_stream& q, ac::row_stream rs) { q.stream = engine_owned(c, std::move(rs)); });
    };
    if (nb::isinstance<prepared_handle>(stmt)) {
        const auto& ph = nb::cast<const prepared_handle&>(stmt);
        auto vals = parse_values(values, "parameters");
        if (vals.size() != ph.variables.size())
            throw nb::value_error("wrong number of values for the prepared statement");
        return start_op(core_, p, fut,
                        [s = session, ps = ph.prepared, vals = std::move(vals), o, sc, done](
                            std::shared_ptr<core> c, std::shared_ptr<pending_stream> p) mutable {
                            auto b = ps->bind();
                            try {
                                for (std::size_t i = 0; i < vals.size(); ++i) b.bind_at(i, std::move(vals[i]));
                            } catch (const std::exception& e) {
                                p->ec = ac::client_errc::invalid_request;
                                p->diag.assign(e.what());
                                c->complete(p);
                                return;
                            }
                            apply_options(b, o);
                            s->async_execute_stream(std::move(b), sc, p->diag, done(c, p));
                        });
    }
    ac::statement st(nb::cast<std::string>(stmt));
    for (auto& v : parse_values(values, "parameters")) st.bind(v);
    apply_options(st, o);
    return start_op(core_, p, fut,
                    [s = session, st = std::move(st), sc, done](std::shared_ptr<core> c,
                                                                std::shared_ptr<pending_stream> p) mutable {
                        s->async_execute_stream(std::move(st), sc, p->diag, done(c, p));
                    });
}

request_handle stream_handle::next_page(nb::handle fut) {
    auto p = std::make_shared<pending_page>();
    return start_op(core_, p, fut, [st = stream](std::shared_ptr<core> c, std::shared_ptr<pending_page> p) {
        st->async_next_page(p->diag, completion(c, p, [](pending_page& q, std::optional<ac::result_set> page) {
                                q.page = std::move(page);
                            }));
    });
}

request_handle stream_handle::close(nb::handle fut) {
    auto p = std::make_shared<pending_done>();
    return start_op(core_, p, fut, [st = stream](std::shared_ptr<core> c, std::shared_ptr<pending_done> p) {
        st->async_close(completion(c, p, [](pending_done&) {}));
    });
}

}  // namespace acpy

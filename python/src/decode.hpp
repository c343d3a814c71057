// A page of rows decoded from the engine's result (read in place from the
// received bytes) straight into Python objects.
#pragma once
#include "engine.hpp"

#include <async_cassandra/result_set.hpp>

namespace acpy {

// (type id, params, keyspace, name, field names, dimension, custom class):
// what the package turns into the DataStax driver's cqltypes class.
nb::object describe_type(const ac::data_type& t);

// (column names, rows as tuples, paging state or None, warnings, tracing id
// bytes or None, was_applied). Scalars are decoded here; other types by the
// converter the package gives for the column's type.
nb::object page_to_python(core& c, const ac::result_set& rs);

// The same, the rows made as instances of row_class (a tuple subclass: the
// driver's named-tuple Row) when the result's columns are `expect`'s names;
// a 6th item says whether they were (else they are plain tuples).
nb::object page_to_python(core& c, const ac::result_set& rs, PyObject* row_class, PyObject* names,
                          const std::vector<ac::column_spec>& expect);

}  // namespace acpy

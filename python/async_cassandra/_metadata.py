"""The engine's schema snapshot as the DataStax driver's metadata objects
(cluster.metadata.keyspaces[ks].tables[t].columns, .indexes, .views;
keyspace user_types, views, indexes, functions and aggregates)."""

import re

from cassandra.metadata import (Aggregate, ColumnMetadata, Function, IndexMetadata, KeyspaceMetadata,
                                MaterializedViewMetadata, Metadata, TableMetadata, UserType)

from ._types import _UDT

_VARCHAR = re.compile(r"\bvarchar\b")


def _cql(types, desc):
    """A type as CQL spells it, "text" where the driver's type says varchar (as system_schema)."""
    return _VARCHAR.sub("text", types.driver_type(desc).cql_parameterized_type())


def _routine_type(types, desc):
    """A function's return type or an aggregate's state or return type as
    system_schema spells it: a user type by its name, not frozen."""
    if desc[0] == _UDT:
        return desc[3]
    return _cql(types, desc)


def _add_columns(owner, types, pk, clustering, static, regular):
    """Fills a TableMetadata's or MaterializedViewMetadata's keys and columns."""
    for name, desc in pk:
        col = ColumnMetadata(owner, name, _cql(types, desc))
        owner.partition_key.append(col)
        owner.columns[name] = col
    for name, desc, reversed_ in clustering:
        col = ColumnMetadata(owner, name, _cql(types, desc), is_reversed=reversed_)
        owner.clustering_key.append(col)
        owner.columns[name] = col
    for name, desc in static:
        owner.columns[name] = ColumnMetadata(owner, name, _cql(types, desc), is_static=True)
    for name, desc in regular:
        owner.columns[name] = ColumnMetadata(owner, name, _cql(types, desc))


def _signature_types(signature):
    """The argument types of "name(t1,t2)" as system_schema writes them (what
    the driver's Function.argument_types holds): the commas between types
    are those outside <...>."""
    inner = signature[signature.index("(") + 1:-1]
    out, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(inner[start:i].strip())
            start = i + 1
    if inner.strip():
        out.append(inner[start:].strip())
    return out


def _argument_types(signature, descs, types):
    parsed = _signature_types(signature)
    if len(parsed) == len(descs):
        return parsed
    return [_cql(types, d) for d in descs]


def build_metadata(raw, types):
    meta = Metadata()
    for ks_name, (replication, durable, tables, udts, views, functions, aggregates) in raw.items():
        options = dict(replication)
        strategy = options.pop("class", "")
        ks = KeyspaceMetadata(ks_name, durable, strategy, options)
        for t_name, (pk, clustering, static, regular, indexes) in tables.items():
            table = TableMetadata(ks_name, t_name)
            _add_columns(table, types, pk, clustering, static, regular)
            for i_name, (kind, index_options) in indexes.items():
                index = IndexMetadata(ks_name, t_name, i_name, kind, index_options)
                table.indexes[i_name] = index
                ks.indexes[i_name] = index
            ks.tables[t_name] = table
        for v_name, (base, where, include_all, pk, clustering, static, regular) in views.items():
            view = MaterializedViewMetadata(ks_name, v_name, base, include_all, where, {})
            _add_columns(view, types, pk, clustering, static, regular)
            ks.views[v_name] = view
            if base in ks.tables:
                ks.tables[base].views[v_name] = view
        for u_name, fields in udts.items():
            ks.user_types[u_name] = UserType(ks_name, u_name, [f for f, _ in fields],
                                             [_cql(types, d) for _, d in fields])
        for signature, (name, arg_names, arg_types, return_type, language, body, on_null) in functions.items():
            ks.functions[signature] = Function(
                ks_name, name, _argument_types(signature, arg_types, types), list(arg_names),
                _routine_type(types, return_type), language, body, on_null, deterministic=False, monotonic=False,
                monotonic_on=[])
        for signature, (name, arg_types, state_func, state_type, final_func, init, return_type) in aggregates.items():
            ks.aggregates[signature] = Aggregate(
                ks_name, name, _argument_types(signature, arg_types, types), state_func,
                _routine_type(types, state_type), final_func, init, _routine_type(types, return_type),
                deterministic=False)
        meta.keyspaces[ks_name] = ks
    return meta

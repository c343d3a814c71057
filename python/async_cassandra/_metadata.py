"""The engine's schema snapshot as the DataStax driver's metadata objects
(cluster.metadata.keyspaces[ks].tables[t].columns, user_types, ...)."""

from cassandra.metadata import ColumnMetadata, KeyspaceMetadata, Metadata, TableMetadata, UserType


def _cql(types, desc):
    return types.driver_type(desc).cql_parameterized_type()


def build_metadata(raw, types):
    meta = Metadata()
    for ks_name, (replication, durable, tables, udts) in raw.items():
        options = dict(replication)
        strategy = options.pop("class", "")
        ks = KeyspaceMetadata(ks_name, durable, strategy, options)
        for t_name, (pk, clustering, static, regular) in tables.items():
            table = TableMetadata(ks_name, t_name)
            for name, desc in pk:
                col = ColumnMetadata(table, name, _cql(types, desc))
                table.partition_key.append(col)
                table.columns[name] = col
            for name, desc, reversed_ in clustering:
                col = ColumnMetadata(table, name, _cql(types, desc), is_reversed=reversed_)
                table.clustering_key.append(col)
                table.columns[name] = col
            for name, desc in static:
                table.columns[name] = ColumnMetadata(table, name, _cql(types, desc), is_static=True)
            for name, desc in regular:
                table.columns[name] = ColumnMetadata(table, name, _cql(types, desc))
            ks.tables[t_name] = table
        for u_name, fields in udts.items():
            ks.user_types[u_name] = UserType(ks_name, u_name, [f for f, _ in fields],
                                             [_cql(types, d) for _, d in fields])
        meta.keyspaces[ks_name] = ks
    return meta

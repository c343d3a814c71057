"""CQL types as the DataStax driver's cqltypes classes, so values read and
bound are exactly the driver's Python types (UDTs honour register_user_type)."""

from cassandra import cqltypes
from cassandra.protocol import ColumnMetadata, ResultMessage

_TYPE_CODES = ResultMessage.type_codes
_LIST, _MAP, _SET, _UDT, _TUPLE, _CUSTOM, _VECTOR = 0x20, 0x21, 0x22, 0x30, 0x31, 0x0000, 0xFF01


class TypeRegistry:
    """One per cluster: builds driver types from the engine's type
    descriptions and caches the decoder of each."""

    def __init__(self, protocol_version=5):
        self.protocol_version = protocol_version
        self.user_types = {}  # keyspace -> {type name: class}
        self._decoders = {}

    def register_user_type(self, keyspace, user_type, cls):
        self.user_types.setdefault(keyspace, {})[user_type] = cls
        self._decoders.clear()

    def driver_type(self, desc):
        """desc: (type id, params, keyspace, name, field names, dimension, custom class)."""
        tid, params, keyspace, name, fields, dimension, custom = desc
        if tid in (_LIST, _SET, _MAP, _TUPLE):
            return _TYPE_CODES[tid].apply_parameters(tuple(self.driver_type(p) for p in params))
        if tid == _UDT:
            cls = cqltypes.UserType.make_udt_class(keyspace, name, tuple(fields),
                                                   tuple(self.driver_type(p) for p in params))
            cls.mapped_class = self.user_types.get(keyspace, {}).get(name)
            return cls
        if tid == _VECTOR:
            return cqltypes.VectorType.apply_parameters([self.driver_type(params[0]), dimension], None)
        if tid == _CUSTOM:
            return cqltypes.lookup_casstype(custom)
        try:
            return _TYPE_CODES[tid]
        except KeyError:
            raise ValueError(f"unknown CQL type code 0x{tid:04x}") from None

    def converter_for(self, desc):
        """The bridge asks for the decoder of a column the engine does not decode itself."""
        dec = self._decoders.get(desc)
        if dec is None:
            typ = self.driver_type(desc)
            pv = self.protocol_version

            def dec(byts, _from=typ.from_binary):
                return _from(byts, pv)

            self._decoders[desc] = dec
        return dec

    def column_metadata(self, columns):
        """[(keyspace, table, name, desc)] -> the driver's ColumnMetadata list."""
        return [ColumnMetadata(ks, table, name, self.driver_type(desc)) for ks, table, name, desc in columns]

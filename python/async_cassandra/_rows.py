"""Rows from decoded tuples through the row factory. The driver's default
(named tuples) builds a class per call; here its class is built once per
column list and reused, which is what makes rows cheap."""

from cassandra.query import named_tuple_factory

_row_classes = {}
_MAX_CLASSES = 1024


def row_class(names):
    """The driver's named-tuple Row class for these column names, or None when
    it is not a plain tuple subclass (the engine then makes plain tuples and
    make_rows applies the factory)."""
    names = tuple(names)
    cls = _row_classes.get(names)
    if cls is None:
        cls = type(named_tuple_factory(names, [(None,) * len(names)])[0])
        if len(_row_classes) >= _MAX_CLASSES:
            _row_classes.clear()
        _row_classes[names] = cls
    if issubclass(cls, tuple) and cls.__basicsize__ == tuple.__basicsize__ and cls.__itemsize__ == tuple.__itemsize__:
        return cls
    return None


def make_rows(names, tuples, factory):
    if factory is named_tuple_factory:
        if not tuples:
            return []
        cls = _row_classes.get(names)
        if cls is None:
            # The driver's own class for these names (its sanitising included).
            cls = type(named_tuple_factory(names, tuples[:1])[0])
            if len(_row_classes) >= _MAX_CLASSES:
                _row_classes.clear()
            _row_classes[names] = cls
        return list(map(cls._make, tuples))
    return factory(list(names), tuples)

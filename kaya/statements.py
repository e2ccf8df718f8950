"""An ORM query compiled once per database and run again with new values.

Building and compiling a queryset costs about a millisecond of CPU per query
(more with subqueries: a mood history's tag lists, an event receiver's gates),
often more than the database's own work on the hot paths. ``CompiledQuery``
builds the queryset once per database alias with stand-in values, finds each
stand-in among the compiled statement's parameters, and then runs the same SQL
with each call's values, applying the same converters and, for a model
queryset, building the same instances (annotations set) that Django's own
iteration builds. The SQL is the ORM's, so it is right on every backend the
ORM supports; each use has a test holding it to the queryset it replaces.

Stand-ins must be values no other parameter of the query can equal: ints far
out of any id range, dates at the ends of the calendar (``STAND_INS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models import QuerySet

M = TypeVar("M", bound=models.Model)

# Stand-in values by name (one of each kind a query may need).
STAND_INS: dict[str, Any] = {
    "user_id": -7_770_001,
    "date_from": date(1, 1, 3),
    "date_to": date(9999, 12, 29),
}


def _adapt(ops: Any, value: Any) -> Any:
    if isinstance(value, date):
        return ops.adapt_datefield_value(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError(f"No stand-in for {type(value).__name__} values")


def _slot(params: Sequence[Any], value: Any) -> int:
    found = [
        index
        for index, param in enumerate(params)
        if type(param) is type(value) and param == value
    ]
    if len(found) != 1:
        raise RuntimeError(f"{value!r} is not exactly one parameter of the query")
    return found[0]


class _Compiled:
    def __init__(self, queryset: QuerySet[Any], alias: str, stand_ins: dict[str, Any]):
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        ops = connections[alias].ops
        self.alias = alias
        self.sql, self.params = sql, list(params)
        self.slots = {
            name: _slot(params, _adapt(ops, value)) for name, value in stand_ins.items()
        }
        select = [column for column, _, _ in compiler.select]
        self.converters = list(compiler.get_converters(select).items())
        info = compiler.klass_info
        self.model: type[models.Model] | None = None
        if info is not None:
            fields = info["select_fields"]
            self.model = info["model"]
            self.start, self.end = fields[0], fields[-1] + 1
            self.attnames = [
                column.target.attname for column in select[self.start : self.end]
            ]
            self.annotations = list(compiler.annotation_col_map.items())

    def rows(self, values: dict[str, Any]) -> list[list[Any]]:
        if values.keys() != self.slots.keys():
            raise TypeError(f"Give exactly {sorted(self.slots)}, not {sorted(values)}")
        db = connections[self.alias]
        params = list(self.params)
        for name, value in values.items():
            params[self.slots[name]] = _adapt(db.ops, value)
        with db.cursor() as cursor:
            cursor.execute(self.sql, params)
            fetched = cursor.fetchall()
        rows = []
        for row in map(list, fetched):
            for index, (converters, expression) in self.converters:
                value = row[index]
                for converter in converters:
                    value = converter(value, expression, db)
                row[index] = value
            rows.append(row)
        return rows


class CompiledQuery(Generic[M]):
    """``build(**stand_ins)``'s queryset, compiled once per database alias.

    ``rows(**values)``: the rows of a ``values_list`` queryset, as lists;
    ``instances(**values)``: a model queryset's instances. ``values`` names the
    same stand-ins as ``build`` takes (``STAND_INS``)."""

    def __init__(
        self, build: Callable[..., QuerySet[Any]], names: Sequence[str]
    ) -> None:
        self.build = build
        self.stand_ins = {name: STAND_INS[name] for name in names}
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            queryset = self.build(**self.stand_ins)
            compiled = self._compiled[alias] = _Compiled(
                queryset, alias, self.stand_ins
            )
        return compiled

    def rows(self, *, using: str, **values: Any) -> list[list[Any]]:
        return self._for(using).rows(values)

    def instances(self, *, using: str, **values: Any) -> list[M]:
        compiled = self._for(using)
        assert compiled.model is not None, "instances() needs a model queryset"
        found = []
        for row in compiled.rows(values):
            instance = compiled.model.from_db(
                compiled.alias, compiled.attnames, row[compiled.start : compiled.end]
            )
            for name, index in compiled.annotations:
                setattr(instance, name, row[index])
            found.append(instance)
        return found  # type: ignore[return-value]

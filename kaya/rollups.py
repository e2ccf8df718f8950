"""Rollups: per-day (or lifetime) sums kept beside the rows they sum, added to
in the transaction that writes those rows, so that reads of long ranges scan a
row per day instead of the whole history.

``rollup_add`` is the one way to add to a rollup row: a single
``INSERT ... ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n``, nested counters
in a JSON column (``json_counts``: tags per day, say) added in the same
statement (``rollup_statement`` builds it without running it, for a write
that runs it as part of its own statement, ``kaya.db.insert_with``). On
PostgreSQL the conflicting row is locked and re-read at its latest committed
version, so two writers adding to the same day at once both
count (neither update is lost); SQLite runs one writer at a time. The row stays
locked until the writer's transaction ends, so a caller may then change the
row's other fields from the values ``returning`` gave back without racing
anyone.

Each app rebuilds its rollups from the source rows (``manage.py
rebuild_rollups``) with a ``RollupSpec``: the rows the sources say, keyed, and
the model they are stored in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Required, TypedDict, Unpack, cast

from django.apps import apps as django_apps
from django.apps.registry import Apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from kaya.versioned_cache import VersionedCache

# One rollup row as the sources say it should be: the key (field name ->
# value, user included) and the stored values (field name -> value).
Key = tuple[Any, ...]
Expected = dict[Key, dict[str, Any]]

# Answers read from a user's rollups and totals (mood trends, /sessions/stats,
# the totals of /users/me/stats, the dashboard's overview), cached per user:
# every write to any of the user's rollup rows (``rollup_add``, a rebuild) or
# to a total such an answer reads (an entry written or deleted, an enrollment,
# an unlock, the streak, an erasure: through ``user_reads_changed``) bumps the
# user's version after it commits.
USER_READS = VersionedCache(
    "rollups", seconds=lambda: settings.ROLLUP_READ_CACHE_SECONDS
)


def user_reads_changed(user_id: int) -> None:
    """What a cached per-user answer (``USER_READS``) reads changes in the
    current transaction: the user's answers go stale once it commits.
    ``rollup_add`` and rebuilds call it; so must every other write to a rollup
    table (an erasure) or to a total those answers read (``accounts.registry``'s
    stats providers say which). Called several times in one transaction, it
    bumps once."""
    USER_READS.invalidate_on_commit(user_id)


class RollupAddition(TypedDict, total=False):
    """What ``rollup_add`` adds to a rollup row (see its doc)."""

    keys: Required[Mapping[str, Any]]
    amounts: Required[Mapping[str, int]]
    defaults: Mapping[str, Any] | None
    json_counts: Mapping[str, Mapping[str, Mapping[str, int]]] | None
    returning: Sequence[str]


def rollup_add(
    model: type[models.Model], **addition: Unpack[RollupAddition]
) -> tuple[Any, ...] | None:
    """Add ``amounts`` to the ``model`` row with ``keys`` (created with them
    and ``defaults`` when missing); ``keys`` must be the fields of a unique
    constraint. ``json_counts`` (``{field: {group: {key: n}}}``) adds each
    ``n`` to the counter at ``group.key`` of a JSON object field (a missing
    group or key counts from 0; a new row stores the counts as given). Returns
    the row's ``returning`` columns after the addition (raw database values).
    Call it inside the transaction that writes the source rows; answers cached
    from the user's rollups (``USER_READS``) go stale when it commits."""
    sql, values = rollup_statement(model, **addition)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = tuple(cursor.fetchone()) if addition.get("returning") else None
    rollup_written(addition["keys"])
    return row


def rollup_written(keys: Mapping[str, Any]) -> None:
    """A rollup row with ``keys`` is written in the current transaction (by
    ``rollup_add``, or a ``rollup_statement`` run as part of another): the
    user's cached answers go stale once it commits."""
    user = keys["user"]
    user_reads_changed(user.pk if isinstance(user, models.Model) else user)


def rollup_statement(
    model: type[models.Model], **addition: Unpack[RollupAddition]
) -> tuple[str, list[Any]]:
    """``rollup_add``'s upsert and its parameters, not run: to run as part of
    another statement (``kaya.db.insert_with``'s ``then``), whose caller then
    calls ``rollup_written(keys)``."""
    keys, amounts = addition["keys"], addition["amounts"]
    returning = addition.get("returning", ())
    opts = model._meta
    quote = connection.ops.quote_name
    table = quote(opts.db_table)

    def field(name: str) -> models.Field[Any, Any]:
        return cast("models.Field[Any, Any]", opts.get_field(name))

    def column(name: str) -> str:
        return quote(cast(str, field(name).column))

    defaults = addition.get("defaults") or {}
    # Groups without counters are left out: a new row stores no empty group.
    counters = {
        name: {group: dict(counts) for group, counts in groups.items() if counts}
        for name, groups in (addition.get("json_counts") or {}).items()
    }
    names_in = [*keys, *amounts, *defaults, *counters]
    fields = [field(name) for name in names_in]
    given = [*keys.values(), *amounts.values(), *defaults.values()]
    given += counters.values()
    values = [
        f.get_db_prep_value(value, connection, prepared=False)
        for f, value in zip(fields, given, strict=True)
    ]
    columns = [column(name) for name in names_in]
    names, marks = ", ".join(columns), ", ".join(["%s"] * len(columns))
    conflict = ", ".join(columns[: len(keys)])
    sets = [
        f"{c} = {table}.{c} + EXCLUDED.{c}"
        for c in columns[len(keys) : len(keys) + len(amounts)]
    ]
    for name, groups in counters.items():
        target = f"{table}.{column(name)}"
        expression, params = _json_counts_added(target, groups)
        sets.append(f"{column(name)} = {expression}")
        values += params
    # Only quoted names from the model's metadata are formatted into the
    # statement; every value (JSON keys included) is a parameter.
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks}) "  # noqa: S608
    sql += f"ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(sets)}"
    if returning:
        back = ", ".join(column(name) for name in returning)
        sql += f" RETURNING {back}"
    return sql, values


def _json_counts_added(
    target: str, groups: Mapping[str, Mapping[str, int]]
) -> tuple[str, list[Any]]:
    """SQL for the JSON object ``target`` (a quoted column) with ``n`` added to
    the counter at ``group.key`` for each of ``groups``, and its parameters."""
    params: list[Any] = []
    if connection.vendor == "postgresql":
        # jsonb's || replaces top-level keys: each group is rebuilt from its
        # stored counters with the added ones put over them.
        merged = []
        for group, counts in groups.items():
            pairs: list[str] = []
            params += [group, group]
            for key, n in counts.items():
                pairs.append(
                    f"%s::text, COALESCE(({target} -> %s::text ->> %s::text)"
                    "::bigint, 0) + %s"
                )
                params += [key, group, key, n]
            merged.append(
                f"%s::text, COALESCE({target} -> %s::text, '{{}}'::jsonb) "
                f"|| jsonb_build_object({', '.join(pairs)})"
            )
        if not merged:
            return target, []
        return (
            f"COALESCE({target}, '{{}}'::jsonb) "
            f"|| jsonb_build_object({', '.join(merged)})",
            params,
        )
    if connection.vendor == "sqlite":
        # json_set creates a missing group object on the way to its key.
        pairs = []
        for group, counts in groups.items():
            for key, n in counts.items():
                path = _sqlite_json_path(group, key)
                pairs.append(f"%s, COALESCE(json_extract({target}, %s), 0) + %s")
                params += [path, path, n]
        if not pairs:
            return target, []
        return f"json_set(COALESCE({target}, '{{}}'), {', '.join(pairs)})", params
    raise NotImplementedError(f"json_counts on {connection.vendor}")


def _sqlite_json_path(*labels: str) -> str:
    for label in labels:
        # SQLite's path syntax has no escape for a quote inside a label.
        if '"' in label or "\\" in label:
            raise ValueError(f"Unsupported JSON key: {label!r}")
    return "$" + "".join(f'."{label}"' for label in labels)


@dataclass(frozen=True)
class RollupSpec:
    """One rollup table: where it is stored, its key fields (``user`` first)
    and how to compute its rows for some users from the source rows."""

    label: str  # "app_label.ModelName"
    key_fields: tuple[str, ...]
    value_fields: tuple[str, ...]
    # (apps, user_ids) -> the expected rows of those users.
    expected: Callable[[Apps, Sequence[int]], Expected]

    def model(self, apps: Apps) -> type[models.Model]:
        return apps.get_model(self.label)

    def stored(self, apps: Apps, user_ids: Sequence[int]) -> Expected:
        rows = (
            self.model(apps)
            ._default_manager.filter(user_id__in=user_ids)
            .values_list(*self.key_fields, *self.value_fields)
        )
        width = len(self.key_fields)
        return {
            tuple(row[:width]): dict(zip(self.value_fields, row[width:], strict=True))
            for row in rows
        }

    def differences(self, apps: Apps, user_ids: Sequence[int]) -> list[Key]:
        """Keys whose stored row is missing, extra or different."""
        expected = self.expected(apps, user_ids)
        stored = self.stored(apps, user_ids)
        return sorted(
            (
                key
                for key in expected.keys() | stored.keys()
                if expected.get(key) != stored.get(key)
            ),
            key=repr,
        )

    @transaction.atomic
    def rebuild(self, apps: Apps, user_ids: Sequence[int]) -> int:
        """Replace the users' rows with what the sources say; returns how many
        rows were written. Writes racing the rebuild for the same users may be
        missed: run it with writes quiet (migrations, seeding) or verify after.
        """
        model = self.model(apps)
        model._default_manager.filter(user_id__in=user_ids).delete()
        expected = self.expected(apps, user_ids)
        # In key order, so that one user's days sit together on disk and a
        # range read touches few pages.
        rows = [
            model(**dict(zip(self.key_fields, key, strict=True)), **expected[key])
            for key in sorted(expected)
        ]
        model._default_manager.bulk_create(rows, batch_size=2000)
        users = list(user_ids)
        transaction.on_commit(lambda: USER_READS.invalidate_many(users))
        return len(rows)


_SPECS: list[RollupSpec] = []


def register(*specs: RollupSpec) -> None:
    """Each app with rollups registers their specs from ``AppConfig.ready()``."""
    for spec in specs:
        if spec not in _SPECS:
            _SPECS.append(spec)


def specs() -> list[RollupSpec]:
    return list(_SPECS)


def rollup_user_ids(*, after_user_id: int = 0) -> list[int]:
    """Every user id (past ``after_user_id``) in id order: users with no source
    rows are included, so a rebuild also clears a stray rollup row of theirs."""
    return list(
        get_user_model()
        .objects.filter(pk__gt=after_user_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def rebuild_all(
    *, progress: Callable[[str], None] | None = None, batch: int = 500
) -> int:
    """Rebuild every registered rollup for every user (seeding, repair), with a
    line of progress per batch; returns the rows written."""
    ids = rollup_user_ids()
    written = 0
    for start in range(0, len(ids), batch):
        written += rebuild_for_users(ids[start : start + batch], batch=batch)
        if progress is not None:
            done = min(start + batch, len(ids))
            progress(f"rollups: {done}/{len(ids)} users, {written} rows")
    return written


def rebuild_for_users(
    user_ids: Iterable[int], *, apps: Apps = django_apps, batch: int = 200
) -> int:
    """Rebuild every registered rollup for these users, ``batch`` users per
    transaction; returns the rows written (for seeding and tests)."""
    ids = sorted(set(user_ids))
    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        for spec in _SPECS:
            written += spec.rebuild(apps, chunk)
    return written

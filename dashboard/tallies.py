"""The dashboard's precomputed tallies: daily counts per district or town/street, kept by triggers.

The leadership dashboard's heaviest figures are aggregates over the largest tables (200,000 requests,
300,000 memberships, 50,000 payments at the benchmark scale). The tally tables (``dashboard.models``)
hold those aggregates per *bucket* — the district or town/street (depth 1 or 2) a row lies under — and
per day, so the district's figures for a year sum a few thousand tally rows instead of the table.

Never stale: the tallies are written by database triggers (SQLite and PostgreSQL, generated below
from one description), in the same transaction as the change, for every insert, update and delete —
the ORM, ``bulk_create``, ``QuerySet.update`` and raw SQL alike. A change that moves rows between
buckets wholesale (an organisation's path: a subtree moved) marks the tallies dirty instead; the
figures are then computed live until ``rebuild`` runs (``orgs.services.organisation_move`` rebuilds
in the move's own transaction). ``python manage.py tallies --check`` compares the tallies with the
tables; ``--rebuild`` rebuilds them.

Which figures read them is decided in ``usable``: a root at depth 1 or 2, a grant of the action that
spans its whole subtree (every row under it is in scope, exactly as ``dashboard.figures.within``
reads it), and tallies that are not dirty. Anything else — a union's own subtree, an
organisation-only grant, a partner officer's referred requests — is computed live from the rows.

A change to what is tallied (a column, a bucket rule) is a new migration that calls ``install``
again; ``install`` replaces the triggers and rebuilds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection as default_connection
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

STEP = 4  # orgs.Organisation.steplen (treebeard): a bucket's path is the first two steps
BUCKET_DEPTH = 2


def _bucket(org: str) -> str:
    """The bucket of the organisation whose id is the SQL expression ``org`` (0: none)."""
    return (
        "COALESCE((SELECT b.id FROM orgs_organisation o JOIN orgs_organisation b "
        f"ON b.path = substr(o.path, 1, {STEP * BUCKET_DEPTH}) WHERE o.id = {org}), 0)"
    )


def _local_day(column: str, vendor: str) -> str:
    """The local calendar day (settings.TIME_ZONE) of a stored datetime."""
    if vendor == "postgresql":
        return f"({column} AT TIME ZONE '{settings.TIME_ZONE}')::date"
    # SQLite stores UTC text; its date() knows no zones, so the zone must keep one offset.
    zone = ZoneInfo(settings.TIME_ZONE)
    offsets = {datetime(y, m, 1, tzinfo=zone).utcoffset() for y in range(1992, 2041) for m in (1, 7)}
    if len(offsets) != 1:
        raise ImproperlyConfigured(f"{settings.TIME_ZONE} changes its UTC offset: the SQLite tallies need a fixed one")
    minutes = int(offsets.pop().total_seconds() // 60)
    return f"date({column}, '{minutes:+d} minutes')"


def _flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class Tally:
    """One tally table fed by a source row ``{r}``: key and summed columns as SQL over the row."""

    table: str
    keys: tuple[tuple[str, str], ...]
    sums: tuple[tuple[str, str], ...]
    where: str = "true"

    def formatted(self, r: str, vendor: str, **extra: str) -> Tally:
        def fmt(s: str) -> str:
            return s.format(r=r, **extra)

        return Tally(
            self.table,
            tuple((c, _expand(fmt(e), r, vendor)) for c, e in self.keys),
            tuple((c, _expand(fmt(e), r, vendor)) for c, e in self.sums),
            _expand(fmt(self.where), r, vendor),
        )


def _expand(sql: str, r: str, vendor: str) -> str:
    """Resolve the two helpers a description may use: ``BUCKET(expr)`` and ``LOCALDAY(column)``."""
    for name, fn in (("BUCKET(", _bucket), ("LOCALDAY(", lambda c: _local_day(c, vendor))):
        while name in sql:
            start = sql.index(name)
            depth, i = 1, start + len(name)
            while depth:
                depth += {"(": 1, ")": -1}.get(sql[i], 0)
                i += 1
            sql = sql[:start] + fn(sql[start + len(name) : i - 1]) + sql[i:]
    return sql


def _select(t: Tally, source: str = "", where: str = "", grouped: bool = False) -> str:
    cols = [f"{e} AS {c}" for c, e in t.keys]
    cols += [f"{f'SUM({e})' if grouped else e} AS {c}" for c, e in t.sums]
    conditions = " AND ".join(f"({w})" for w in (t.where, where) if w)
    sql = f"SELECT {', '.join(cols)}" + (f" FROM {source}" if source else "") + f" WHERE {conditions}"
    if grouped:
        sql += " GROUP BY " + ", ".join(str(i + 1) for i in range(len(t.keys)))
    return sql


def _add(t: Tally, select: str) -> str:
    keys = ", ".join(c for c, _ in t.keys)
    sums = [c for c, _ in t.sums]
    update = ", ".join(f"{c} = {t.table}.{c} + excluded.{c}" for c in sums)
    return f"INSERT INTO {t.table} ({keys}, {', '.join(sums)}) {select} ON CONFLICT ({keys}) DO UPDATE SET {update}"


def _subtract(t: Tally, select: str) -> str:
    """Taking away never creates a row: a counted row always has its tally row (and SQLite's test
    flush, which deletes tables in name order, must not leave negative rows behind)."""
    update = ", ".join(f"{c} = {t.table}.{c} - d.{c}" for c, _ in t.sums)
    match = " AND ".join(f"{t.table}.{c} = d.{c}" for c, _ in t.keys)
    return f"UPDATE {t.table} SET {update} FROM ({select}) AS d WHERE {match}"


# --- what is tallied --------------------------------------------------------------------------------

APPEAL_COUNTS: tuple[tuple[str, str], ...] = (
    # mirrors appeals.selectors.METRICS (dashboard/tests/test_tallies.py compares them on random data)
    ("n_all", "1"),
    ("n_contacted_in_time", _flag("{r}.contacted_in_time")),
    ("n_not_contacted_in_time", _flag("NOT {r}.contacted_in_time")),
    ("n_valid", _flag("NOT {r}.invalid")),
    ("n_invalid", _flag("{r}.invalid")),
    ("n_resolved", _flag("NOT {r}.invalid AND {r}.resolved")),
    ("n_unresolved", _flag("NOT {r}.invalid AND NOT {r}.resolved")),
    ("n_rated", _flag("{r}.rating <> ''")),
    ("n_satisfied", _flag("{r}.rating = 'satisfied'")),
    ("n_basic", _flag("{r}.rating = 'basic'")),
    ("n_unsatisfied", _flag("{r}.rating = 'unsatisfied'")),
    ("n_overdue", _flag("{r}.overdue")),
    ("n_reopened", _flag("{r}.reopen_count > 0")),
    ("n_open", _flag("{r}.state <> 'closed'")),
    ("reopen_total", "{r}.reopen_count"),
)
DUE_DAY = (
    "CASE WHEN {r}.state = 'registered' THEN {r}.contact_deadline "
    "WHEN {r}.state IN ('contacted', 'coordinating', 'handling') THEN {r}.handling_deadline END"
)
PAYMENT_BUCKET = (
    "CASE WHEN {r}.beneficiary_org_id IS NOT NULL THEN BUCKET({r}.beneficiary_org_id) ELSE BUCKET({person_org}) END"
)
PAYMENT_KEYS = (
    ("bucket", PAYMENT_BUCKET),
    ("day", "{entry_day}"),
    ("programme_id", "{r}.programme_id"),
    ("to_org", "CASE WHEN {r}.beneficiary_org_id IS NOT NULL THEN true ELSE false END"),
)
PAYMENT_SUMS = (("n", "1"), ("amount", "{r}.amount"))  # MoneyFields: whole fen in both tables
PAYMENT = Tally("dashboard_paymenttally", PAYMENT_KEYS, PAYMENT_SUMS, "{entry_day} IS NOT NULL")
PAYMENT_CONTEXT = {
    "person_org": "(SELECT pp.organisation_id FROM members_person pp WHERE pp.id = {r}.beneficiary_person_id)",
    "entry_day": "(SELECT e.date FROM funds_journalentry e WHERE e.id = {r}.entry_id)",
}


@dataclass(frozen=True)
class Source:
    """A table whose rows are tallied, the columns whose change moves a row's tallies."""

    table: str
    columns: tuple[str, ...]
    tallies: tuple[Tally, ...]
    context: tuple[tuple[str, str], ...] = ()


SOURCES = (
    Source(
        "appeals_appeal",
        (
            "organisation_id",
            "registered_at",
            "contacted_in_time",
            "invalid",
            "resolved",
            "rating",
            "overdue",
            "reopen_count",
            "state",
            "contact_deadline",
            "handling_deadline",
        ),
        (
            Tally(
                "dashboard_appealtally",
                (("bucket", "BUCKET({r}.organisation_id)"), ("day", "LOCALDAY({r}.registered_at)")),
                APPEAL_COUNTS,
            ),
            Tally(
                "dashboard_appealduetally",
                (("bucket", "BUCKET({r}.organisation_id)"), ("day", DUE_DAY)),
                (("n", "1"),),
                f"({DUE_DAY}) IS NOT NULL",
            ),
        ),
    ),
    Source(
        "members_membership",
        ("organisation_id", "joined_on", "status"),
        (
            Tally(
                "dashboard_membertally",
                (("bucket", "BUCKET({r}.organisation_id)"), ("day", "{r}.joined_on")),
                (("n", "1"),),
                "{r}.joined_on IS NOT NULL",
            ),
            Tally(
                "dashboard_activemembertally",
                (("bucket", "BUCKET({r}.organisation_id)"),),
                (("n", "1"),),
                "{r}.status = 'active'",
            ),
        ),
    ),
    Source(
        "funds_payment",
        ("beneficiary_org_id", "beneficiary_person_id", "entry_id", "programme_id", "amount"),
        (PAYMENT,),
        tuple(PAYMENT_CONTEXT.items()),
    ),
)
TALLY_TABLES = [t.table for s in SOURCES for t in s.tallies]


def _row_tallies(source: Source, r: str, vendor: str) -> list[Tally]:
    context = {k: v.format(r=r) for k, v in source.context}
    return [t.formatted(r, vendor, **context) for t in source.tallies]


@dataclass(frozen=True)
class Dependent:
    """A change elsewhere that moves payments between tally rows: a person's union (their payments'
    bucket) or a voucher's date (their day). ``rows`` selects the affected payments ``p``."""

    table: str
    column: str
    rows: str
    context: str  # which payment context value the changed row replaces
    value: str  # the replacing expression over the changed row ({r})


DEPENDENTS = (
    Dependent(
        "members_person",
        "organisation_id",
        "p.beneficiary_person_id = {r}.id AND p.beneficiary_org_id IS NULL",
        "person_org",
        "{r}.organisation_id",
    ),
    Dependent("funds_journalentry", "date", "p.entry_id = {r}.id", "entry_day", "{r}.date"),
)


def _dependent_tally(dep: Dependent, r: str, vendor: str) -> tuple[Tally, str]:
    context = {k: v.format(r="p") for k, v in PAYMENT_CONTEXT.items()}
    context[dep.context] = dep.value.format(r=r)
    return PAYMENT.formatted("p", vendor, **context), dep.rows.format(r=r)


# --- the triggers -----------------------------------------------------------------------------------


def _statements(source: Source, r: str, sign: int, vendor: str) -> list[str]:
    out = []
    for t in _row_tallies(source, r, vendor):
        out.append(_add(t, _select(t)) if sign > 0 else _subtract(t, _select(t)))
    return out


def _set_statements(source: Source, transition: str, sign: int, vendor: str) -> list[str]:
    """The rows of a statement's transition table, grouped: what a statement-level trigger runs."""
    out = []
    for t in _row_tallies(source, "x", vendor):
        select = _select(t, f"{transition} x", grouped=True)
        out.append(_add(t, select) if sign > 0 else _subtract(t, select))
    return out


def _dependent_statements(dep: Dependent, r: str, sign: int, vendor: str) -> list[str]:
    t, rows = _dependent_tally(dep, r, vendor)
    select = _select(t, "funds_payment p", rows, grouped=True)
    return [_add(t, select) if sign > 0 else _subtract(t, select)]


@dataclass(frozen=True)
class Trigger:
    """One trigger, rendered for either database (``_render``)."""

    name: str
    table: str
    event: str  # INSERT, DELETE, UPDATE, UPDATE OF a, b
    statements: list[str]
    per_statement: bool = False  # PostgreSQL only (SQLite has row triggers alone)
    transition: str = ""  # REFERENCING …, for a per-statement trigger that reads the rows
    when: str = ""  # SQLite: a row condition


def _triggers(vendor: str) -> list[Trigger]:
    pg = vendor == "postgresql"
    out = []
    for s in SOURCES:
        name = f"gh_tally_{s.table}"
        if pg:
            # once per statement over its transition tables: a COPY of 100,000 memberships is one
            # grouped upsert per tally, not 200,000 (PostgreSQL allows no column list here)
            def add(rows: str, s: Source = s) -> list[str]:
                return _set_statements(s, rows, +1, vendor)

            def take(rows: str, s: Source = s) -> list[str]:
                return _set_statements(s, rows, -1, vendor)

            out += [
                Trigger(f"{name}_ins", s.table, "INSERT", add("gh_new"), True, "NEW TABLE AS gh_new"),
                Trigger(f"{name}_del", s.table, "DELETE", take("gh_old"), True, "OLD TABLE AS gh_old"),
                Trigger(
                    f"{name}_upd",
                    s.table,
                    "UPDATE",
                    take("gh_old") + add("gh_new"),
                    True,
                    "OLD TABLE AS gh_old NEW TABLE AS gh_new",
                ),
            ]
        else:
            new, old = _statements(s, "NEW", +1, vendor), _statements(s, "OLD", -1, vendor)
            out += [
                Trigger(f"{name}_upd", s.table, f"UPDATE OF {', '.join(s.columns)}", old + new),
                Trigger(f"{name}_ins", s.table, "INSERT", new),
                Trigger(f"{name}_del", s.table, "DELETE", old),
            ]
    for d in DEPENDENTS:
        body = _dependent_statements(d, "OLD", -1, vendor) + _dependent_statements(d, "NEW", +1, vendor)
        name = f"gh_tally_{d.table}" + ("" if pg else "_upd")
        out.append(Trigger(name, d.table, f"UPDATE OF {d.column}", body))
    dirty = ["UPDATE dashboard_tallystate SET dirty = true"]
    when = "" if pg else "OLD.path <> NEW.path"
    out.append(Trigger("gh_tally_orgs_path", "orgs_organisation", "UPDATE OF path", dirty, pg, when=when))
    return out


def _render(t: Trigger, vendor: str) -> tuple[list[str], list[str]]:
    body = ";\n  ".join(t.statements)
    if vendor == "postgresql":
        each = "STATEMENT" if t.per_statement else "ROW"
        referencing = f" REFERENCING {t.transition}" if t.transition else ""
        return [f"DROP TRIGGER IF EXISTS {t.name} ON {t.table}", f"DROP FUNCTION IF EXISTS {t.name}()"], [
            f"CREATE FUNCTION {t.name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  {body};\n  RETURN NULL;\nEND $$",
            f"CREATE TRIGGER {t.name} AFTER {t.event} ON {t.table}{referencing} FOR EACH {each} "
            f"EXECUTE FUNCTION {t.name}()",
        ]
    when = f" WHEN {t.when}" if t.when else ""
    return [f"DROP TRIGGER IF EXISTS {t.name}"], [
        f"CREATE TRIGGER {t.name} AFTER {t.event} ON {t.table} FOR EACH ROW{when} BEGIN\n  {body};\nEND"
    ]


def trigger_sql(vendor: str) -> tuple[list[str], list[str]]:
    """(drop statements, create statements) for this database."""
    drops: list[str] = []
    creates: list[str] = []
    for t in _triggers(vendor):
        d, c = _render(t, vendor)
        drops += d
        creates += c
    return drops, creates


def _rebuild_statements(vendor: str) -> list[str]:
    out = []
    for source in SOURCES:
        for t in _row_tallies(source, "r", vendor):
            out.append(f"DELETE FROM {t.table}")
            out.append(_add(t, _select(t, f"{source.table} r", grouped=True)))
    return out


def install(connection: Any = default_connection) -> None:
    """(Re)create the triggers and rebuild the tallies (a migration's step), in one transaction: no
    write slips between the old triggers and the new ones uncounted."""
    drops, creates = trigger_sql(connection.vendor)
    with transaction.atomic(using=connection.alias), connection.cursor() as cur:
        for sql in drops + creates:
            cur.execute(sql)
        rebuild(connection)


def uninstall(connection: Any = default_connection) -> None:
    drops, _ = trigger_sql(connection.vendor)
    with connection.cursor() as cur:
        for sql in drops:
            cur.execute(sql)


def trigger_names(vendor: str) -> set[str]:
    _, creates = trigger_sql(vendor)
    return {sql.split()[2].removesuffix("()") for sql in creates if sql.startswith("CREATE TRIGGER")}


def missing_triggers(connection: Any = default_connection) -> set[str]:
    """The tally triggers this database lacks. On SQLite a migration that alters a tallied table
    rebuilds it and so drops its triggers: such a migration must call ``install`` again (the suite
    checks that none is missing after every migration)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'gh_tally%%'")
        else:
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'gh_tally%'")
        present = {row[0] for row in cur.fetchall()}
    return trigger_names(connection.vendor) - present


def rebuild(connection: Any = default_connection) -> None:
    """Recount every tally from its table, in one transaction, and mark them fresh."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cur:
        for sql in _rebuild_statements(connection.vendor):
            cur.execute(sql)
        cur.execute("DELETE FROM dashboard_tallystate")
        cur.execute("INSERT INTO dashboard_tallystate (id, dirty, rebuilt_at) VALUES (1, false, %s)", [timezone.now()])


def differences(connection: Any = default_connection) -> dict[str, int]:
    """Per tally table, how many keys disagree between the tally and a fresh count of its table
    (rows that count nothing are ignored): all zero when the triggers kept up."""
    out = {}
    with connection.cursor() as cur:
        for source in SOURCES:
            for t in _row_tallies(source, "r", connection.vendor):
                cols = [c for c, _ in t.keys] + [c for c, _ in t.sums]
                nonzero = " OR ".join(f"{c} <> 0" for c, _ in t.sums)
                k = len(t.keys)
                cur.execute(f"SELECT {', '.join(cols)} FROM {t.table} WHERE {nonzero}")
                kept = {row[:k]: row[k:] for row in map(_norm, cur.fetchall())}
                cur.execute(_select(t, f"{source.table} r", grouped=True))
                counted = {row[:k]: row[k:] for row in map(_norm, cur.fetchall())}
                out[t.table] = sum(1 for key in kept.keys() | counted.keys() if kept.get(key) != counted.get(key))
    return out


def _norm(row: Iterable[Any]) -> tuple[Any, ...]:
    """Rows from both sides compared alike: SQLite gives days as text and flags as 0/1."""
    out: list[Any] = []
    for v in row:
        if isinstance(v, date):
            v = v.isoformat()
        elif isinstance(v, bool | Decimal):
            v = int(v)
        out.append(v)
    return tuple(out)


# --- reading ----------------------------------------------------------------------------------------


_reading: ContextVar[bool | None] = ContextVar("tallies_fresh", default=None)


def fresh() -> bool:
    """Whether the tallies may be read (not dirty); asked once per page inside ``one_reading``."""
    from dashboard.models import TallyState

    known = _reading.get()
    return TallyState.objects.filter(pk=1, dirty=False).exists() if known is None else known


@contextmanager
def one_reading() -> Iterator[None]:
    """A page's figures read the tallies' state once (a page is one reading of the data)."""
    token = _reading.set(fresh())
    try:
        yield
    finally:
        _reading.reset(token)


def bucket_q(root: Any) -> Q:
    """The tally rows under ``root`` (a district: every bucket; a town or street: its own)."""
    return Q() if root.depth == 1 else Q(bucket=root.pk)


def appeal_counts(root: Any, start: date | None = None, end: date | None = None) -> tuple[dict[str, int], int]:
    """The closed-loop rates' counts (``appeals.selectors.METRICS``) and the re-openings of the
    requests registered in the period (all of them without one)."""
    from dashboard.models import AppealTally

    names = [c for c, _ in APPEAL_COUNTS]
    rows = AppealTally.objects.filter(bucket_q(root))
    if start is not None and end is not None:
        rows = rows.filter(day__gte=start, day__lte=end)
    row = rows.aggregate(**{c: Sum(c) for c in names})
    counts = {c.removeprefix("n_"): row[c] or 0 for c in names if c.startswith("n_")}
    return counts, row["reopen_total"] or 0


def appeals_due(root: Any, today: date) -> dict[str, int]:
    """Open requests whose current deadline is today and those already past it
    (``appeals.selectors.due_q``). One query."""
    from dashboard.models import AppealDueTally

    rows = AppealDueTally.objects.filter(bucket_q(root), day__lte=today)
    agg = rows.aggregate(today=Sum("n", filter=Q(day=today)), overdue=Sum("n", filter=Q(day__lt=today)))
    return {"due_today": agg["today"] or 0, "overdue": agg["overdue"] or 0}


def members_active(root: Any) -> int:
    from dashboard.models import ActiveMemberTally

    return ActiveMemberTally.objects.filter(bucket_q(root)).aggregate(n=Sum("n"))["n"] or 0


def members_active_by_bucket(bucket_ids: Iterable[int]) -> dict[int, int]:
    from dashboard.models import ActiveMemberTally

    return dict(ActiveMemberTally.objects.filter(bucket__in=list(bucket_ids)).values_list("bucket", "n"))


def members_joined(root: Any, start: date, end: date) -> int:
    from dashboard.models import MemberTally

    rows = MemberTally.objects.filter(bucket_q(root), day__gte=start, day__lte=end)
    return rows.aggregate(n=Sum("n"))["n"] or 0


def members_joined_by_month(root: Any, start: date, end: date) -> dict[tuple[int, int], int]:
    from dashboard.models import MemberTally

    # summed per day in the database (a few hundred rows), folded into months here: SQLite's month
    # truncation is a Python function called once per tally row
    rows = MemberTally.objects.filter(bucket_q(root), day__gte=start, day__lte=end).order_by().values("day")
    out: dict[tuple[int, int], int] = {}
    for r in rows.annotate(n=Sum("n")):
        key = (r["day"].year, r["day"].month)
        out[key] = out.get(key, 0) + r["n"]
    return out


def payments(
    root: Any, start: date, end: date, *, to_org: bool | None = None, plugin_key: str = ""
) -> dict[int, tuple[int, Decimal]]:
    """Per programme id: how many payments and how many yuan, by voucher day in the period; only
    organisations' (``to_org``) or one plugin's programmes if asked. One query."""
    from dashboard.models import PaymentTally
    from funds.models import Programme

    rows = PaymentTally.objects.filter(bucket_q(root), day__gte=start, day__lte=end)
    if to_org is not None:
        rows = rows.filter(to_org=to_org)
    if plugin_key:
        rows = rows.filter(programme_id__in=Programme.objects.filter(plugin_key=plugin_key).values("pk"))
    grouped = rows.order_by().values("programme_id").annotate(n=Sum("n"), yuan=Sum("amount"))
    return {r["programme_id"]: (r["n"], r["yuan"]) for r in grouped if r["n"]}

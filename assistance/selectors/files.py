"""Reads of hardship files: what a user may see (whole files with assistance.view, the bare status
with assistance.status), verification coverage, the due and lapsed lists, the payments to a person."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from assistance.models import FileStep, HardshipFile, Verification
from orgs.roles import Perm
from orgs.scope import can_at, scoped

S = HardshipFile.State
DUE_DAYS = 30  # re-verifications listed as due this many days ahead


def mask_account(value: str | None) -> str:
    """A bank account shown by its last four digits only (``**** **** 1234``)."""
    text = "".join((value or "").split())
    return f"**** **** {text[-4:]}" if len(text) > 4 else ("*" * len(text))


def visible_files(user: Any, perm: str = Perm.ASSISTANCE_VIEW) -> QuerySet[HardshipFile]:
    """Whole files the user may see (assistance.view in scope; a worker their own)."""
    return scoped(user, perm, HardshipFile.objects.select_related("person", "organisation"))


def status_rows(user: Any) -> QuerySet[HardshipFile]:
    """Files whose existence and state the user may know (assistance.status): the pages built on
    it show the person, the union and the state, nothing of the contents."""
    return scoped(user, Perm.ASSISTANCE_STATUS, HardshipFile.objects.select_related("person", "organisation"))


def with_last_valid(qs: QuerySet[HardshipFile]) -> QuerySet[HardshipFile]:
    return qs.annotate(last_valid_until=Max("verifications__valid_until"))


def file_rows(qs: QuerySet[HardshipFile], *, today: date | None = None) -> QuerySet[HardshipFile]:
    """The list's rows: each with its last span's end and whether it is lapsed today."""
    today = today or timezone.localdate()
    spans = Verification.objects.filter(file=OuterRef("pk"))
    return qs.annotate(
        last_valid_until=Subquery(spans.order_by("-valid_until").values("valid_until")[:1]),
        lapsed=~Exists(spans.filter(done_on__lte=today, valid_until__gte=today)),
    )


def verified_on_q(on: date, prefix: str = "") -> Q:
    """Files whose verification covers ``on`` (the allowance pays only those); ``prefix`` for a
    relation to a file (``"file__"``)."""
    spans = Verification.objects.filter(file=OuterRef(f"{prefix}pk"), done_on__lte=on, valid_until__gte=on)
    return Q(Exists(spans))


def is_verified_on(file: HardshipFile, on: date) -> bool:
    return file.verifications.filter(done_on__lte=on, valid_until__gte=on).exists()


def lapsed_files(qs: QuerySet[HardshipFile], *, today: date | None = None) -> QuerySet[HardshipFile]:
    """Active files no verification covers today (复核逾期): flagged, and not paid."""
    today = today or timezone.localdate()
    return qs.filter(state=S.ACTIVE).exclude(verified_on_q(today))


def due_files(qs: QuerySet[HardshipFile], *, today: date | None = None, days: int = DUE_DAYS) -> QuerySet[HardshipFile]:
    """Active files still covered today whose last span ends within ``days`` (复核到期)."""
    today = today or timezone.localdate()
    return (
        with_last_valid(qs.filter(state=S.ACTIVE))
        .filter(last_valid_until__gte=today, last_valid_until__lte=today + timedelta(days=days))
        .order_by("last_valid_until", "pk")
    )


def attach_step_organisations(files: list[HardshipFile]) -> None:
    """Give each file its review and approval organisations from two queries for all of them
    (``HardshipFile.step_organisation`` would otherwise read each file's ancestors)."""
    from orgs.models import Organisation

    if not files:
        return
    above_files = Organisation.objects.filter(Q(kind__in=Organisation.SUB_FEDERATION_KINDS) | Q(depth=1))
    subs, root = {}, None
    for org in above_files.order_by("path"):
        if org.depth == 1:
            root = root or org
        else:
            subs[org.path] = org
    step = Organisation.steplen
    for file in files:
        path = file.organisation.path
        above = [subs[path[:i]] for i in range(len(path) - step, 0, -step) if path[:i] in subs]
        file._step_orgs = (above[0] if above else root, root)


def waiting_for(user: Any, qs: QuerySet[HardshipFile] | None = None) -> dict[str, list[HardshipFile]]:
    """The files waiting at each step the user may take (待核实 / 待审核 / 待审批), excluding those
    where the user already took a decision (they could not take this one) and their own."""
    qs = qs if qs is not None else visible_files(user, Perm.ASSISTANCE_VIEW)
    step_of = {S.APPLIED: "verify", S.VERIFIED: "review", S.REVIEWED: "approve"}
    out: dict[str, list[HardshipFile]] = {"verify": [], "review": [], "approve": []}
    mine = FileStep.objects.filter(file=OuterRef("pk"), actor=user, kind__in=["apply", "verify", "review", "approve"])
    rows = list(
        qs.filter(state__in=list(step_of))
        .exclude(Exists(mine))
        .exclude(person__user=user)
        .order_by("applied_on", "pk")[:1000]
    )
    attach_step_organisations(rows)
    for file in rows:
        kind = step_of[file.state]
        if can_at(user, Perm.ASSISTANCE_PROCESS, file.step_organisation(kind)):
            out[kind].append(file)
    return out


def todo_counts(user: Any, *, today: date | None = None) -> dict[str, int]:
    """The workbench's assistance to-dos, counted from the rows the file list shows for the same links."""
    today = today or timezone.localdate()
    waiting = waiting_for(user)
    # Due and lapsed in one query: spans never start in the future, so a file is lapsed exactly when
    # its last span ended before today (lapsed_files / due_files say the same row by row).
    spans = Verification.objects.filter(file=OuterRef("pk")).order_by("-valid_until").values("valid_until")[:1]
    active = visible_files(user, Perm.ASSISTANCE_PROCESS).filter(state=S.ACTIVE).annotate(last=Subquery(spans))
    figures = active.aggregate(
        due=Count("pk", filter=Q(last__gte=today, last__lte=today + timedelta(days=DUE_DAYS))),
        lapsed=Count("pk", filter=Q(last__lt=today) | Q(last__isnull=True)),
    )
    return {**{kind: len(rows) for kind, rows in waiting.items()}, "due": figures["due"], "lapsed": figures["lapsed"]}


def person_file_panel(user: Any, person: Any) -> Any:
    """The member page's 困难帮扶 section: whether the person has a file and its state, for holders of
    assistance.status (or view) over the file's union; the link only for those who may open the file."""
    from django.urls import reverse

    from members.panels import PersonPanel

    files = list(status_rows(user).filter(person=person).order_by("-applied_on", "-id")[:3])
    if not files:
        return None
    latest = files[0]
    lines = [f"{f.organisation.name}：{f.get_state_display()}" for f in files]
    viewable = can_at(user, Perm.ASSISTANCE_VIEW, latest.organisation)
    url = reverse("assistance:file_detail", args=[latest.pk]) if viewable else ""
    return PersonPanel("困难职工档案", tuple(lines), url)


def payments_of(file: HardshipFile) -> QuerySet:
    """Every payment to the file's person through the programme engine (allowance, relief,
    scholarships, holiday relief): read after the file itself was found in the reader's scope."""
    from funds.models import Payment

    return (
        Payment.objects.filter(beneficiary_person_id=file.person_id)
        .select_related("programme", "cycle")
        .order_by("-paid_at", "-id")
    )

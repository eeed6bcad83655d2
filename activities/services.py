"""Changes to events: organise, register (portal, office, Excel), attendance, results and awards,
report held, review by the union above. Every change checks the actor's scope and the event's state
and raises a Chinese ``ValidationError`` (naming the field or row) or ``PermissionDenied``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from activities.models import Activity, EventPhoto, Registration
from activities.ranking import competition_ranks
from core.audit import audit_log
from core.models import AuditEvent
from core.tabular import TabularColumn, TabularError, cell_text, read_tabular
from members.models import Honour, Membership, Person
from members.services import id_index
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, has_perm, subtree_q

MAX_SCORE = Decimal("100000")
MAX_CAPACITY = 100_000
AWARD_HONOUR_TITLE = {Registration.Award.TECH_EXPERT: Honour.Title.TECH_EXPERT}
LEVEL_OF_KIND = {Organisation.Kind.DISTRICT: Honour.Level.DISTRICT}


def _manage(actor: Any, activity: Activity) -> None:
    if not can_at(actor, Perm.ACTIVITY_MANAGE, activity.organisation):
        raise PermissionDenied("您没有管理该活动的权限")


def _locked(activity: Activity) -> Activity:
    """The event row re-read under a row lock: registrations and state changes queue behind it."""
    rows = Activity.objects.select_for_update(of=("self",)).select_related("organisation", "eligible_org")
    return rows.get(pk=activity.pk)


# --- a union reports an activity it held (no registration) -----------------------------------------


def activity_report(
    *, actor: Any, organisation: Organisation, title: str, kind: str, held_on: date, participants: int
) -> Activity:
    """A grassroots union reports an activity it held; it counts once the union above reviews it."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, organisation):
        raise PermissionDenied("您没有为该工会报送活动的权限")
    if not organisation.is_grassroots:
        raise ValidationError({"organisation": "只有基层工会可以报送活动"})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "举办日期不能晚于今天：只报送已经开展的活动"})
    if participants < 1:
        raise ValidationError({"participants": "参加人数须大于零"})
    activity = Activity(
        organisation=organisation,
        title=title.strip(),
        kind=kind,
        held_on=held_on,
        participants=participants,
        created_by=actor,
        reported_by=actor,
        reported_at=timezone.now(),
    )
    activity.report()
    activity.save()
    return activity


# --- organising an event ------------------------------------------------------------------------


def event_create(
    *,
    actor: Any,
    organisation: Organisation,
    title: str,
    kind: str,
    held_on: date,
    ends_on: date | None = None,
    skill: str = "",
    place: str = "",
    capacity: int | None = None,
    registration_opens: date | None = None,
    registration_closes: date | None = None,
    co_organisers: Iterable[Organisation] = (),
    eligible_org: Organisation | None = None,
) -> Activity:
    """A union organises an event; members of ``eligible_org``'s subtree (the organiser's by default)
    may register between the window's dates while it is being prepared."""
    if not can_at(actor, Perm.ACTIVITY_MANAGE, organisation):
        raise PermissionDenied("您没有为该工会组织活动的权限")
    if organisation.is_partner:
        raise ValidationError({"organisation": "协作单位不能作为举办工会，请作为协办单位添加"})
    if kind not in Activity.Kind.values:
        raise ValidationError({"kind": "活动类型不正确"})
    if not title.strip():
        raise ValidationError({"title": "请填写活动名称"})
    if ends_on is not None and ends_on < held_on:
        raise ValidationError({"ends_on": "结束日期不能早于举办日期"})
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError({"capacity": f"名额应在 1–{MAX_CAPACITY} 之间，不限名额请留空"})
    if registration_opens and registration_closes and registration_closes < registration_opens:
        raise ValidationError({"registration_closes": "报名截止日期不能早于报名开始日期"})
    if registration_closes and registration_closes > (ends_on or held_on):
        raise ValidationError({"registration_closes": "报名截止日期不能晚于活动结束日期"})
    eligible = eligible_org or organisation
    if not eligible.path.startswith(organisation.path):
        raise ValidationError({"eligible_org": "参加范围只能是举办工会或其下级工会"})
    partners = list(co_organisers)
    strangers = [o.name for o in partners if not o.is_partner]
    if strangers:
        raise ValidationError({"co_organisers": f"协办单位须为协作单位（部门、团委、妇联等）：{'、'.join(strangers)}"})
    with transaction.atomic():
        activity = Activity.objects.create(
            organisation=organisation,
            title=title.strip(),
            kind=kind,
            skill=skill.strip(),
            place=place.strip(),
            held_on=held_on,
            ends_on=ends_on,
            capacity=capacity,
            registration_opens=registration_opens,
            registration_closes=registration_closes,
            eligible_org=eligible,
            created_by=actor,
        )
        activity.co_organisers.set(partners)
    return activity


# --- registration -------------------------------------------------------------------------------


def _is_eligible(person: Person, eligible: Organisation) -> bool:
    """An active member of a union in ``eligible``'s subtree."""
    memberships = Membership.objects.active_on().filter(person=person)
    return memberships.filter(subtree_q("organisation__path", eligible.path)).exists()


def registration_refusal(activity: Activity, person: Person, *, today: date | None = None) -> str | None:
    """Why ``person`` may not register for ``activity`` now (None when they may): state, window,
    eligibility, duplicates and capacity, in that order. Read under the caller's lock."""
    today = today or timezone.localdate()
    if activity.state != Activity.State.PLANNED:
        return "该活动已结束报名"
    if activity.registration_opens and today < activity.registration_opens:
        return f"报名尚未开始（{activity.registration_opens:%Y-%m-%d} 开始）"
    closes = activity.registration_closes or activity.held_on
    if today > closes:
        return f"报名已截止（{closes:%Y-%m-%d}）"
    eligible = activity.eligible_org or activity.organisation
    if not _is_eligible(person, eligible):
        return f"{person.name}不是{eligible.name}（含下级）的在册会员，不能报名"
    if Registration.objects.filter(activity=activity, person=person).exists():
        return f"{person.name}已报名该活动，不能重复报名"
    if activity.capacity is not None and activity.registrations.count() >= activity.capacity:
        return f"名额已满（{activity.capacity} 人）"
    return None


def _register(activity: Activity, person: Person, *, actor: Any, channel: str) -> Registration:
    refusal = registration_refusal(activity, person)
    if refusal:
        raise ValidationError({"person": refusal})
    try:
        with transaction.atomic():
            return Registration.objects.create(activity=activity, person=person, channel=channel, registered_by=actor)
    except IntegrityError as exc:  # two requests at once: the unique constraint decides
        raise ValidationError({"person": f"{person.name}已报名该活动，不能重复报名"}) from exc


def registration_self(*, actor: Any, activity: Activity) -> Registration:
    """A worker registers themself in the portal."""
    person = Person.objects.filter(user=actor).first() if actor.is_authenticated else None
    if person is None or not has_perm(actor, Perm.ACTIVITY_REGISTER):
        raise PermissionDenied("只有已关联会员档案的职工可以自助报名")
    with transaction.atomic():
        return _register(_locked(activity), person, actor=actor, channel=Registration.Channel.PORTAL)


def registration_add(*, actor: Any, activity: Activity, person: Person) -> Registration:
    """The organiser registers a member on their behalf."""
    _manage(actor, activity)
    with transaction.atomic():
        return _register(_locked(activity), person, actor=actor, channel=Registration.Channel.OFFICE)


def registration_cancel(*, actor: Any, registration: Registration) -> None:
    """A registration is withdrawn (by the worker or the organiser) while the event is being prepared."""
    activity = registration.activity
    own = registration.person.user_id == actor.pk and has_perm(actor, Perm.ACTIVITY_REGISTER)
    if not own:
        _manage(actor, activity)
    with transaction.atomic():
        activity = _locked(activity)
        if activity.state != Activity.State.PLANNED or activity.held_on < timezone.localdate():
            raise ValidationError({"person": "活动已开展或已报送，不能取消报名"})
        registration.delete()


REGISTRATION_COLUMNS = (
    TabularColumn("name", "姓名", required=True),
    TabularColumn("id_number", "身份证号", required=True, aliases=("身份证号码", "公民身份号码", "证件号码")),
)


@dataclass(frozen=True)
class ImportOutcome:
    created: int
    errors: list[str]


def registrations_import(*, actor: Any, activity: Activity, filename: str, content: bytes) -> ImportOutcome:
    """Registers in bulk from a workbook of 姓名 + 身份证号 (the shared reader). All or nothing: one bad
    row (unknown person, name not matching, not eligible, duplicate, over capacity) registers nobody and
    every bad row is listed with its Excel row number."""
    _manage(actor, activity)
    try:
        table = read_tabular(content, filename=filename, columns=REGISTRATION_COLUMNS, max_rows=MAX_CAPACITY)
    except TabularError as exc:
        return ImportOutcome(0, [str(exc)])
    name_at, id_at = table.keys.index("name"), table.keys.index("id_number")
    wanted: list[tuple[int, str, str]] = []
    for number, cells in table.rows:
        name = cell_text(cells[name_at] if name_at < len(cells) else "")
        id_number = cell_text(cells[id_at] if id_at < len(cells) else "").upper()
        wanted.append((number, name, id_number))
    people = Person.objects.in_bulk([id_index(i) for _, _, i in wanted if i], field_name="id_number_index")
    errors: list[str] = []
    with transaction.atomic():
        activity = _locked(activity)
        eligible = activity.eligible_org or activity.organisation
        seen: set[int] = set()
        chosen: list[Person] = []
        for number, name, id_number in wanted:
            person = people.get(id_index(id_number)) if id_number else None
            # One message whether the ID number is unknown, names someone else or someone outside the
            # event's range: the file must not tell an organiser about people outside their scope.
            if person is None or person.name != name or not _is_eligible(person, eligible):
                who = name or "（无姓名）"
                errors.append(f"第 {number} 行：{who}不是{eligible.name}（含下级）的在册会员，或姓名与身份证号不符")
                continue
            if person.pk in seen:
                errors.append(f"第 {number} 行：{name}在本表中重复")
                continue
            seen.add(person.pk)
            refusal = registration_refusal(activity, person)
            if refusal and not refusal.startswith("名额已满"):
                errors.append(f"第 {number} 行：{refusal}")
                continue
            chosen.append(person)
        taken = activity.registrations.count()
        if activity.capacity is not None and taken + len(chosen) > activity.capacity:
            errors.append(f"名额不足：已报名 {taken} 人，本表 {len(chosen)} 人，名额 {activity.capacity} 人")
        if not wanted:
            errors.append("表中没有报名数据")
        if errors:
            return ImportOutcome(0, errors)
        Registration.objects.bulk_create(
            Registration(activity=activity, person=p, channel=Registration.Channel.IMPORT, registered_by=actor)
            for p in chosen
        )
    return ImportOutcome(len(chosen), [])


# --- attendance, results, awards ----------------------------------------------------------------


def _held_and_open(activity: Activity, what: str) -> None:
    if activity.held_on > timezone.localdate():
        raise ValidationError({"held_on": f"活动尚未开展，不能{what}"})
    if activity.state not in (Activity.State.PLANNED, Activity.State.RETURNED):
        raise ValidationError({"state": f"活动已报送（{activity.get_state_display()}），不能再{what}"})


def attendance_record(*, actor: Any, activity: Activity, attended: Iterable[int]) -> int:
    """Marks who came (registration ids in ``attended``) and who did not (the others); returns the count present."""
    _manage(actor, activity)
    present = set(attended)
    with transaction.atomic():
        activity = _locked(activity)
        _held_and_open(activity, "记录到场")
        ids = set(activity.registrations.values_list("pk", flat=True))
        unknown = present - ids
        if unknown:
            raise ValidationError({"attended": "所选人员不是本活动的报名人员"})
        if activity.registrations.filter(honour__isnull=False).exclude(pk__in=present).exists():
            raise ValidationError({"attended": "已获奖的人员不能记为未到场"})
        activity.registrations.filter(pk__in=present).update(attended=True)
        activity.registrations.exclude(pk__in=present).update(attended=False, score=None, rank=None)
    return len(present)


def parse_score(raw: Any, *, row: str) -> Decimal | None:
    """A score as typed: blank → None; otherwise a finite number 0–100000 with at most two decimals."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValidationError({"score": f"{row}：成绩“{text}”不是数字"}) from exc
    if not value.is_finite() or not 0 <= value <= MAX_SCORE or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"score": f"{row}：成绩应为 0–{MAX_SCORE} 之间、至多两位小数的数字"})
    return value


def results_record(*, actor: Any, activity: Activity, scores: Mapping[int, Decimal | None]) -> None:
    """Records a competition's scores (registration id → score; None clears it) and re-ranks every
    scored contestant by standard competition ranking (ties share a rank, the next rank is skipped)."""
    _manage(actor, activity)
    with transaction.atomic():
        activity = _locked(activity)
        if not activity.is_competition:
            raise ValidationError({"kind": "只有技能竞赛记录成绩和名次"})
        _held_and_open(activity, "录入成绩")
        regs = {r.pk: r for r in activity.registrations.select_related("person")}
        if set(scores) - set(regs):
            raise ValidationError({"score": "成绩表中有不属于本活动的报名"})
        if any(r.honour_id for r in regs.values()):
            raise ValidationError({"score": "已颁发奖项，成绩和名次不能再修改"})
        for pk, score in scores.items():
            reg = regs[pk]
            if score is not None and reg.attended is not True:
                raise ValidationError({"score": f"{reg.person.name}未记为到场，不能录入成绩"})
            if score is not None and (not score.is_finite() or not 0 <= score <= MAX_SCORE):
                raise ValidationError({"score": f"{reg.person.name}：成绩应在 0–{MAX_SCORE} 之间"})
            reg.score = score
        scored = [r for r in regs.values() if r.score is not None]
        for reg, rank in zip(scored, competition_ranks([r.score for r in scored]), strict=True):
            reg.rank = rank
        for reg in regs.values():
            if reg.score is None:
                reg.rank = None
        Registration.objects.bulk_update(list(regs.values()), ["score", "rank"])


def award_grant(*, actor: Any, activity: Activity, awards: Mapping[int, str], awarded_on: date) -> list[Honour]:
    """Grants awards (registration id → award) to ranked contestants; each becomes a dated honour on
    the member's record, linked to the result. An award is granted once."""
    _manage(actor, activity)
    if awarded_on > timezone.localdate() or awarded_on.year < 2000:
        raise ValidationError({"awarded_on": "颁奖日期应为 2000 年以后、不晚于今天的日期"})
    with transaction.atomic():
        activity = _locked(activity)
        if not activity.is_competition:
            raise ValidationError({"kind": "只有技能竞赛颁发奖项"})
        if awarded_on < activity.held_on:
            raise ValidationError({"awarded_on": "颁奖日期不能早于比赛日期"})
        regs = {r.pk: r for r in activity.registrations.select_related("person").filter(pk__in=list(awards))}
        if len(regs) != len(awards):
            raise ValidationError({"award": "获奖名单中有不属于本活动的报名"})
        level = LEVEL_OF_KIND.get(activity.organisation.kind, Honour.Level.TOWN)
        honours = []
        for pk, award in awards.items():
            reg = regs[pk]
            if award not in Registration.Award.values:
                raise ValidationError({"award": f"{reg.person.name}：奖项不正确"})
            if reg.honour_id:
                raise ValidationError({"award": f"{reg.person.name}已获{reg.get_award_display()}，不能重复颁奖"})
            if reg.rank is None:
                raise ValidationError({"award": f"{reg.person.name}没有成绩名次，不能颁奖"})
            reg.award = award
            honour = Honour.objects.create(
                person=reg.person,
                title=AWARD_HONOUR_TITLE.get(award, Honour.Title.OTHER),
                level=level,
                awarded_on=awarded_on,
                awarded_by=activity.organisation.name,
                note=f"{activity.title} {reg.get_award_display()}（第 {reg.rank} 名）"[:200],
            )
            reg.honour = honour
            reg.save(update_fields=["award", "honour"])
            honours.append(honour)
    return honours


# --- report and review --------------------------------------------------------------------------


MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 5 * 1024 * 1024
# The first bytes of each allowed type: a renamed file of another kind is refused, not only a wrong suffix.
PHOTO_TYPES = {".jpg": ("image/jpeg", b"\xff\xd8\xff"), ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
               ".png": ("image/png", b"\x89PNG\r\n\x1a\n")}  # fmt: skip


def photos_check(files: Sequence[UploadedFile], *, existing: int = 0) -> list[str]:
    """Refuse (naming the file) anything but a JPEG or PNG of at most 5 MB, and more than nine photos
    an event; return each file's content type."""
    if len(files) + existing > MAX_PHOTOS:
        raise ValidationError({"photos": f"每个活动最多 {MAX_PHOTOS} 张照片（已有 {existing} 张）"})
    types = []
    for f in files:
        name = PurePath(f.name or "").name
        kind = PHOTO_TYPES.get(PurePath(name).suffix.lower())
        if kind is None:
            raise ValidationError({"photos": f"照片“{name}”的类型不允许，只能上传 JPG 或 PNG 图片"})
        if not f.size:
            raise ValidationError({"photos": f"照片“{name}”是空文件"})
        if f.size > MAX_PHOTO_BYTES:
            raise ValidationError({"photos": f"照片“{name}”超过 5 MB，请压缩后再上传"})
        f.seek(0)
        head = f.read(8)
        f.seek(0)
        if not head.startswith(kind[1]):
            raise ValidationError({"photos": f"照片“{name}”的内容不是 JPG 或 PNG 图片"})
        types.append(kind[0])
    return types


def _photos_save(actor: Any, activity: Activity, files: Sequence[UploadedFile]) -> int:
    types = photos_check(files, existing=activity.photos.count())
    for f, content_type in zip(files, types, strict=True):
        EventPhoto.objects.create(
            activity=activity, file=f, name=PurePath(f.name or "照片").name[:200], content_type=content_type,
            size=f.size or 0, uploaded_by=actor,
        )  # fmt: skip
    return len(files)


def photos_add(*, actor: Any, activity: Activity, files: Sequence[UploadedFile]) -> int:
    """The organiser attaches photos of an event it held, until its report is accepted."""
    _manage(actor, activity)
    if not files:
        raise ValidationError({"photos": "请选择要上传的照片"})
    with transaction.atomic():
        activity = _locked(activity)
        if activity.state not in (Activity.State.PLANNED, Activity.State.RETURNED):
            raise ValidationError({"photos": f"活动{activity.get_state_display()}，不能再上传照片"})
        if activity.held_on > timezone.localdate():
            raise ValidationError({"photos": "活动尚未开展，不能上传现场照片"})
        return _photos_save(actor, activity, files)


def photo_remove(*, actor: Any, activity: Activity, photo_id: Any, request: Any = None) -> EventPhoto:
    """删除照片 (a wrong one): whoever may edit the report (``activities.manage`` over the organiser),
    while photos may still be added — before the report is sent for review, or after it was returned;
    never once it waits for review or was reviewed. The row goes at once; the stored file when the
    transaction commits (a rolled-back removal keeps it). Written to the audit trail."""
    _manage(actor, activity)
    text = str(photo_id or "")
    with transaction.atomic():
        activity = _locked(activity)
        if activity.state not in (Activity.State.PLANNED, Activity.State.RETURNED):
            raise ValidationError({"photos": f"活动{activity.get_state_display()}，不能再删除照片"})
        photo = activity.photos.filter(pk=int(text)).first() if text.isdigit() and len(text) < 19 else None
        if photo is None:
            raise ValidationError({"photos": "未找到该照片，可能已被删除"})
        storage, stored = photo.file.storage, photo.file.name
        photo.delete()
        transaction.on_commit(lambda: storage.delete(stored))
        audit_log(
            AuditEvent.Kind.FILE_REMOVED, user=actor, request=request, obj=activity,
            summary=f"删除了活动“{activity.title[:60]}”的照片“{photo.name}”",
            detail={"photo_id": int(text), "name": photo.name, "size": photo.size, "stored": stored},
        )  # fmt: skip
    return photo


def event_report(
    *, actor: Any, activity: Activity, participants: int | None = None, photos: Sequence[UploadedFile] = ()
) -> Activity:
    """The organiser reports an organised event as held, with its photos if any. With registrations,
    the headcount is those marked present (attendance must be recorded first); without, the number given."""
    _manage(actor, activity)
    with transaction.atomic():
        activity = _locked(activity)
        if not can_proceed(activity.report):
            raise ValidationError({"state": f"活动{activity.get_state_display()}，不能报送"})
        if activity.held_on > timezone.localdate():
            raise ValidationError({"held_on": "活动尚未开展，不能报送"})
        regs = activity.registrations
        if regs.exists():
            if regs.filter(attended__isnull=True).exists():
                raise ValidationError({"participants": "还有报名人员未记录是否到场，请先记录到场情况"})
            count = regs.filter(attended=True).count()
        else:
            count = participants or 0
        if not 1 <= count <= 1_000_000:
            raise ValidationError({"participants": "参加人数须在 1–1000000 之间"})
        if photos:
            _photos_save(actor, activity, photos)
        activity.participants = count
        activity.reported_by = actor
        activity.reported_at = timezone.now()
        activity.report()
        activity.save()
    return activity


def union_above(org: Organisation) -> Organisation:
    """The union directly above ``org`` (the district for itself): who reviews what ``org`` reports."""
    parent = Organisation.objects.filter(path=org.parent_path).first() if org.depth > 1 else None
    return parent or org


def reviewer_org(activity: Activity) -> Organisation:
    """The union above the organiser reviews its report (the district reviews its own events)."""
    return union_above(activity.organisation)


def event_review(*, actor: Any, activity: Activity, approve: bool, note: str = "") -> Activity:
    """The union above accepts the report (the event then counts) or returns it with a reason."""
    above = reviewer_org(activity)
    if not can_at(actor, Perm.ACTIVITY_REVIEW, above):
        raise PermissionDenied("只有上级工会可以审核活动报送")
    note = note.strip()
    with transaction.atomic():
        activity = _locked(activity)
        if activity.state != Activity.State.REPORTED:
            raise ValidationError({"state": f"活动{activity.get_state_display()}，不在待审核状态"})
        if activity.reported_by_id == actor.pk:
            raise ValidationError({"state": "不能审核自己报送的活动"})
        if not approve and not note:
            raise ValidationError({"review_note": "退回时请写明需要补正的内容"})
        (activity.approve if approve else activity.send_back)()
        activity.reviewed_by = actor
        activity.reviewed_at = timezone.now()
        activity.review_note = note[:200]
        activity.save()
    return activity

"""Event pages: the scoped lists (and their exports), organising an event, its page with the
organiser's steps (registration import, attendance, results, awards, report) and the review by the
union above, and the figures with their drill-down."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from activities import innovation_services, selectors, services, studios_services
from activities.filtersets import ActivityFilterSet, RegistrationFilterSet
from activities.forms import (
    AWARD_CHOICES,
    ActivityForm,
    AwardForm,
    EventForm,
    ImportForm,
    PhotosForm,
    ReportForm,
    ReviewForm,
)
from activities.models import Activity, Registration
from activities.tables import ActivityTable, RegistrationTable
from core.forms import BoundedForm, StyledFormMixin
from core.lists import ListPage, list_url
from core.views import add_refusal_message, add_validation_errors
from orgs.forms import OrganisationChoiceField, PickerFormMixin
from orgs.pickers import PickerScope
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, has_perm
from orgs.web import perm_required

MAX_ROWS_ON_PAGE = 500  # the step forms list an event's registrations; larger events use the lists


class ActivityList(ListPage):
    """活动与竞赛: the events of the user's scope, and the form reporting an activity held."""

    title = "活动与竞赛"
    noun = "活动"
    unit = "次"
    table_class = ActivityTable
    filterset_class = ActivityFilterSet
    perm = Perm.ORG_VIEW
    export_perm = Perm.ORG_VIEW
    ordering = ("-held_on", "-id")
    create = ("activities:create", "组织活动/竞赛", Perm.ACTIVITY_MANAGE)
    aside_template = "orgs/_list_tree.html"
    side_form_title = "报送已开展的活动"
    side_form_submit = "报送"
    testid = "activity-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Activity]:
        return selectors.visible_activities(request.user)

    def side_form(self, request: HttpRequest) -> ActivityForm | None:
        if not has_perm(request.user, Perm.ACTIVITY_MANAGE):
            return None
        return ActivityForm(request.POST or None, unions=selectors.reporting_unions(request.user))

    def side_form_save(self, request: HttpRequest, form: ActivityForm) -> str:
        services.activity_report(actor=request.user, **form.cleaned_data)
        return "活动已报送，待上级工会审核"


activity_list = ActivityList.as_view()


class RegistrationList(ListPage):
    """参与明细: the participations behind the figures (drill-down), by event, subtree and period."""

    title = "活动参与明细"
    noun = "报名记录"
    unit = "条"
    table_class = RegistrationTable
    filterset_class = RegistrationFilterSet
    perm = Perm.MEMBER_VIEW
    export_perm = Perm.MEMBER_EXPORT
    ordering = ("-activity__held_on", "activity_id", "rank", "pk")
    aside_template = "orgs/_list_tree.html"
    testid = "registration-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Registration]:
        return selectors.visible_registrations(request.user)


registration_list = RegistrationList.as_view()


@perm_required(Perm.ACTIVITY_MANAGE)
def activity_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.event_create(actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "活动已创建，会员可在报名时间内报名")
            return redirect("activities:detail", pk=activity.pk)
    return render(request, "activities/form.html", {"form": form})


def _activity(request: HttpRequest, pk: int) -> Activity:
    return get_scoped_or_404(
        request.user,
        Perm.ORG_VIEW,
        Activity.objects.select_related("organisation", "eligible_org", "created_by", "reported_by", "reviewed_by"),
        pk=pk,
    )


@perm_required(Perm.ORG_VIEW)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    can_manage = can_at(request.user, Perm.ACTIVITY_MANAGE, activity.organisation)
    can_review = activity.state == Activity.State.REPORTED and can_at(
        request.user, Perm.ACTIVITY_REVIEW, services.reviewer_org(activity)
    )
    regs = list(selectors.activity_registrations(activity)[: MAX_ROWS_ON_PAGE + 1])
    open_steps = activity.state in (Activity.State.PLANNED, Activity.State.RETURNED)
    held = activity.held_on <= timezone.localdate()
    context: dict[str, Any] = {
        "activity": activity,
        "co_organisers": list(activity.co_organisers.all()),
        "registrations": regs[:MAX_ROWS_ON_PAGE],
        "truncated": len(regs) > MAX_ROWS_ON_PAGE,
        "registration_count": activity.registrations.count(),
        "can_manage": can_manage,
        "can_review": can_review,
        "open_steps": open_steps and can_manage,
        "held": held,
        "awarded_any": any(r.honour_id for r in regs),
        "import_form": ImportForm(),
        "report_form": ReportForm(),
        "photos_form": PhotosForm(),
        "photos": list(activity.photos.all()),
        "photos_removable": can_manage and open_steps,
        "review_form": ReviewForm(),
        "award_form": AwardForm(initial={"awarded_on": timezone.localdate()}),
        "award_choices": AWARD_CHOICES,
        "drill_url": list_url("activities:registrations", activity=activity.pk),
    }
    return render(request, "activities/detail.html", context)


def _ids(values: list[str]) -> list[int]:
    out = []
    for v in values:
        if v.isdigit() and len(v) < 19:
            out.append(int(v))
    return out


STEPS = ("import", "attendance", "results", "awards", "report", "photos", "review")


def _refusal(form: forms.Form) -> ValidationError:
    return ValidationError("；".join(f"{form.fields[k].label}：{m}" for k, ms in form.errors.items() for m in ms))


@require_POST
@perm_required(Perm.ORG_VIEW)
def activity_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the organiser (or the reviewer), posted from the event's page; every refusal is a
    message and changes nothing."""
    if step not in STEPS:
        raise Http404
    activity = _activity(request, pk)
    user = request.user
    try:
        if step == "import":
            form = ImportForm(request.POST, request.FILES)
            if not form.is_valid():
                raise ValidationError("请选择报名表文件")
            upload = form.cleaned_data["file"]
            outcome = services.registrations_import(
                actor=user, activity=activity, filename=upload.name, content=upload.read()
            )
            if outcome.errors:
                shown = outcome.errors[:20]
                more = f"；另有 {len(outcome.errors) - 20} 处" if len(outcome.errors) > 20 else ""
                raise ValidationError("未导入任何报名：" + "；".join(shown) + more)
            done = f"已导入 {outcome.created} 人的报名"
        elif step == "attendance":
            count = services.attendance_record(
                actor=user, activity=activity, attended=_ids(request.POST.getlist("attended"))
            )
            done = f"已记录到场 {count} 人"
        elif step == "results":
            scores = {}
            for key, raw in request.POST.items():
                if key.startswith("score-") and key[6:].isdigit() and len(key) < 26:
                    scores[int(key[6:])] = services.parse_score(raw, row=f"第 {len(scores) + 1} 位")
            services.results_record(actor=user, activity=activity, scores=scores)
            done = "成绩已保存，名次已按并列规则排定"
        elif step == "awards":
            form = AwardForm(request.POST)
            if not form.is_valid():
                raise ValidationError("颁奖日期：" + "；".join(m for ms in form.errors.values() for m in ms))
            awards = {
                int(key[6:]): value
                for key, value in request.POST.items()
                if key.startswith("award-") and key[6:].isdigit() and len(key) < 26 and value
            }
            if not awards:
                raise ValidationError("请为获奖人员选择奖项")
            honours = services.award_grant(
                actor=user, activity=activity, awards=awards, awarded_on=form.cleaned_data["awarded_on"]
            )
            done = f"已颁发 {len(honours)} 个奖项，已记入会员荣誉"
        elif step == "report":
            form = ReportForm(request.POST, request.FILES)
            if not form.is_valid():
                raise _refusal(form)
            services.event_report(
                actor=user,
                activity=activity,
                participants=form.cleaned_data["participants"],
                photos=form.cleaned_data["photos"],
            )
            done = "活动已报送，待上级工会审核"
        elif step == "photos":
            form = PhotosForm(request.POST, request.FILES)
            if not form.is_valid():
                raise _refusal(form)
            count = services.photos_add(actor=user, activity=activity, files=form.cleaned_data["photos"])
            done = f"已上传 {count} 张照片"
        else:
            form = ReviewForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请选择审核结果")
            approve = form.cleaned_data["decision"] == "approve"
            services.event_review(actor=user, activity=activity, approve=approve, note=form.cleaned_data["note"])
            done = "审核通过，活动计入统计" if approve else "已退回补正"
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("activities:detail", pk=activity.pk)


@require_POST
@perm_required(Perm.ORG_VIEW)
def photo_remove(request: HttpRequest, pk: int, photo: int) -> HttpResponse:
    """删除照片, posted from the event page after a confirmation; a refusal is a message and removes nothing."""
    activity = _activity(request, pk)
    try:
        removed = services.photo_remove(actor=request.user, activity=activity, photo_id=photo, request=request)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, f"已删除照片“{removed.name}”")
    return redirect("activities:detail", pk=activity.pk)


@perm_required(Perm.ORG_VIEW)
def photo_download(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A photo of an event, to whoever may see the event (its organiser's subtree, the union above
    reviewing it); shown inline as a thumbnail, ``?download=1`` saves it."""
    activity = _activity(request, pk)
    row = activity.photos.filter(pk=photo).first()
    if row is None:
        raise Http404("未找到该照片")
    try:
        handle = row.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("照片文件已丢失") from exc
    response = FileResponse(
        handle, as_attachment=bool(request.GET.get("download")), filename=row.name, content_type=row.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


class FiguresForm(PickerFormMixin, StyledFormMixin, BoundedForm):
    root = OrganisationChoiceField(label="统计范围（含下级）", scope=PickerScope(perm=Perm.ORG_VIEW, active_only=False))
    start = forms.DateField(label="举办日期起", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label="举办日期止", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("举办日期止不能早于举办日期起")
        return data


def _studio_and_innovation_figures(user: Any, root: Any, start: date, end: date) -> dict[str, Any]:
    """职工创新工作室 / 劳模工作室 (plaqued by the period's end, their output of the years it touches) and
    innovation items submitted in the period, each with the list link selecting its rows."""
    studio = {"subtree": root.code, "plaqued_to": end.isoformat()}
    years = {"output_from": start.year, "output_to": end.year}
    out: dict[str, Any] = {
        "studios": studios_services.studio_period_counts(user, root, start, end),
        "output_years": f"{start.year}" if start.year == end.year else f"{start.year}–{end.year}",
        "innovation_studios_url": list_url("activities:studios", kind="innovation", **studio),
        "model_worker_studios_url": list_url("activities:studios", kind="model_worker", **studio),
        "output_url": list_url("activities:studios", **studio, **years),
    }
    if has_perm(user, Perm.MEMBER_VIEW):  # the items name members: the innovation list's action
        items = {"subtree": root.code, "submitted_from": start.isoformat(), "submitted_to": end.isoformat()}
        out |= {
            "innovation": innovation_services.innovation_period_counts(user, root, start, end),
            "items_url": list_url("activities:innovations", **items),
            "adopted_url": list_url("activities:innovations", adopted="true", **items),
            "rewarded_url": list_url("activities:innovations", rewarded="true", **items),
        }
    return out


@perm_required(Perm.ORG_VIEW)
def figures(request: HttpRequest) -> HttpResponse:
    """活动统计: events held (reviewed), by grassroots unions, participations and distinct persons for a
    subtree and period; each figure links to the rows it counts."""
    today = timezone.localdate()
    params = request.GET if "start" in request.GET else None
    form = FiguresForm(params, user=request.user, initial={"start": date(today.year, 1, 1), "end": today})
    result = None
    if form.is_bound and form.is_valid():
        root, start, end = form.cleaned_data["root"], form.cleaned_data["start"], form.cleaned_data["end"]
        base = {"subtree": root.code, "held_from": start.isoformat(), "held_to": end.isoformat(), "state": "reviewed"}
        result = {
            "figures": selectors.event_figures(request.user, root=root, start=start, end=end),
            "root": root,
            "events_url": list_url("activities:list", **base),
            "grassroots_url": list_url("activities:list", grassroots="true", **base),
            "people_url": list_url("activities:registrations", attended="true", **base),
            **_studio_and_innovation_figures(request.user, root, start, end),
        }
    return render(request, "activities/figures.html", {"form": form, "result": result})

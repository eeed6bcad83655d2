"""顺义工匠 pages: the nominations list (and its export) with the form opening a year's selection, the
selection's page with each step's form (nominate, close, score, publish, objections, award), and the
step endpoint. Thin: the rules live in ``activities.craftsmen_services``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from activities import craftsmen_services as cs
from activities.craftsmen import CraftsmanSelection, Nomination, NominationScore, Objection
from activities.filtersets import NominationFilterSet
from activities.tables import NominationTable
from core.forms import StyledFormMixin
from core.lists import ListPage
from core.views import add_refusal_message
from members.models import Person
from members.services import id_index
from orgs.models import Organisation
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, scoped
from orgs.web import perm_required

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SelectionOpenForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label="评选年度", min_value=2000, max_value=2100)
    quota = forms.IntegerField(label="评选名额", min_value=1, max_value=cs.MAX_QUOTA)
    nominations_close = forms.DateField(label="推荐截止日期", widget=DATE)


class NominationForm(StyledFormMixin, forms.Form):
    union = forms.ModelChoiceField(label="推荐工会", queryset=Organisation.objects.none())
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(label="身份证号", max_length=18)
    trade = forms.CharField(label="工种/岗位", max_length=60)
    deeds = forms.CharField(label="主要事迹", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, unions: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class PublishForm(StyledFormMixin, forms.Form):
    notice_starts = forms.DateField(label="公示开始日期", widget=DATE)
    notice_ends = forms.DateField(label="公示结束日期", widget=DATE)


class ObjectionForm(StyledFormMixin, forms.Form):
    nomination = forms.IntegerField(label="被异议人", widget=forms.HiddenInput, min_value=1, max_value=2**62)
    received_on = forms.DateField(label="收到日期", widget=DATE)
    objector = forms.CharField(label="异议人/来源", max_length=60, required=False)
    content = forms.CharField(label="异议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(StyledFormMixin, forms.Form):
    objection = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    upheld = forms.TypedChoiceField(
        label="核查结论", choices=[("0", "异议不成立"), ("1", "异议成立（撤销推荐）")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="核查说明", max_length=300)


class AwardDateForm(StyledFormMixin, forms.Form):
    awarded_on = forms.DateField(label="授予日期", widget=DATE)


def nominating_unions(user: Any) -> QuerySet[Organisation]:
    """The unions the user may nominate for (their ``activities.manage`` scope, no partners)."""
    rows = scoped(user, Perm.ACTIVITY_MANAGE, Organisation.objects.filter(status=Organisation.Status.ACTIVE))
    return rows.exclude(kind__in=Organisation.PARTNER_KINDS).order_by("path")


class NominationList(ListPage):
    """顺义工匠推荐: the nominations of the user's subtree, by year and outcome."""

    title = "顺义工匠评选"
    noun = "推荐"
    unit = "人"
    table_class = NominationTable
    filterset_class = NominationFilterSet
    perm = Perm.ORG_VIEW
    export_perm = Perm.MEMBER_EXPORT
    ordering = ("-selection__year", "rank", "pk")
    aside_template = "activities/_selections_aside.html"
    side_form_title = "发起年度评选（区总工会）"
    side_form_submit = "发起评选"
    testid = "nomination-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Nomination]:
        return scoped(request.user, perm, Nomination.objects.select_related("selection", "person", "union"))

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        visible = scoped(request.user, Perm.ORG_VIEW, CraftsmanSelection.objects.all())
        selections = visible.annotate(nominees=Count("nominations")).order_by("-year")[:10]
        return {"selections": list(selections)}

    def side_form(self, request: HttpRequest) -> SelectionOpenForm | None:
        root = Organisation.objects.filter(kind=Organisation.Kind.DISTRICT).first()
        if root is None or not can_at(request.user, Perm.ACTIVITY_MANAGE, root):
            return None
        initial = {"year": timezone.localdate().year, "nominations_close": timezone.localdate() + timedelta(days=30)}
        return SelectionOpenForm(request.POST or None, initial=initial)

    def side_form_save(self, request: HttpRequest, form: SelectionOpenForm) -> str:
        root = Organisation.objects.get(kind=Organisation.Kind.DISTRICT)
        selection = cs.selection_open(actor=request.user, organiser=root, **form.cleaned_data)
        return f"已发起{selection}"


nomination_list = NominationList.as_view()


def _selection(request: HttpRequest, pk: int) -> CraftsmanSelection:
    """The district sees its selections; every union sees one while it calls for nominations
    (``CraftsmanSelection.data_scope``). Nominations are shown by the viewer's scope."""
    return get_scoped_or_404(request.user, Perm.ORG_VIEW, CraftsmanSelection.objects.select_related("organiser"), pk=pk)


@perm_required(Perm.ORG_VIEW)
def selection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selection = _selection(request, pk)
    user = request.user
    is_reviewer = can_at(user, Perm.ACTIVITY_REVIEW, selection.organiser)
    can_manage = can_at(user, Perm.ACTIVITY_MANAGE, selection.organiser)
    nominations = scoped(user, Perm.ORG_VIEW, selection.nominations.select_related("person", "union")).annotate(
        score_count=Count("scores")
    )
    nominations = nominations.prefetch_related(
        Prefetch("objections", queryset=Objection.objects.order_by("received_on", "pk"))
    )
    mine = {}
    if is_reviewer:
        own = NominationScore.objects.filter(nomination__selection=selection, reviewer=user)
        mine = dict(own.values_list("nomination_id", "score"))
    rows = list(nominations.order_by("rank", "pk"))
    for n in rows:
        n.my_score = mine.get(n.pk)
    unions = nominating_unions(user)
    today = timezone.localdate()
    context = {
        "selection": selection,
        "nominations": rows,
        "is_reviewer": is_reviewer,
        "can_manage": can_manage,
        "can_nominate": selection.state == CraftsmanSelection.State.NOMINATING and unions.exists(),
        "nomination_form": NominationForm(unions=unions),
        "publish_form": PublishForm(initial={"notice_starts": today, "notice_ends": today + timedelta(days=6)}),
        "award_form": AwardDateForm(initial={"awarded_on": today}),
        "notice_over": selection.notice_ends is not None and today > selection.notice_ends,
        "min_reviewers": cs.MIN_REVIEWERS,
        "today": today,
    }
    return render(request, "activities/selection.html", context)


STEPS = ("nominate", "close", "score", "publish", "objection", "decide", "award")


def _nomination(selection: CraftsmanSelection, raw: Any) -> Nomination:
    text = str(raw or "")
    if not text.isdigit() or len(text) > 18:
        raise ValidationError("请选择被推荐人")
    found = selection.nominations.select_related("selection", "person").filter(pk=int(text)).first()
    if found is None:
        raise ValidationError("未找到该推荐")
    return found


def _valid(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError(
            "；".join(f"{form.fields[k].label or k}：{m}" for k, ms in form.errors.items() for m in ms)
        )
    return form.cleaned_data


@require_POST
@perm_required(Perm.ORG_VIEW)
def selection_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step posted from the selection's page; every refusal is a message and changes nothing."""
    if step not in STEPS:
        raise Http404
    selection = _selection(request, pk)
    user = request.user
    try:
        if step == "nominate":
            data = _valid(NominationForm(request.POST, unions=nominating_unions(user)))
            person = Person.objects.filter(id_number_index=id_index(data["id_number"].strip().upper())).first()
            if person is None or person.name != data["name"].strip():
                # the same words as a person outside the union: nothing is told about people out of scope
                raise ValidationError(
                    f"{data['name']}不是{data['union'].name}（含下级）的在册会员，或姓名与身份证号不符"
                )
            cs.nomination_add(
                actor=user, selection=selection, union=data["union"], person=person, trade=data["trade"],
                deeds=data["deeds"],
            )  # fmt: skip
            done = f"已推荐{person.name}"
        elif step == "close":
            cs.nominations_close(actor=user, selection=selection)
            done = "推荐已截止，进入评审"
        elif step == "score":
            saved = 0
            for key, raw in request.POST.items():
                if key.startswith("score-") and str(raw).strip():
                    nomination = _nomination(selection, key[6:])
                    cs.score_record(actor=user, nomination=nomination, score=raw)
                    saved += 1
            if not saved:
                raise ValidationError("请至少填写一项评分")
            done = f"已保存 {saved} 项评分"
        elif step == "publish":
            data = _valid(PublishForm(request.POST))
            cs.shortlist_publish(actor=user, selection=selection, **data)
            done = "已按综合得分排序并发布公示"
        elif step == "objection":
            data = _valid(ObjectionForm(request.POST))
            nomination = _nomination(selection, data.pop("nomination"))
            cs.objection_record(actor=user, nomination=nomination, **data)
            done = "异议已登记，待核查"
        elif step == "decide":
            data = _valid(DecideForm(request.POST))
            objection = Objection.objects.filter(pk=data["objection"], nomination__selection=selection).first()
            if objection is None:
                raise ValidationError("未找到该异议")
            cs.objection_decide(actor=user, objection=objection, upheld=data["upheld"], note=data["note"])
            done = "核查结论已记录" + ("，该推荐已撤销" if data["upheld"] else "")
        else:
            data = _valid(AwardDateForm(request.POST))
            honours = cs.selection_award(actor=user, selection=selection, awarded_on=data["awarded_on"])
            done = f"已授予 {len(honours)} 人“顺义工匠”称号，已记入会员荣誉"
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, done)
    return redirect("activities:selection", pk=selection.pk)

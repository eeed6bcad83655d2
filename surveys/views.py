"""Survey pages: the back office (list, draw up, send, results) and the worker's answer page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.lists import ListPage
from core.views import add_refusal_message, form_submit
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.web import audited_export, perm_required
from surveys import selectors, services
from surveys.filtersets import SurveyFilterSet
from surveys.forms import QuestionForm, SurveyForm
from surveys.models import Survey
from surveys.tables import SurveyTable


class SurveyList(ListPage):
    """问卷调查: the questionnaires of the user's scope."""

    title = "问卷调查"
    noun = "问卷"
    unit = "份"
    table_class = SurveyTable
    filterset_class = SurveyFilterSet
    perm = Perm.SURVEY_VIEW
    export_perm = Perm.SURVEY_VIEW
    ordering = ("-created_at", "-id")
    create = ("surveys:create", "新建问卷", Perm.SURVEY_MANAGE)
    testid = "survey-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Survey]:
        return selectors.visible_surveys(request.user, perm)


survey_list = SurveyList.as_view()


@perm_required(Perm.SURVEY_MANAGE)
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None, user=request.user)
    done = form_submit(
        request,
        form,
        lambda cd: services.survey_create(actor=request.user, **cd),
        done="问卷已创建，请添加题目后发放",
        to=lambda survey: reverse("surveys:detail", args=[survey.pk]),
    )
    return done or render(request, "surveys/form.html", {"form": form})


def _survey(request: HttpRequest, pk: int) -> Survey:
    return get_scoped_or_404(request.user, Perm.SURVEY_VIEW, Survey.objects.select_related("organisation"), pk=pk)


@perm_required(Perm.SURVEY_VIEW)
def survey_detail(request: HttpRequest, pk: int, question_form: QuestionForm | None = None) -> HttpResponse:
    survey = _survey(request, pk)
    can_manage = can_at(request.user, Perm.SURVEY_MANAGE, survey.organisation)
    if question_form is None and can_manage and survey.state == Survey.State.DRAFT:
        question_form = QuestionForm(survey=survey)
    rates = selectors.response_rates(survey)
    sent = sum(r.sent for r in rates)
    answered = sum(r.answered for r in rates)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": list(survey.questions.select_related("condition_on").order_by("position")),
            "can_manage": can_manage,
            "question_form": question_form,
            "rates": rates,
            "sent": sent,
            "answered": answered,
            "rate": selectors.rate(answered, sent),
            "results": selectors.survey_results(survey) if survey.state != Survey.State.DRAFT else None,
        },
    )


@require_POST
@perm_required(Perm.SURVEY_MANAGE)
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_scoped_or_404(request.user, Perm.SURVEY_MANAGE, Survey.objects.all(), pk=pk)
    form = QuestionForm(request.POST, survey=survey)
    done = form_submit(
        request,
        form,
        lambda _: services.question_add(actor=request.user, survey=survey, **form.service_kwargs()),
        done="题目已添加",
        to=lambda _: reverse("surveys:detail", args=[pk]),
    )
    return done or survey_detail(request, pk, question_form=form)


ACTIONS = {"send": services.survey_send, "close": services.survey_close}
DONE = {"send": "问卷已发放", "close": "问卷已结束"}


@require_POST
@perm_required(Perm.SURVEY_MANAGE)
def survey_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    survey = get_scoped_or_404(request.user, Perm.SURVEY_MANAGE, Survey.objects.all(), pk=pk)
    if action not in ACTIONS:
        raise Http404("没有这个操作")
    try:
        ACTIONS[action](actor=request.user, survey=survey)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, DONE[action])
    return redirect("surveys:detail", pk=survey.pk)


@perm_required(Perm.SURVEY_VIEW)
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The results as a workbook: one row per option / score / statistic, then the response rates."""
    survey = _survey(request, pk)
    results = selectors.survey_results(survey, texts_limit=10_000)
    rows: list[list[object]] = []
    if not results.hidden:
        for r in results.questions:
            q = r.question
            head = [q.position, q.text, q.get_kind_display(), r.answered]
            for o in r.options:
                rows.append([*head, o.label, o.count, o.share])
            if r.mean is not None:
                rows.append([*head, "平均值", None, r.mean])
            for text in r.texts:
                rows.append([*head, text, None, None])
    for org in selectors.response_rates(survey):
        rows.append([None, "答卷率", org.name, org.sent, "已答", org.answered, org.rate])
    return audited_export(
        request,
        what=f"问卷结果：{survey.title}",
        filename=f"问卷结果-{survey.pk}.xlsx",
        headers=["题号", "题目", "题型", "作答人数", "选项/统计", "人数", "占比(%)/数值"],
        rows=rows,
        count=len(rows),
    )


# --- the worker's pages (portal) -----------------------------------------------------------------


@perm_required(Perm.SURVEY_ANSWER, own_records=True)
def my_surveys(request: HttpRequest) -> HttpResponse:
    return render(request, "surveys/portal_list.html", {"invitations": list(selectors.my_invitations(request.user))})


@perm_required(Perm.SURVEY_ANSWER, own_records=True)
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_scoped_or_404(
        request.user, Perm.SURVEY_ANSWER, selectors.my_invitations(request.user), survey__pk=pk
    )
    survey = invitation.survey
    questions = list(survey.questions.order_by("position"))
    errors: dict[str, list[str]] = {}
    raw: dict[int, list[str]] = {}
    if request.method == "POST" and not invitation.answered:
        raw = {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}
        try:
            services.response_submit(actor=request.user, survey=survey, raw=raw)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        except PermissionDenied as exc:
            errors = {"__all__": [str(exc)]}
        else:
            messages.success(request, "感谢您的参与，问卷已提交")
            return redirect("survey_portal:list")
    return render(
        request,
        "surveys/portal_answer.html",
        {
            "survey": survey,
            "invitation": invitation,
            "items": [(q, raw.get(q.pk, []), errors.get(f"q{q.pk}", [])) for q in questions],
            "form_errors": errors.get("__all__", []),
            "open": survey.state == Survey.State.OPEN and not invitation.answered,
        },
    )

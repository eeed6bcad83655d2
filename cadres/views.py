"""Cadres pages: thin views over the selectors and services."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django_fsm import can_proceed

from cadres import selectors, services
from cadres.filtersets import (
    ClassFilterSet,
    CoverageFilterSet,
    PostFilterSet,
    RecordFilterSet,
    RecruitmentFilterSet,
    StaffingFilterSet,
    WorkerFilterSet,
)
from cadres.forms import (
    ApplicantForm,
    AssignForm,
    AttendanceForm,
    ClassForm,
    EndForm,
    EvaluationForm,
    InterviewerForm,
    InviteForm,
    PostForm,
    RecruitmentForm,
    ReviewForm,
    ScoreForm,
    WorkerForm,
)
from cadres.models import Application, Cadre, PayGrade, Post, Recruitment, SocialWorker, TrainingClass
from cadres.tables import (
    ClassTable,
    CoverageTable,
    PostTable,
    RecordTable,
    RecruitmentTable,
    StaffingTable,
    WorkerTable,
)
from core.filters import YearField
from core.lists import ListPage
from core.models import User
from core.views import add_refusal_message, add_validation_errors
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404, has_perm, scoped
from orgs.web import perm_required


class CadreList(ListPage):
    """The cadres lists: opened and exported by whoever holds ``cadres.view`` (rows scoped by it)."""

    perm = Perm.CADRE_VIEW
    export_perm = Perm.CADRE_VIEW


# --- posts -------------------------------------------------------------------------------------------


class PostList(CadreList):
    """工会干部任职: every post of the user's scope (dated history), and the form recording one."""

    title = "工会干部任职"
    noun = "任职记录"
    table_class = PostTable
    filterset_class = PostFilterSet
    filter_defaults = {"current": "true"}
    ordering = ("organisation__path", "role", "started_on", "pk")
    side_form_title = "登记任职"
    side_form_submit = "登记"
    testid = "post-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Post]:
        return selectors.visible_posts(request.user, perm)

    def side_form(self, request: HttpRequest) -> PostForm | None:
        if not has_perm(request.user, Perm.CADRE_MANAGE):
            return None
        return PostForm(request.POST or None, user=request.user, initial={"started_on": timezone.localdate()})

    def side_form_save(self, request: HttpRequest, form: PostForm) -> str:
        data = dict(form.cleaned_data)
        organisation, name = data.pop("organisation"), data.pop("name")
        cadre = Cadre.objects.filter(organisation=organisation, name=name.strip()).first() or services.cadre_register(
            actor=request.user, organisation=organisation, name=name
        )
        post = services.post_start(actor=request.user, organisation=organisation, cadre=cadre, **data)
        return f"已登记：{post}"


post_list = PostList.as_view()


@perm_required(Perm.CADRE_VIEW)
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_scoped_or_404(request.user, Perm.CADRE_VIEW, Post.objects.select_related("organisation", "cadre"), pk=pk)
    may_end = post.ended_on is None and can_at(request.user, Perm.CADRE_MANAGE, post.organisation)
    form = EndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST":
        if not may_end:
            raise PermissionDenied("您无权办理该职务离任")
        if form.is_valid():
            try:
                services.post_end(actor=request.user, post=post, **form.cleaned_data)
            except ValidationError as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, f"已办理离任：{post}")
                return redirect("cadres:posts")
    history = post.organisation.posts.select_related("cadre").order_by("role", "-started_on")
    return render(request, "cadres/post_end.html", {"post": post, "form": form, "may_end": may_end, "history": history})


class StaffingList(CadreList):
    """干部配备: the unions of the scope with the required posts and the full-time vice-chair rule."""

    title = "干部配备情况"
    noun = "组织"
    unit = "个"
    table_class = StaffingTable
    filterset_class = StaffingFilterSet
    filter_defaults = {"problem": "vacant"}
    testid = "staffing-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Any]:
        return selectors.union_posts_status(request.user)


staffing_list = StaffingList.as_view()

# --- social workers ------------------------------------------------------------------------------


class RecruitmentList(CadreList):
    title = "社工招聘"
    noun = "招聘"
    unit = "次"
    table_class = RecruitmentTable
    filterset_class = RecruitmentFilterSet
    ordering = ("-opened_on", "-pk")
    side_form_title = "发布招聘"
    side_form_submit = "发布"
    testid = "recruitment-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Recruitment]:
        return selectors.visible_recruitments(request.user)

    def side_form(self, request: HttpRequest) -> RecruitmentForm | None:
        if not has_perm(request.user, Perm.SOCIAL_WORKER_MANAGE):
            return None
        return RecruitmentForm(request.POST or None, user=request.user, initial={"opened_on": timezone.localdate()})

    def side_form_save(self, request: HttpRequest, form: RecruitmentForm) -> str:
        r = services.recruitment_open(actor=request.user, **form.cleaned_data)
        return f"已发布招聘：{r.title}（请在详情页指定面试官）"


recruitment_list = RecruitmentList.as_view()

STEPS = {
    "close": (services.applications_close, "close_applications", "截止报名，进入资格审查"),
    "written": (services.written_test_start, "start_written", "资格审查完成，进入笔试"),
    "interview": (services.interview_start, "start_interview", "笔试完成，进入面试"),
    "rank": (services.ranking_publish, "rank", "面试结束，计算成绩并排名"),
    "notice": (services.notice_publish, "publish_notice", "发布拟聘用人员公示"),
    "hire": (services.hiring_confirm, "hire", "公示期满，确认聘用"),
}


def _usernames(text: str) -> list[str]:
    return [u for u in re.split(r"[\s,，、]+", text.strip()) if u][:20]


@perm_required(Perm.CADRE_VIEW)
def recruitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = get_scoped_or_404(request.user, Perm.CADRE_VIEW, Recruitment.objects.select_related("organisation"), pk=pk)
    manage = can_at(request.user, Perm.SOCIAL_WORKER_MANAGE, r.organisation)
    forms: dict[str, Any] = {
        "applicant": ApplicantForm(initial={"applied_on": timezone.localdate()}),
        "interviewer_form": InterviewerForm(
            initial={"usernames": " ".join(r.interviewers.values_list("username", flat=True))}
        ),
    }
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您无权管理该招聘")
        action = request.POST.get("action", "")
        try:
            done = _recruitment_post(request, r, action, forms)
        except ValidationError as exc:
            add_refusal_message(request, exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("cadres:recruitment_detail", pk=r.pk)
    r.refresh_from_db()
    steps = [(key, label) for key, (_f, name, label) in STEPS.items() if can_proceed(getattr(r, name))]
    return render(
        request,
        "cadres/recruitment_detail.html",
        {
            "r": r,
            "manage": manage,
            "steps": steps,
            "applications": selectors.applications_of(r),
            "interviewers": r.interviewers.all(),
            "is_interviewer": r.interviewers.filter(pk=request.user.pk).exists(),
            **forms,
        },
    )


def _recruitment_post(request: HttpRequest, r: Recruitment, action: str, forms: dict[str, Any]) -> str:
    """One action of the recruitment page; returns the success message ("" when a form shows errors)."""
    actor = request.user
    if action in STEPS:
        func, _name, label = STEPS[action]
        func(actor=actor, recruitment=r)
        return f"已完成：{label}"
    if action == "applicant":
        form = forms["applicant"] = ApplicantForm(request.POST)
        if not form.is_valid():
            return ""
        a = services.application_add(actor=actor, recruitment=r, **form.cleaned_data)
        return f"已登记报名：{a.name}"
    if action == "interviewers":
        form = forms["interviewer_form"] = InterviewerForm(request.POST)
        if not form.is_valid():
            return ""
        names = _usernames(form.cleaned_data["usernames"])
        users = list(User.objects.filter(username__in=names, is_active=True))
        unknown = sorted(set(names) - {u.username for u in users})
        if unknown:
            raise ValidationError(f"以下账号不存在或已停用：{'、'.join(unknown)}")
        services.interviewers_set(actor=actor, recruitment=r, interviewers=users)
        return f"已指定面试官 {len(users)} 名"
    application = _application(request, r)
    if action == "review":
        form = ReviewForm(request.POST)
        if not form.is_valid():
            raise ValidationError("请选择审查结论")
        services.eligibility_review(
            actor=actor, application=application, eligible=form.cleaned_data["eligible"], note=form.cleaned_data["note"]
        )
        return f"已记录资格审查：{application.name}"
    if action == "written_score":
        services.written_score_record(actor=actor, application=application, score=request.POST.get("score", ""))
        return f"已录入笔试成绩：{application.name}"
    raise Http404("未知操作")


def _application(request: HttpRequest, r: Recruitment) -> Application:
    raw = request.POST.get("application", "")
    if not raw.isdigit() or len(raw) > 10:
        raise Http404("未找到该报名人")
    application = r.applications.select_related("recruitment").filter(pk=int(raw)).first()
    if application is None:
        raise Http404("未找到该报名人")
    return application


def recruitment_score(request: HttpRequest, pk: int) -> HttpResponse:
    """面试评分: for the recruitment's named interviewers only; each sees only their own scores until
    they submit theirs (``selectors.scores_visible_to``)."""
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    r = selectors.interviewing_for(request.user).filter(pk=pk).first()
    if r is None:
        raise Http404("未找到该招聘，或您不是其面试官")
    if request.method == "POST":
        form = ScoreForm(request.POST)
        if not form.is_valid():
            messages.error(request, "评分须为 0 到 100 之间的数字")
        else:
            application = (
                r.applications.select_related("recruitment").filter(pk=form.cleaned_data["application"]).first()
            )
            if application is None:
                raise Http404("未找到该考生")
            try:
                services.interview_score_submit(
                    actor=request.user, application=application, score=form.cleaned_data["score"]
                )
            except ValidationError as exc:
                add_refusal_message(request, exc)
            else:
                messages.success(request, f"已提交对“{application.name}”的评分")
                return redirect("cadres:recruitment_score", pk=r.pk)
    return render(
        request, "cadres/recruitment_score.html", {"r": r, "sheets": selectors.scores_visible_to(request.user, r)}
    )


class WorkerList(CadreList):
    title = "专职工会社会工作者"
    noun = "社工"
    unit = "名"
    table_class = WorkerTable
    filterset_class = WorkerFilterSet
    ordering = ("organisation__path", "name", "pk")
    testid = "worker-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[SocialWorker]:
        return selectors.visible_workers(request.user, perm)


worker_list = WorkerList.as_view()


@perm_required(Perm.CADRE_VIEW)
def worker_detail(request: HttpRequest, pk: int) -> HttpResponse:
    worker = get_scoped_or_404(
        request.user, Perm.CADRE_VIEW, SocialWorker.objects.select_related("organisation", "user", "pay_grade"), pk=pk
    )
    manage = can_at(request.user, Perm.SOCIAL_WORKER_MANAGE, worker.organisation)
    grades = PayGrade.objects.filter(organisation__path__in=_ancestor_paths(worker.organisation.path)).order_by("code")
    forms: dict[str, Any] = {
        "worker_form": WorkerForm(
            grades=grades,
            initial={"username": worker.user.username if worker.user else "", "pay_grade": worker.pay_grade_id},
        ),
        "assign_form": AssignForm(user=request.user, initial={"started_on": timezone.localdate()}),
        "evaluation_form": EvaluationForm(initial={"year": timezone.localdate().year}),
        "end_form": EndForm(initial={"ended_on": timezone.localdate()}),
    }
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您无权管理该社工")
        try:
            done = _worker_post(request, worker, grades, forms)
        except ValidationError as exc:
            add_refusal_message(request, exc)
        else:
            if done:
                messages.success(request, done)
                return redirect("cadres:worker_detail", pk=worker.pk)
    worker.refresh_from_db()
    return render(
        request,
        "cadres/worker_detail.html",
        {
            "worker": worker,
            "manage": manage,
            "assignments": selectors.assignments_of(worker),
            "evaluations": selectors.evaluations_of(worker),
            "on_probation": worker.stage == SocialWorker.Stage.PROBATION,
            "dismissed": worker.stage == SocialWorker.Stage.DISMISSED,
            **forms,
        },
    )


def _ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def _worker_post(request: HttpRequest, worker: SocialWorker, grades: QuerySet[PayGrade], forms: dict[str, Any]) -> str:
    actor, action = request.user, request.POST.get("action", "")
    if action == "update":
        form = forms["worker_form"] = WorkerForm(request.POST, grades=grades)
        if not form.is_valid():
            return ""
        username = form.cleaned_data["username"].strip()
        user = User.objects.filter(username=username, is_active=True).first() if username else None
        if username and user is None:
            raise ValidationError(f"账号“{username}”不存在或已停用")
        services.social_worker_update(actor=actor, worker=worker, user=user, pay_grade=form.cleaned_data["pay_grade"])
        return "已保存"
    if action == "assign":
        form = forms["assign_form"] = AssignForm(request.POST, user=request.user)
        if not form.is_valid():
            return ""
        a = services.assignment_start(actor=actor, worker=worker, request=request, **form.cleaned_data)
        return f"已指派服务“{a.organisation.name}”，并成为其联络人"
    if action == "end_assignment":
        form = forms["end_form"] = EndForm(request.POST)
        raw = request.POST.get("assignment", "")
        assignment = worker.assignments.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) <= 10 else None
        if assignment is None:
            raise Http404("未找到该指派")
        if not form.is_valid():
            return ""
        services.assignment_end(actor=actor, assignment=assignment, request=request, **form.cleaned_data)
        return f"已结束对“{assignment.organisation.name}”的服务"
    if action == "evaluate":
        form = forms["evaluation_form"] = EvaluationForm(request.POST)
        if not form.is_valid():
            return ""
        services.evaluation_record(actor=actor, worker=worker, **form.cleaned_data)
        return "已录入年度评价"
    if action in ("probation_pass", "probation_fail"):
        services.probation_conclude(
            actor=actor, worker=worker, passed=action == "probation_pass", reason=request.POST.get("reason", "")
        )
        return "已记录试用期考核"
    if action == "dismiss":
        services.social_worker_dismiss(actor=actor, worker=worker, reason=request.POST.get("reason", ""))
        return "已解聘"
    raise Http404("未知操作")


# --- training ------------------------------------------------------------------------------------


class ClassList(CadreList):
    title = "干部教育培训"
    noun = "培训班"
    unit = "个"
    table_class = ClassTable
    filterset_class = ClassFilterSet
    ordering = ("-starts_on", "-pk")
    side_form_title = "登记培训班"
    side_form_submit = "登记"
    testid = "class-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[TrainingClass]:
        return selectors.visible_classes(request.user)

    def side_form(self, request: HttpRequest) -> ClassForm | None:
        if not has_perm(request.user, Perm.TRAINING_MANAGE):
            return None
        return ClassForm(request.POST or None, user=request.user)

    def side_form_save(self, request: HttpRequest, form: ClassForm) -> str:
        k = services.training_class_create(actor=request.user, **form.cleaned_data)
        return f"已登记培训班：{k.title}"


class_list = ClassList.as_view()


def _year(request: HttpRequest, key: str = "year") -> int:
    raw = request.GET.get(key, "") or request.POST.get(key, "")
    try:
        return YearField().clean(raw) if raw else timezone.localdate().year
    except ValidationError:
        return timezone.localdate().year


@perm_required(Perm.CADRE_VIEW)
def class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    k = get_scoped_or_404(request.user, Perm.CADRE_VIEW, TrainingClass.objects.select_related("organisation"), pk=pk)
    manage = can_at(request.user, Perm.TRAINING_MANAGE, k.organisation)
    year = _year(request)
    untrained = selectors.untrained_cadres(request.user, year, k.organisation) if manage else []
    already = set(k.attendances.values_list("cadre_id", flat=True))
    to_invite = [c for c in untrained if c.pk not in already]
    invite_form = InviteForm(initial={"year": year})
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("您无权管理该培训班")
        action = request.POST.get("action", "")
        try:
            if action == "invite":
                invite_form = InviteForm(request.POST)
                if invite_form.is_valid():
                    n = services.untrained_invite(actor=request.user, training_class=k, cadres=to_invite)
                    messages.success(request, f"已邀请 {n} 名未训干部" if n else "没有需要邀请的干部（已全部在名单中）")
                    return redirect(f"{request.path}?year={year}")
            elif action == "attendance":
                form = AttendanceForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请选择状态并填写有效的结业日期")
                cadre = scoped(
                    request.user, Perm.CADRE_VIEW, Cadre.objects.filter(pk=form.cleaned_data["cadre"])
                ).first()
                if cadre is None:
                    raise Http404("未找到该干部")
                services.attendance_record(
                    actor=request.user,
                    training_class=k,
                    cadre=cadre,
                    status=form.cleaned_data["status"],
                    completed_on=form.cleaned_data["completed_on"],
                )
                messages.success(request, f"已更新：{cadre.name}")
                return redirect(f"{request.path}?year={year}")
            else:
                raise Http404("未知操作")
        except ValidationError as exc:
            add_refusal_message(request, exc)
    return render(
        request,
        "cadres/class_detail.html",
        {
            "k": k,
            "manage": manage,
            "year": year,
            "attendances": selectors.attendances_of(request.user, k),
            "to_invite": to_invite,
            "invite_form": invite_form,
            "statuses": AttendanceForm.base_fields["status"].choices,
            "ended": k.ends_on < timezone.localdate(),
        },
    )


class RecordList(CadreList):
    title = "干部培训记录"
    noun = "培训记录"
    table_class = RecordTable
    filterset_class = RecordFilterSet
    ordering = ("-training_class__starts_on", "organisation__path", "pk")
    testid = "record-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Any]:
        return selectors.visible_attendances(request.user)


record_list = RecordList.as_view()


class CoverageList(CadreList):
    """每名基层工会干部每年培训一次: who of the year and subtree is trained, who not yet."""

    title = "年度培训覆盖"
    noun = "基层工会干部"
    unit = "名"
    table_class = CoverageTable
    filterset_class = CoverageFilterSet
    ordering = ("organisation__path", "cadre__name", "pk")
    template_name = "cadres/coverage.html"
    testid = "coverage-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Post]:
        return selectors.coverage(request.user, _year(request))

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        year = _year(request)
        # the figures of the chosen subtree (and name search aside, of the whole year's list)
        params = request.GET.copy()
        params.pop("trained", None)
        params.pop("q", None)
        filterset = CoverageFilterSet(params, queryset=selectors.coverage(request.user, year), request=request)
        rows = filterset.qs if filterset.is_valid() else selectors.coverage(request.user, year).none()
        return {"figures": selectors.coverage_figures(rows, year), "year": year}


coverage_list = CoverageList.as_view()

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.filtersets import AuditEventFilterSet, UserFilterSet
from accounts.forms import (
    CalendarYearForm,
    ChangePasswordForm,
    GrantForm,
    LoginForm,
    PasswordResetForm,
    UserCreateForm,
)
from accounts.history import HISTORY_MODELS, history_rows
from accounts.tables import AuditEventTable, UserTable
from core import workdays
from core.audit import audit_log
from core.lists import ListPage
from core.models import AuditEvent, User
from core.views import add_refusal_message, add_validation_errors, paginate, query_without, require
from orgs.models import RoleAssignment
from orgs.roles import Perm
from orgs.scope import is_portal_user
from orgs.services import grantable_roles, role_grant, role_revoke
from orgs.web import perm_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Where a sign-in without ``next`` lands: a worker in the portal, everyone else on the workbench."""
        return reverse("portal:home") if is_portal_user(self.request.user) else super().get_default_redirect_url()


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        services.user_password_changed(account=user)
        update_session_auth_hash(self.request, user)
        audit_log(AuditEvent.Kind.PASSWORD_CHANGED, user=user, request=self.request, summary="本人修改密码")
        messages.success(self.request, "密码已修改")
        return response


class UserList(ListPage):
    """用户与角色: the accounts this manager may manage (accounts.selectors.manageable_users)."""

    title = "用户与角色"
    noun = "账号"
    unit = "个"
    table_class = UserTable
    filterset_class = UserFilterSet
    perm = Perm.USER_MANAGE
    export_perm = Perm.USER_MANAGE
    ordering = ("username",)
    create = ("accounts:user_create", "新建账号", Perm.USER_MANAGE)
    testid = "user-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[User]:
        return selectors.manageable_users(request.user).prefetch_related("role_assignments__organisation")


user_list = UserList.as_view()


@perm_required(Perm.USER_MANAGE)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, roles=grantable_roles(request.user), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.user_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                role=data["role"],
                organisation=data["organisation"],
                scope=data["scope"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已新建账号 {account.username}")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _account(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(selectors.manageable_users(request.user), pk=pk)


@perm_required(Perm.USER_MANAGE)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    grant_form = GrantForm(request.POST or None, roles=grantable_roles(request.user), user=request.user)
    if request.method == "POST" and grant_form.is_valid():
        data = grant_form.cleaned_data
        try:
            role_grant(
                actor=request.user,
                user=account,
                role=data["role"],
                organisation=data["organisation"],
                scope=data["scope"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(grant_form, exc)
        else:
            messages.success(request, "已授予角色")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "assignments": selectors.visible_assignments(request.user, account),
            "grant_form": grant_form,
            "reset_form": PasswordResetForm(),
        },
    )


@require_POST
@perm_required(Perm.USER_MANAGE)
def user_revoke(request: HttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    account = _account(request, pk)
    assignment = get_object_or_404(selectors.visible_assignments(request.user, account), pk=assignment_id)
    try:
        role_revoke(actor=request.user, assignment=assignment)
        messages.success(request, "已撤销角色")
    except PermissionDenied as exc:
        add_refusal_message(request, exc)
    return redirect("accounts:user_detail", pk=account.pk)


@require_POST
@perm_required(Perm.USER_MANAGE)
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    account = _account(request, pk)
    try:
        if action == "reset_password":
            form = PasswordResetForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写新密码")
            services.user_set_password(actor=request.user, account=account, password=form.cleaned_data["password"])
            messages.success(request, "密码已重置，该用户下次登录须修改密码")
        elif action in {"activate", "deactivate"}:
            services.user_set_active(actor=request.user, account=account, active=action == "activate")
            messages.success(request, "账号已启用" if action == "activate" else "账号已停用")
        elif action == "unlock":
            services.user_unlock(actor=request.user, account=account)
            messages.success(request, "已解除登录锁定")
        else:
            raise Http404
    except ValidationError as exc:
        add_refusal_message(request, exc)
    return redirect("accounts:user_detail", pk=account.pk)


def _district_auditor(user) -> bool:
    return selectors.is_district_wide(user, Perm.AUDIT_VIEW)


class AuditList(ListPage):
    """安全审计: the append-only security events, for district-wide auditors."""

    title = "安全审计"
    noun = "审计记录"
    table_class = AuditEventTable
    filterset_class = AuditEventFilterSet
    perm = Perm.AUDIT_VIEW
    export_perm = Perm.AUDIT_VIEW
    ordering = ("-at", "-id")
    template_name = "accounts/audit.html"
    testid = "audit-table"

    @classmethod
    def guard(cls, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        return require(_district_auditor)(view)

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.all()


audit = AuditList.as_view()


@require(_district_auditor)
def history(request: HttpRequest) -> HttpResponse:
    model_key = request.GET.get("model") or next(iter(HISTORY_MODELS))
    if model_key not in HISTORY_MODELS:
        raise Http404
    page = paginate(request, history_rows(model_key, request.GET.get("user", "")))
    return render(
        request,
        "accounts/history.html",
        {
            "models": HISTORY_MODELS,
            "model_key": model_key,
            "page": page,
            "query": query_without(request, "page"),
        },
    )


@perm_required(Perm.CALENDAR_MANAGE)
def calendar(request: HttpRequest) -> HttpResponse:
    pending = workdays.missing_calendar_years()
    initial = {}
    if pending:  # a starting point: the provisional (statutory) days of the first year to enter
        initial = {"year": pending[0], "holidays": _holiday_lines(workdays.statutory_holidays(pending[0]))}
    form = CalendarYearForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "seed":
        change = workdays.calendar_seed(actor=request.user, request=request)
        messages.success(request, f"已从内置节假日数据更新 {change.days_written} 天{_recomputed_text(change)}")
        return redirect("accounts:calendar")
    if request.method == "POST" and form.is_valid():
        try:
            holidays, makeups = _parse_year(form.cleaned_data)
            change = workdays.calendar_year_enter(
                actor=request.user,
                year=form.cleaned_data["year"],
                holidays=holidays,
                make_up_workdays=makeups,
                request=request,
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已录入 {form.cleaned_data['year']} 年工作日历{_recomputed_text(change)}")
            return redirect("accounts:calendar")
    context = {
        "form": form,
        "years": workdays.covered_years(),
        "provisional": workdays.provisional_years(),
        "pending": pending,
    }
    return render(request, "accounts/calendar.html", context)


def _holiday_lines(rest: dict[date, str]) -> str:
    """``{1-1: 元旦, 2-5: 春节, 2-6: 春节}`` → ``2027-01-01 2027-01-01 元旦`` / ``2027-02-05 2027-02-06 春节``."""
    ranges: list[list] = []
    for d, name in rest.items():
        if ranges and ranges[-1][2] == name and (d - ranges[-1][1]).days == 1:
            ranges[-1][1] = d
        else:
            ranges.append([d, d, name])
    return "\n".join(f"{a} {b} {name}" for a, b, name in ranges)


def _recomputed_text(change: workdays.CalendarChange) -> str:
    done = change.recomputed.get("deadlines_recomputed", 0)
    if not done:
        return ""
    return f"；已重算暂定期限 {done} 件，其中 {change.recomputed.get('deadlines_moved', 0)} 项日期变动"


def _parse_year(data: dict) -> tuple[list[tuple[date, date, str]], list[date]]:
    holidays: list[tuple[date, date, str]] = []
    for n, line in enumerate(data["holidays"].splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 3:
            raise ValidationError({"holidays": f"第 {n} 行应为“起始日期 截止日期 名称”"})
        try:
            holidays.append((date.fromisoformat(parts[0]), date.fromisoformat(parts[1]), " ".join(parts[2:])))
        except ValueError as exc:
            raise ValidationError({"holidays": f"第 {n} 行日期格式应为 YYYY-MM-DD"}) from exc
    makeups: list[date] = []
    for n, line in enumerate((data.get("workdays") or "").splitlines(), start=1):
        if line.strip():
            try:
                makeups.append(date.fromisoformat(line.strip()))
            except ValueError as exc:
                raise ValidationError({"workdays": f"第 {n} 行日期格式应为 YYYY-MM-DD"}) from exc
    return holidays, makeups


@login_required
def whoami(request: HttpRequest) -> HttpResponse:  # a tiny page useful to people and tests alike
    return render(
        request,
        "accounts/whoami.html",
        {"assignments": RoleAssignment.objects.filter(user=request.user).select_related("organisation")},
    )

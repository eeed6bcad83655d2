from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import (
    AuditFilterForm,
    CalendarYearForm,
    ChangePasswordForm,
    GrantForm,
    LoginForm,
    PasswordResetForm,
    UserCreateForm,
)
from accounts.history import HISTORY_MODELS, history_rows
from core import workdays
from core.audit import audit_log
from core.models import AuditEvent, User
from core.views import add_validation_errors, paginate, query_without, require
from orgs.models import Organisation, RoleAssignment
from orgs.roles import Perm
from orgs.scope import get_scoped_or_404, is_portal_user
from orgs.services import grantable_roles, role_grant, role_revoke
from orgs.web import audited_export, perm_required


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


def _scoped_org(request: HttpRequest, code: str) -> Organisation:
    try:
        return get_scoped_or_404(request.user, Perm.USER_MANAGE, Organisation.objects.all(), code=code.strip())
    except Http404 as exc:
        raise ValidationError({"organisation": "组织编码不存在或不在您的管理范围内"}) from exc


@perm_required(Perm.USER_MANAGE)
def user_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.manageable_users(request.user, request.GET.get("q", ""))
    if request.GET.get("export") == "xlsx":
        rows = ([u.username, u.display_name, u.is_active, u.last_login, u.date_joined] for u in qs.iterator())
        return audited_export(
            request,
            what="用户列表",
            filename="用户列表.xlsx",
            headers=["用户名", "姓名", "启用", "最后登录", "创建时间"],
            rows=rows,
            count=qs.count(),
        )
    page = paginate(request, qs.prefetch_related("role_assignments__organisation"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query_without(request, "page", "export")})


@perm_required(Perm.USER_MANAGE)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, roles=grantable_roles(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = _scoped_org(request, data["organisation"])
            account = services.user_create(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                password=data["password"],
                role=data["role"],
                organisation=org,
                scope=data["scope"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建账号 {account.username}")
            return redirect("accounts:user_detail", pk=account.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _account(request: HttpRequest, pk: int) -> User:
    return get_object_or_404(selectors.manageable_users(request.user), pk=pk)


@perm_required(Perm.USER_MANAGE)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    grant_form = GrantForm(request.POST or None, roles=grantable_roles(request.user))
    if request.method == "POST" and grant_form.is_valid():
        data = grant_form.cleaned_data
        try:
            org = _scoped_org(request, data["organisation"])
            role_grant(actor=request.user, user=account, role=data["role"], organisation=org, scope=data["scope"])
        except ValidationError as exc:
            add_validation_errors(grant_form, exc)
        except PermissionDenied as exc:
            grant_form.add_error(None, str(exc))
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
        messages.error(request, str(exc))
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
        messages.error(request, "；".join(exc.messages))
    return redirect("accounts:user_detail", pk=account.pk)


def _district_auditor(user) -> bool:
    return selectors.is_district_wide(user, Perm.AUDIT_VIEW)


@require(_district_auditor)
def audit(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.audit_events(filters)
    if request.GET.get("export") == "xlsx":
        rows = (
            [e.at, e.get_kind_display(), e.username, e.ip_address, e.object_type, e.object_id, e.summary]
            for e in qs.iterator(chunk_size=2000)
        )
        return audited_export(
            request,
            what="安全审计记录",
            filename="安全审计记录.xlsx",
            headers=["时间", "类型", "账号", "IP 地址", "对象类型", "对象", "摘要"],
            rows=rows,
            count=qs.count(),
        )
    return render(
        request,
        "accounts/audit.html",
        {"form": form, "page": paginate(request, qs), "query": query_without(request, "page", "export")},
    )


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

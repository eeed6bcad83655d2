"""The worker's phone pages: submit a request, follow it, rate it. Only the worker's own rows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from activities import selectors as activity_selectors
from activities import services as activity_services
from appeals import selectors, services
from appeals.forms import PortalAppealForm, RateForm
from appeals.models import Appeal
from appeals.views import notification_page
from core.views import add_refusal_message, add_validation_errors, paginate, query_without
from orgs.roles import Perm
from orgs.scope import get_scoped_or_404
from orgs.web import perm_required


def _own(request: HttpRequest, pk: int) -> Appeal:
    return get_scoped_or_404(
        request.user,
        Perm.APPEAL_VIEW,
        Appeal.objects.filter(worker__user=request.user).select_related("category", "organisation", "worker"),
        pk=pk,
    )


@perm_required(Perm.APPEAL_SUBMIT, own_records=True)
def home(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.my_appeals(request.user), default_size=20)
    return render(
        request,
        "portal/home.html",
        {
            "page": page,
            "query": query_without(request, "page"),
            "person": getattr(request.user, "person", None),
        },
    )


@perm_required(Perm.APPEAL_SUBMIT, own_records=True)
def appeal_new(request: HttpRequest) -> HttpResponse:
    form = PortalAppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            appeal = services.appeal_register(
                actor=request.user,
                category=cd["category"],
                channel=Appeal.Channel.PORTAL,
                title=cd["title"],
                description=cd["description"],
                preferred_contact=cd["preferred_contact"],
                contact_phone=cd["contact_phone"],
                files=cd["attachments"],
            )
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(
                request, f"已提交，编号 {appeal.number}。联络人将在 {appeal.contact_deadline:%m月%d日} 前与您联系"
            )
            return redirect("portal:detail", pk=appeal.pk)
    return render(request, "portal/new.html", {"form": form})


@perm_required(Perm.APPEAL_SUBMIT, own_records=True)
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _own(request, pk)
    return render(
        request,
        "portal/detail.html",
        {
            "appeal": appeal,
            "timeline": list(selectors.timeline_public(appeal)),
            "attachments": list(appeal.attachments.all()),
            "rate_form": RateForm(),
            "can_rate": has_transition_perm(appeal.t_rate, request.user),
        },
    )


@require_POST
@perm_required(Perm.APPEAL_SUBMIT, own_records=True)
def appeal_rate(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = _own(request, pk)
    try:
        services.appeal_rate(
            actor=request.user,
            appeal=appeal,
            rating=request.POST.get("rating", ""),
            comment=request.POST.get("comment", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, "感谢您的评价")
    return redirect("portal:detail", pk=appeal.pk)


@login_required
def messages_page(request: HttpRequest) -> HttpResponse:
    """The worker's messages, inside the portal (the links lead to their requests' portal pages)."""
    return notification_page(request, template="portal/messages.html", url_name="portal:messages")


# --- events: the worker registers on their phone ------------------------------------------------


@perm_required(Perm.ACTIVITY_REGISTER, own_records=True)
def activities_page(request: HttpRequest) -> HttpResponse:
    """活动报名: the events open to the worker now, and their own registrations and awards."""
    person = getattr(request.user, "person", None)
    return render(
        request,
        "portal/activities.html",
        {
            "person": person,
            "open_events": list(activity_selectors.open_events_for(person)[:50]),
            "mine": list(activity_selectors.my_registrations(person)[:50]),
        },
    )


@require_POST
@perm_required(Perm.ACTIVITY_REGISTER, own_records=True)
def activity_register(request: HttpRequest, pk: int) -> HttpResponse:
    person = getattr(request.user, "person", None)
    activity = activity_selectors.open_events_for(person).filter(pk=pk).first()
    if activity is None:
        raise Http404
    try:
        activity_services.registration_self(actor=request.user, activity=activity)
    except (ValidationError, PermissionDenied) as exc:
        add_refusal_message(request, exc)
    else:
        messages.success(request, f"已报名“{activity.title}”")
    return redirect("portal:activities")

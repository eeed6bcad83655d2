from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from core.replica import heavy_read_view
from dashboard import selectors
from orgs.scope import is_portal_user


@login_required
@heavy_read_view
def home(request: HttpRequest) -> HttpResponse:
    if is_portal_user(request.user):  # workers live in the portal
        return redirect("portal:home")
    return render(request, "dashboard/home.html", selectors.home_figures(request.user))

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from core.lists import ListPage
from core.views import add_validation_errors
from orgs import pickers, selectors, services
from orgs.filtersets import OrganisationFilterSet
from orgs.forms import CloseForm, MoveForm, OrganisationForm
from orgs.models import Organisation
from orgs.pickers import PickerScope
from orgs.registry import subtree_counters
from orgs.roles import Perm
from orgs.scope import can_at, get_scoped_or_404
from orgs.tables import OrganisationTable, counter_columns
from orgs.templatetags.org_tree import tree_links
from orgs.web import perm_required

TREE_CHILDREN_SHOWN = 100


def _org(request: HttpRequest, code: str, perm: str = Perm.ORG_VIEW) -> Organisation:
    return get_scoped_or_404(request.user, perm, Organisation.objects.all(), code=code)


@perm_required(Perm.ORG_VIEW)
def tree(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    found = (
        selectors.with_visible_trail(request.user, list(selectors.organisation_search(request.user, text)))
        if text
        else None
    )
    nodes = selectors.tree_top_nodes(request.user)
    return render(
        request,
        "orgs/tree.html",
        {"nodes": nodes, "counters": subtree_counters(request.user), "q": text, "found": found},
    )


@perm_required(Perm.ORG_VIEW)
def tree_children(request: HttpRequest, code: str) -> HttpResponse:
    parent = _org(request, code)
    # A town may hold a thousand unions: the tree shows the first ones and links to the full list.
    nodes = list(selectors.tree_children(request.user, parent)[: TREE_CHILDREN_SHOWN + 1])
    more = len(nodes) > TREE_CHILDREN_SHOWN
    return render(
        request,
        "orgs/_tree_nodes.html",
        {
            "nodes": nodes[:TREE_CHILDREN_SHOWN],
            "counters": subtree_counters(request.user),
            "more_parent": parent if more else None,
        },
    )


@perm_required(Perm.ORG_VIEW)
def search(request: HttpRequest) -> JsonResponse:
    """The organisation picker's endpoint: search (``q``), the top of the tree, or one node's children
    (``parent``), for the action named by ``perm`` — scoped like everything else (RuoYi's picker leak,
    DESIGN §8): nothing outside the user's grants for that action is ever listed."""
    try:
        scope = PickerScope.from_params(request.GET)
    except ValidationError as exc:
        return JsonResponse({"error": "；".join(exc.messages), "results": []}, status=400)
    text = request.GET.get("q", "").strip()
    if len(text) > pickers.QUERY_MAX:
        return JsonResponse({"error": f"搜索内容不超过 {pickers.QUERY_MAX} 个字符", "results": []}, status=400)
    more = False
    if text:
        nodes = pickers.picker_search(request.user, scope, text)
    elif "parent" in request.GET:
        parent = pickers.picker_parent(request.user, scope, request.GET["parent"])
        nodes, more = pickers.picker_children(request.user, scope, parent) if parent else ([], False)
    else:
        nodes = pickers.picker_top(request.user, scope)
    return JsonResponse({"results": [n.as_json() for n in nodes], "more": more})


@perm_required(Perm.ORG_VIEW)
def branch(request: HttpRequest) -> HttpResponse:
    """The top of the tree beside a list, or the children of one node (htmx), linking to that list."""
    href = request.GET.get("href") or reverse("orgs:list")
    param = request.GET.get("param", "subtree")
    try:
        scope = PickerScope.from_params(request.GET)
    except ValidationError as exc:
        return HttpResponse("；".join(exc.messages), status=400)
    local = href.startswith("/") and url_has_allowed_host_and_scheme(href, allowed_hosts={request.get_host()})
    if not local or not (param.isascii() and param.isidentifier()):
        return HttpResponse("链接参数有误", status=400)
    parent, more = None, False
    if "parent" in request.GET:
        parent = pickers.picker_parent(request.user, scope, request.GET["parent"])
        nodes, more = pickers.picker_children(request.user, scope, parent) if parent else ([], False)
    else:
        nodes = pickers.picker_top(request.user, scope)
    keep = QueryDict(request.GET.get("keep", "")).urlencode()
    return render(
        request,
        "orgs/_side_tree_nodes.html",
        {
            "branches": [pickers.Branch(n.organisation) for n in nodes],
            "more_parent": parent if more else None,
            **tree_links(href, keep, param, scope),
        },
    )


class OrganisationList(ListPage):
    """组织列表: every organisation the user may see, with its subtree figures linking to their rows."""

    title = "组织列表"
    noun = "组织"
    unit = "个"
    table_class = OrganisationTable
    filterset_class = OrganisationFilterSet
    perm = Perm.ORG_VIEW
    export_perm = Perm.ORG_VIEW
    ordering = ("path",)
    template_name = "orgs/list.html"
    aside_template = "orgs/_list_tree.html"
    testid = "org-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet[Organisation]:
        return selectors.with_counts(selectors.visible_organisations(request.user, perm), user=request.user)

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        return {"extra_columns": counter_columns(subtree_counters(request.user))}


organisation_list = OrganisationList.as_view()


@perm_required(Perm.ORG_VIEW)
def detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    org = get_scoped_or_404(
        user, Perm.ORG_VIEW, selectors.with_counts(Organisation.objects.all(), user=user), code=code
    )
    children = list(selectors.tree_children(user, org)[:51])  # the visible ones only, like the counts
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": selectors.ancestors_visible(user, org),
            "children": children[:50],
            "more_children": len(children) > 50,
            "counters": subtree_counters(request.user),
            "history": org.history.select_related("history_user").order_by("-history_date")[:20],
            "can_change": can_at(user, Perm.ORG_CHANGE, org),
            "can_create": can_at(user, Perm.ORG_CREATE, org) and org.is_active,
            "can_move": can_at(user, Perm.ORG_MOVE, org) and org.depth > 1,
            "can_close": can_at(user, Perm.ORG_CLOSE, org) and org.is_active and org.depth > 1,
        },
    )


@perm_required(Perm.ORG_CHANGE)
def edit(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code, Perm.ORG_CHANGE)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=org.pk), actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            data = {f: form.cleaned_data[f] for f in form.changed_data}
            services.organisation_update(actor=request.user, organisation=org, data=data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "组织信息已保存")
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/form.html", {"form": form, "org": org, "title": f"编辑：{org.name}"})


@perm_required(Perm.ORG_CREATE)
def create_child(request: HttpRequest, code: str) -> HttpResponse:
    parent = _org(request, code, Perm.ORG_CREATE)
    form = OrganisationForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organisation_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已新建组织“{child.name}”，编码 {child.code}")
            return redirect("orgs:detail", code=child.code)
    return render(request, "orgs/form.html", {"form": form, "org": parent, "title": f"在“{parent.name}”下新建组织"})


@perm_required(Perm.ORG_MOVE)
def move(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code, Perm.ORG_MOVE)
    form = MoveForm(request.POST or None, user=request.user, organisation=org)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["new_parent"]
        try:
            services.organisation_move(actor=request.user, organisation=org, new_parent=target)
        except (ValidationError, PermissionDenied) as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"已将“{org.name}”及其全部下级移至“{target.name}”之下")
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/move.html", {"form": form, "org": org})


@perm_required(Perm.ORG_CLOSE)
def close(request: HttpRequest, code: str) -> HttpResponse:
    org = _org(request, code, Perm.ORG_CLOSE)
    form = CloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_close(
                actor=request.user,
                organisation=org,
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, f"“{org.name}”已撤销")
            return redirect("orgs:detail", code=org.code)
    return render(request, "orgs/close.html", {"form": form, "org": org})

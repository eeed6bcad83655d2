"""The one way to build a list page: a selector + a FilterSet + a table, shown and exported alike.

A list is a ``ListPage`` subclass::

    class MemberList(ListPage):
        title = "会员名单"                      # heading, xlsx sheet and file name, audit wording
        noun = "会籍记录"                       # "共 12 条会籍记录", "没有符合条件的会籍记录"
        table_class = MemberTable              # a core.lists.Table: its columns are the page AND the xlsx
        filterset_class = MembershipFilterSet  # a core.filters.FilterSet (bounded; invalid → no rows)
        perm = Perm.MEMBER_VIEW                # who may open the page; rows scoped by it
        export_perm = Perm.MEMBER_EXPORT       # ``?export=xlsx`` on the same URL (None: no export)
        create = ("members:create", "登记会员", Perm.MEMBER_CHANGE)
        ordering = ("organisation__path", "pk")

        def rows(self, request, perm):         # the selector: scoped by ``perm``
            return selectors.member_rows(selectors.visible_memberships(request.user, perm))

    member_list = MemberList.as_view()

What every list then has: sortable columns (``?sort=col`` / ``-col``, only the columns the table
marks orderable), page numbers and a page size of 20/50/100 (``?per_page=``, anything else is 20),
the applied filters as chips (each a link removing that one filter), an empty state saying what to
do, a totals row for ``MoneyColumn(total=True)`` columns over every filtered row, and
``?export=xlsx``: the same columns (plus the table's ``visible=False`` export-only columns, minus
``exclude_from_export`` ones) over the same filtered, sorted rows, scoped by ``export_perm``,
masked by the columns themselves (``MaskedColumn``) and audited through ``audited_export``.
An invalid filter shows a Chinese message and no rows (``core.filters.filter_queryset``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRow

from core.filters import FilterSet, filter_queryset
from core.money import format_yuan
from core.replica import heavy_read_view
from core.views import PAGE_SIZES, add_validation_errors
from orgs.scope import has_perm
from orgs.web import audited_export, perm_required

EXPORT_CHUNK = 2000


# --- columns: each renders the cell on the page and gives the same value to the xlsx -------------


LIST_TABLE_ATTRS = {"class": "table table-vcenter card-table table-striped gh-list-table"}


class Table(tables.Table):
    """Base of every list's table. Each cell carries its header (``data-label``, written by
    includes/list_table.html) so that on a phone the row becomes a card of "label: value" lines
    (static/gonghui/app.css). Columns are sortable
    only where they say ``orderable=True`` (a sort the database can do well, e.g. on an index)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # django-tables2 does not inherit ``Meta``: the house's defaults are applied here instead.
        kwargs.setdefault("attrs", {**LIST_TABLE_ATTRS, **self._meta.attrs})
        kwargs.setdefault("orderable", False)
        super().__init__(*args, **kwargs)


class DateColumn(tables.DateColumn):
    """A date shown as 2024-03-01; exported as a date cell."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "Y-m-d")
        kwargs.setdefault("attrs", {"td": {"class": "text-nowrap"}})
        super().__init__(*args, **kwargs)

    def value(self, value: Any, **kwargs: Any) -> Any:
        return value


class DateTimeColumn(tables.DateTimeColumn):
    """A moment shown as 2024-03-01 14:05 (local time); exported as a date cell."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "Y-m-d H:i")
        kwargs.setdefault("attrs", {"td": {"class": "text-nowrap"}})
        super().__init__(*args, **kwargs)

    def value(self, value: Any, **kwargs: Any) -> Any:
        return value


class YesNoColumn(tables.Column):
    """A boolean as 是/否, on the page and in the xlsx."""

    def render(self, value: Any) -> str:
        return "是" if value else "否"

    def value(self, value: Any) -> str:
        return self.render(value)


class MaskedColumn(tables.Column):
    """Personal data through ``mask`` on the page and in the xlsx alike (never sortable)."""

    def __init__(self, *args: Any, mask: Callable[[str], str], **kwargs: Any) -> None:
        self.mask = mask
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("attrs", {"td": {"class": "font-monospace"}})
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        return self.mask(value or "") or "—"

    def value(self, value: Any) -> str:
        return self.mask(value or "")


class MoneyColumn(tables.Column):
    """An amount: 1,234,567.89 on the page, a number cell in the xlsx. ``total=True`` adds it to the
    list's totals row (the sum over every filtered row, not only the page)."""

    def __init__(self, *args: Any, total: bool = False, **kwargs: Any) -> None:
        self.total = total
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(*args, **kwargs)

    def render(self, value: Any) -> str:
        return format_yuan(value)

    def value(self, value: Any) -> Any:
        return value


class CountColumn(tables.Column):
    """A count that links to its rows: ``url(record)`` is the filtered list (e.g. the members of an
    organisation). Zero is shown without a link."""

    def __init__(self, *args: Any, url: Callable[[Any], str], **kwargs: Any) -> None:
        self.url = url
        kwargs.setdefault("attrs", {"td": {"class": "text-end"}, "th": {"class": "text-end"}})
        kwargs.setdefault("empty_values", ())
        super().__init__(*args, **kwargs)

    def render(self, value: Any, record: Any) -> str:
        if not value:
            return "0"
        return format_html('<a href="{}">{}</a>', self.url(record), value)

    def value(self, value: Any) -> int:
        return value or 0


def list_url(name: str, **params: Any) -> str:
    """The URL of a list filtered by ``params`` (for ``CountColumn`` links)."""
    query = QueryDict(mutable=True)
    query.update({k: str(v) for k, v in params.items()})
    return f"{reverse(name)}?{query.urlencode()}"


# --- what the template shows around the table ----------------------------------------------------


@dataclass(frozen=True)
class Chip:
    label: str
    value: str
    remove_url: str
    default: bool  # applied because its parameter is absent (the list's default), not asked for


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str
    current: bool


def _with(params: QueryDict, **changes: str | None) -> str:
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


def _shown_value(field: forms.Field, raw: str) -> str:
    if isinstance(field, forms.NullBooleanField):
        return {"true": "是", "false": "否", "True": "是", "False": "否", "1": "是", "0": "否"}.get(raw, raw)
    for value, label in getattr(field, "choices", ()):
        if str(value) == raw:
            return str(label)
    return raw


def filter_chips(request: HttpRequest, form: forms.Form, defaults: Mapping[str, str]) -> list[Chip]:
    """One chip per applied filter; its link removes that filter alone (a defaulted filter, such as
    the member list's 在册, is removed by asking for "all", i.e. an empty value)."""
    chips = []
    for name, field in form.fields.items():
        values = request.GET.getlist(name) if name in request.GET else [defaults.get(name, "")]
        values = [v for v in values if v.strip()]
        if not values:
            continue
        remove = "" if name in defaults else None
        chips.append(
            Chip(
                label=str(field.label or name),
                value="、".join(_shown_value(field, v) for v in values),
                remove_url=_with(request.GET, **{name: remove, "page": None}),
                default=name not in request.GET,
            )
        )
    return chips


def _style_widgets(form: forms.Form, hidden: Sequence[str]) -> None:
    for name, field in form.fields.items():
        if name in hidden:
            field.widget = forms.HiddenInput()  # its value travels in ``kept_params``; the chip shows it
            continue
        widget = field.widget
        if isinstance(field, forms.NullBooleanField) and isinstance(widget, forms.Select):
            widget.choices = [("", "全部"), ("true", "是"), ("false", "否")]
        if type(widget) is forms.DateInput:
            widget.input_type, widget.format = "date", "%Y-%m-%d"  # the browser's date picker
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


def page_size(request: HttpRequest, default: int) -> int:
    try:
        size = int(request.GET.get("per_page", default))
    except ValueError:
        return default
    return size if size in PAGE_SIZES else default


# --- the page ------------------------------------------------------------------------------------


class ListPage:
    """One list page and its xlsx. Subclass it, set the attributes, implement ``rows``."""

    title: ClassVar[str] = ""
    noun: ClassVar[str] = "记录"
    unit: ClassVar[str] = "条"
    table_class: ClassVar[type[Table]]
    filterset_class: ClassVar[type[FilterSet] | None] = None
    perm: ClassVar[str]
    export_perm: ClassVar[str | None] = None
    # Filters applied when their parameter is absent (e.g. the roster shows 在册 unless asked otherwise).
    filter_defaults: ClassVar[Mapping[str, str]] = {}
    # Filters reached by links only (e.g. a drill-down's metric): kept as hidden inputs, shown as chips.
    hidden_filters: ClassVar[Sequence[str]] = ()
    ordering: ClassVar[Sequence[str]] = ()
    # (URL name, button label, permission) of the page creating a row, offered in the empty state too.
    create: ClassVar[tuple[str, str, str] | None] = None
    template_name: ClassVar[str] = "includes/list_page.html"
    # A template shown in the left column (e.g. an organisation tree); none by default.
    aside_template: ClassVar[str | None] = None
    per_page: ClassVar[int] = PAGE_SIZES[0]
    testid: ClassVar[str] = "list-table"

    def rows(self, request: HttpRequest, perm: str) -> QuerySet:
        """The selector: every row ``request.user`` may see with ``perm``, with what a row needs."""
        raise NotImplementedError

    def extra_context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def may_create(self, request: HttpRequest) -> bool:
        return self.create is not None and has_perm(request.user, self.create[2])

    @classmethod
    def guard(cls, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """Who may open the page (and its export): holders of ``perm`` by default."""
        return perm_required(cls.perm)(view)

    # A form beside the list, posted to the list's URL (e.g. reporting an activity): ``side_form``
    # builds it (None when the user may not use it); ``side_form_save`` acts on it once valid and
    # returns the success message, or raises ValidationError (shown on the form).
    side_form_title: ClassVar[str] = ""
    side_form_submit: ClassVar[str] = "保存"

    def side_form(self, request: HttpRequest) -> forms.Form | None:
        return None

    def side_form_save(self, request: HttpRequest, form: forms.Form) -> str:
        raise NotImplementedError

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        form = self.side_form(request)
        if form is not None and request.method == "POST" and form.is_valid():
            try:
                message = self.side_form_save(request, form)
            except (ValidationError, PermissionDenied) as exc:
                add_validation_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect(request.get_full_path())
        return self.get(request, side_form=form)

    @classmethod
    def as_view(cls) -> Callable[..., HttpResponse]:
        page = cls()

        @cls.guard
        @heavy_read_view  # a GET of a list may be read from the replica (core/replica.py)
        def view(request: HttpRequest) -> HttpResponse:
            return page.dispatch(request)

        view.__name__ = view.__qualname__ = cls.__name__
        view.__doc__ = cls.__doc__
        return view

    # -- the filtered rows, shared by page and export --

    def filtered(self, request: HttpRequest, perm: str) -> tuple[FilterSet | None, QuerySet]:
        base = self.rows(request, perm)
        if self.ordering:
            base = base.order_by(*self.ordering)
        if self.filterset_class is None:
            return None, base
        params = request.GET.copy()
        for key, value in self.filter_defaults.items():
            params.setdefault(key, value)
        filterset = self.filterset_class(params, queryset=base, request=request)
        return filterset, filter_queryset(request, filterset, base)

    def table_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        """More arguments for the table, e.g. ``extra_columns`` depending on the user."""
        return {}

    def table(self, request: HttpRequest, queryset: QuerySet) -> Table:
        table = self.table_class(queryset, **self.table_kwargs(request))
        RequestConfig(request, paginate=False).configure(table)  # ?sort=, orderable columns only
        return table

    def get(self, request: HttpRequest, **context: Any) -> HttpResponse:
        """The page (``context`` adds to what the template gets), or the xlsx for ``?export=``."""
        if request.GET.get("export"):
            return self.export(request)
        filterset, qs = self.filtered(request, self.perm)
        table = self.table(request, qs)
        size = page_size(request, self.per_page)
        table.paginator = Paginator(table.rows, size)
        totals = self.totals(table, qs, paginator=table.paginator)
        table.page = table.paginator.get_page(request.GET.get("page"))
        form = filterset.form if filterset is not None else None
        chips: list[Chip] = []
        if form is not None:
            chips = filter_chips(request, form, self.filter_defaults)
            _style_widgets(form, self.hidden_filters)
        user = request.user
        can_create = self.may_create(request)
        context = {
            "list": self,
            "table": table,
            "filter_form": form,
            "chips": chips,
            "filtered": any(not chip.default for chip in chips),
            "clear_url": _with(QueryDict(), **{k: "" for k in self.filter_defaults}),
            "totals": totals,
            "page_links": self.page_links(request, table.page),
            "page_sizes": [(n, _with(request.GET, per_page=str(n), page=None), n == size) for n in PAGE_SIZES],
            "kept_params": [(k, v) for k in ("sort", "per_page", *self.hidden_filters) for v in request.GET.getlist(k)],
            "export_url": _with(request.GET, export="xlsx", page=None)
            if self.export_perm is not None and has_perm(user, self.export_perm)
            else None,
            "create_url": reverse(self.create[0]) if can_create else None,
            "create_label": self.create[1] if can_create else "",
            **self.extra_context(request),
            **context,
        }
        return render(request, self.template_name, context)

    def totals(
        self, table: Table, queryset: QuerySet, *, paginator: Paginator | None = None
    ) -> list[tuple[Any, str]] | None:
        """The totals row, (column, cell) for each shown column, or None without a totalled column.
        Given the page's ``paginator``, the same query counts the rows for it (one query, not two)."""
        summed = {
            col.name: col.accessor.replace(".", "__")
            for col in table.columns
            if isinstance(col.column, MoneyColumn) and col.column.total
        }
        if not summed:
            return None
        sums = queryset.aggregate(
            rows_counted=Count("pk"), **{f"total_{name}": Sum(path) for name, path in summed.items()}
        )
        if paginator is not None:
            paginator.count = sums["rows_counted"]  # Paginator.count is a cached property
        cells = []
        for i, col in enumerate(table.columns):
            if col.name in summed:
                cells.append((col, format_yuan(sums[f"total_{col.name}"] or Decimal(0))))
            else:
                cells.append((col, "合计" if i == 0 else ""))
        return cells

    @staticmethod
    def page_links(request: HttpRequest, page: Any) -> list[PageLink]:
        if page.paginator.num_pages <= 1:
            return []
        links = []
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
            if number == Paginator.ELLIPSIS:
                links.append(PageLink(None, "", False))
            else:
                links.append(PageLink(number, _with(request.GET, page=str(number)), number == page.number))
        return links

    # -- ?export=xlsx --

    def export(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("export") != "xlsx" or self.export_perm is None:
            raise Http404("不支持该导出格式")
        if not has_perm(request.user, self.export_perm):
            raise PermissionDenied("您没有导出此列表的权限")
        _, qs = self.filtered(request, self.export_perm)
        table = self.table(request, qs)
        headers, rows = export_rows(table)
        return audited_export(
            request, what=self.title, filename=f"{self.title}.xlsx", headers=headers, rows=rows, count=qs.count()
        )


def export_columns(table: Table) -> list[Any]:
    """The xlsx's columns: every column of the table (shown or ``visible=False``) but those marked
    ``exclude_from_export`` (row actions)."""
    return [col for col in table.columns.iterall() if not col.column.exclude_from_export]


def export_rows(table: Table) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and rows of the xlsx, streamed from the (sorted) queryset in chunks."""
    columns = export_columns(table)
    headers = [str(col.header) for col in columns]
    queryset = table.data.data

    def rows() -> Iterator[list[Any]]:
        for record in queryset.iterator(chunk_size=EXPORT_CHUNK):
            row = BoundRow(record, table=table)
            yield [_cell(row.get_cell_value(col.name)) for col in columns]

    return headers, rows()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | Decimal | date | bool):
        return value
    return str(value)

"""Issue 10 item 5: hostile query values reach every list page and API list, and none gets a 5xx.

Nothing here is a hand list: the routes come from walking the URL resolver, the parameter names
from every FilterSet of the project and every parameter form (``core.forms.BoundedForm``), so a
new route or a new filter is covered as soon as it exists.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import django_filters
import pytest
from django.apps import apps
from django.http import QueryDict
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path

from appeals.tests.factories import make_appeal
from core.filters import FilterSet
from core.forms import BoundedForm

HUGE = "9" * 30
HOSTILE = [
    HUGE,
    "-" + HUGE,
    "NaN",
    "Infinity",
    "0",
    "-1",
    "99999",
    "0001-01-01",
    "9999-12-31",
    "no-such",
    "x" * 5000,
    "a\x00b",
]


def walk(resolver: URLResolver | None = None, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str, list[str]]]:
    """Every named route of the project: (namespaced name, pattern, its keyword arguments)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from walk(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern) and p.name:
            kwargs = list(p.pattern.regex.groupindex)
            yield f"{ns}{p.name}", prefix + str(p.pattern), kwargs


def _import_filtersets() -> None:
    for config in apps.get_app_configs():
        if config.path.startswith(str(apps.get_app_config("core").path).rsplit("/", 1)[0]):
            for module in ("filtersets", "forms", "views"):
                try:
                    importlib.import_module(f"{config.name}.{module}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.{module}":
                        raise


def _subclasses(cls: type) -> set[type]:
    out: set[type] = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _subclasses(sub)
    return out


def project_filtersets() -> list[type]:
    _import_filtersets()
    return [c for c in _subclasses(django_filters.FilterSet) if not c.__module__.startswith("django_filters")]


def parameter_names() -> list[str]:
    """Every filter parameter and every parameter-form field of the project."""
    names: set[str] = set()
    for fs in project_filtersets():
        names |= set(fs.base_filters)
    for form in _subclasses(BoundedForm):
        names |= set(form.base_fields)
    return sorted(names)


def list_routes() -> list[tuple[str, str]]:
    """Routes that take no argument: lists, pages and API lists (the URL pattern, not a hand list)."""
    skip = {"accounts:logout"}
    return sorted(
        (name, "/" + pattern.replace("^", "").replace("\\Z", "").replace("$", ""))
        for name, pattern, kwargs in walk()
        if not kwargs and name not in skip and "<" not in pattern and "(?P" not in pattern
    )


def test_every_filterset_uses_the_bounded_base():
    offenders = [f"{c.__module__}.{c.__name__}" for c in project_filtersets() if not issubclass(c, FilterSet)]
    assert not offenders, f"FilterSets not derived from core.filters.FilterSet: {offenders}"


def test_the_walk_finds_the_lists_and_the_parameters():
    names = {n for n, _ in list_routes()}
    assert {"appeals:list", "funds:payment_list", "activities:list", "api:appeal-list"} <= names
    assert {"liaison", "cycle", "year", "date_from", "start", "category"} <= set(parameter_names())


@pytest.fixture
def data(district):
    return {"appeal": make_appeal(district, org=district.union_a, title="独一无二的诉求标题")}


def _assert_no_5xx(response, label: str) -> None:
    if response.status_code == 503 and response.request["PATH_INFO"] == "/readyz":
        return  # the readiness probe's "not ready" (the test database has no calendar rows), not a crash
    assert response.status_code < 500, f"{label}: {response.status_code}"
    if label.split()[1].startswith("/api/") and response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), f"{label}: not JSON"


@pytest.mark.parametrize("value", HOSTILE, ids=lambda v: repr(v[:12]))
def test_every_list_survives_hostile_values_for_every_parameter(client, district, data, value):
    """One request per route and value carrying every parameter of the project, GET and POST."""
    client.force_login(district.user("admin"))
    params = dict.fromkeys(parameter_names(), value)
    for name, url in list_routes():
        _assert_no_5xx(client.get(url, params), f"GET {url} ({name}) {value[:12]!r}")
        _assert_no_5xx(client.post(url, params), f"POST {url} ({name}) {value[:12]!r}")


class ReadRecorder(QueryDict):
    """A request's query that notes each name the view asks for (asked for, not only present: a
    filter form asks for every field of its FilterSet). Building it and copying it ask for nothing,
    nor do ``urlencode`` and ``lists`` (links that pass the query on)."""

    asked: set[str] = set()

    def __init__(self, *args, **kwargs) -> None:
        self._built = False
        super().__init__(*args, **kwargs)
        self._built = True

    def _note(self, key: str) -> None:
        if self._built:
            ReadRecorder.asked.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


def _parameters_asked(client, url: str, names: list[str]) -> set[str]:
    """The project's parameters the route asks for: without any (the path a valid form takes) and
    with all of them hostile (the path an invalid one takes)."""
    asked: set[str] = set()
    for params in ({}, dict.fromkeys(names, HUGE)):
        ReadRecorder.asked = set()
        client.get(url, params)
        asked |= ReadRecorder.asked
    return asked & set(names)


def test_each_parameter_alone_with_a_huge_value(client, district, data, monkeypatch):
    """Alone, so that one parameter's error cannot hide another's crash behind an invalid form;
    each route gets the parameters it asks for (a name it never reads cannot reach its code)."""
    monkeypatch.setattr("django.core.handlers.wsgi.QueryDict", ReadRecorder)
    client.force_login(district.user("admin"))
    names = parameter_names()
    pairs = 0
    for name, url in list_routes():
        for param in sorted(_parameters_asked(client, url, names)):
            _assert_no_5xx(client.get(url, {param: HUGE}), f"GET {url} ({name}) {param}={HUGE}")
            pairs += 1
    assert pairs > 100, "the recorder saw almost no parameter read: is the patch still in the request path?"


@pytest.mark.parametrize(
    "url,params",
    [
        ("/appeals/", {"liaison": HUGE}),
        ("/appeals/", {"category": HUGE}),
        ("/appeals/", {"date_from": "0001-01-01"}),
        ("/appeals/", {"state": "no-such"}),
        ("/appeals/", {"q": "x" * 5000}),
    ],
)
def test_an_invalid_filter_shows_a_message_and_no_rows(client, district, data, url, params):
    client.force_login(district.user("admin"))
    assert data["appeal"].title in client.get(url).content.decode()
    response = client.get(url, params)
    body = response.content.decode()
    assert response.status_code == 200
    assert data["appeal"].title not in body
    assert "筛选条件有误" in body


def test_every_filterset_refuses_hostile_values_rather_than_ignoring_them(district):
    """For each FilterSet and each of its number/date/choice filters, a hostile value makes the
    filter invalid, so the shared rule (``filter_queryset``) shows no rows."""
    checked = 0
    for fs_class in project_filtersets():
        for fname, flt in fs_class.base_filters.items():
            if isinstance(flt, django_filters.NumberFilter | django_filters.ModelChoiceFilter):
                bad = [HUGE, "NaN"]
            elif isinstance(flt, django_filters.DateFilter):
                bad = ["0001-01-01", "9999-12-31"]
            elif isinstance(flt, django_filters.ChoiceFilter | django_filters.MultipleChoiceFilter):
                bad = ["no-such"]
            elif isinstance(flt, django_filters.CharFilter):
                bad = ["x" * 5000]
            else:
                continue
            for value in bad:
                fs = fs_class({fname: value}, queryset=fs_class._meta.model.objects.none())
                assert not fs.is_valid(), f"{fs_class.__name__}.{fname}={value[:12]!r} accepted"
                checked += 1
    assert checked > 20


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/appeals/?liaison=" + HUGE,
        "/api/v1/funds/payments/?cycle=" + HUGE,
        "/api/v1/members/?join_year=99999",
        "/api/v1/funds/entries/?date_from=0001-01-01",
    ],
)
def test_api_invalid_filter_is_a_json_400(client, district, url):
    client.force_login(district.user("admin"))
    response = client.get(url)
    assert response.status_code == 400, response.content[:200]
    assert response["Content-Type"].startswith("application/json")


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/boom/", _boom), *get_resolver("gonghui.urls").url_patterns]
handler404 = "api.exceptions.json_or_page_404"
handler500 = "api.exceptions.json_or_page_500"


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_api_404_and_500_are_json_with_debug_off(client, district):
    client.raise_request_exception = False
    client.force_login(district.user("admin"))
    missing = client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404 and missing.json()["detail"]
    crash = client.get("/api/v1/boom/")
    assert crash.status_code == 500 and crash.json()["detail"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and not page["Content-Type"].startswith("application/json")


def test_statement_with_a_date_out_of_range_is_a_message_page_and_a_json_400(client, district):
    from funds.services import standard_accounts_ensure

    standard_accounts_ensure(district=district.root)
    client.force_login(district.user("finance"))
    page = client.get("/funds/accounts/1002/", {"start": "0001-01-01"})
    assert page.status_code == 200 and "开始日期" in page.content.decode()
    api = client.get("/api/v1/funds/accounts/1002/statement/", {"start": "0001-01-01"})
    assert api.status_code == 400 and "start" in api.json()


def test_marking_notifications_with_a_huge_id_changes_nothing(client, district):
    client.force_login(district.user("admin"))
    response = client.post("/appeals/notifications/", {"id": HUGE})
    assert response.status_code == 302


def test_activity_report_with_a_huge_participant_count_is_refused(client, district):
    from activities.models import Activity

    client.force_login(district.user("chair_a"))
    response = client.post(
        "/activities/",
        {
            "organisation": district.union_a.pk,
            "title": "健步走",
            "kind": Activity.Kind.choices[0][0],
            "held_on": "2026-05-01",
            "participants": HUGE,
        },
    )
    assert response.status_code == 200
    assert not Activity.objects.exists()

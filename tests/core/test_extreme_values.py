"""Ids and dates out of range answer 404 or 400, never 500: every URL pattern of the project with a
30-digit value for every number in its path, and every page of the access matrix with extreme values
for every query parameter and form field the code reads (dates, page numbers, ids), as an anonymous
visitor and as a verified member, on both databases (PostgreSQL overflows bigint and integer, SQLite
Python's int conversion; date arithmetic overflows past year 9999 and before year 1)."""

import re
from pathlib import Path

import pytest
from django import forms
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern

from maillage.core.enums import Role
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.core.test_access_matrix import CASES, PUBLIC, world  # noqa: F401 — `world` is a fixture

pytestmark = pytest.mark.django_db

HUGE = "9" * 30
ROOT = Path(__file__).resolve().parents[2]
EXTREMES = [HUGE, "-" + HUGE, "-1", "0", "²", "9999-12-31", "0001-01-01", "99999-01-01", "0000-00-00", "1e999"]
POSTED = [HUGE, "²", "9999-12-31", "0001-01-01"]


@pytest.fixture(autouse=True)
def _no_rate_limit_carry_over():
    cache.clear()
    yield
    cache.clear()


def _patterns(resolver=None, prefix=""):
    """(route, converters, name) of every URL pattern, nested ones with their prefix."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = pattern.pattern._route if isinstance(pattern.pattern, RoutePattern) else None
        if route is None:  # a regular expression: the API's catch-all, the admin's
            route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", pattern.pattern._regex).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            yield prefix + route, pattern.pattern.converters, pattern.name


def _is_number(converter) -> bool:
    return isinstance(converter, IntConverter) or getattr(converter, "regex", "").startswith("[0-9]")


def _url_with_huge_numbers(route: str, converters: dict) -> str:
    def value(match):
        name = match.group(2)
        return HUGE if _is_number(converters.get(name)) else "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


NUMBERED = sorted(
    {(route, _url_with_huge_numbers(route, converters)) for route, converters, _ in _patterns() if converters}
)


def _read_parameter_names() -> list[str]:
    """Every query parameter and form field the code reads: `GET.get("x")`, `POST.getlist("x")`, and
    the fields of every form class."""
    names = set()
    for path in (ROOT / "maillage").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"""(?:GET|POST|params|data)\.get(?:list)?\(\s*["'](\w+)["']""", text))
        names |= set(re.findall(r"""_param\(\s*request,\s*["'](\w+)["']""", text))

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("maillage."):
                names.update(getattr(sub, "base_fields", {}))
            walk(sub)

    walk(forms.BaseForm)
    return sorted(names)


PARAMETERS = _read_parameter_names()


def _member_client(world):  # noqa: F811
    client = Client(raise_request_exception=False)
    membership = MembershipFactory(organisation=world.own, role=Role.ADMIN)
    login_verified(client, membership.user)
    return client


def _server_errors(client, url, method="get", data=None) -> list[str]:
    response = getattr(client, method)(url, data=data or {})
    if response.status_code < 500:
        return []
    value = next(iter(data.values())) if data else ""
    error = getattr(response, "exc_info", None)
    reason = f"{error[0].__name__}: {str(error[1])[:100]}" if error else response.status_code
    if error:
        import traceback

        frames = [f for f in traceback.extract_tb(error[2]) if "/maillage/" in f.filename]
        if frames:
            reason += f" ({frames[-1].filename.split('/maillage/')[-1]}:{frames[-1].lineno})"
    return [f"{method.upper()} {url} (valeurs « {value[:12]} ») → {reason}"]


@pytest.mark.parametrize(("route", "url"), NUMBERED, ids=[route for route, _ in NUMBERED])
def test_a_30_digit_id_in_the_path_is_never_a_server_error(world, route, url):  # noqa: F811
    failures = []
    for client in (Client(raise_request_exception=False), _member_client(world)):
        failures += _server_errors(client, url)
        failures += _server_errors(client, url, "post")
    assert not failures, failures


def _role_for(case):
    for role in (Role.ADMIN, Role.COORDINATOR, Role.DIRECTOR, Role.DPO, *Role):
        if role in case.allowed:
            return role
    return Role.ADMIN


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_extreme_query_values_are_never_a_server_error(world, case):  # noqa: F811
    url = reverse(case.name, kwargs=case.kwargs(world) if case.kwargs else None)
    failures = []
    member = Client(raise_request_exception=False)
    login_verified(member, MembershipFactory(organisation=world.own, role=_role_for(case)).user)
    clients = [member] + ([Client(raise_request_exception=False)] if case.name in PUBLIC else [])
    for client in clients:
        for value in EXTREMES:
            failures += _server_errors(client, url, data=dict.fromkeys(PARAMETERS, value))
        if case.name not in ("core:logout",):
            for value in POSTED:
                failures += _server_errors(client, url, "post", data=dict.fromkeys(PARAMETERS, value))
    assert not failures, failures


def test_the_walk_sees_every_kind_of_parameter():
    assert {"page", "per_page", "q"} <= set(PARAMETERS)
    assert any("date" in name or name.endswith("_on") for name in PARAMETERS)
    assert len(NUMBERED) > 20


def test_the_api_says_which_parameter_is_out_of_range(client):
    response = client.get("/api/v1/services", {"page": HUGE, "per_page": "²", "organization_id": HUGE})
    assert response.status_code == 400
    extra = response.json()["extra"]
    assert "est trop grand" in extra["page"]
    assert "n'est pas un nombre entier positif" in extra["per_page"]
    assert "19 chiffres au plus" in extra["organization_id"]


def test_ids_from_a_request_are_kept_within_range():
    from maillage.core.ids import MAX_ID, parse_id, parse_ids

    assert parse_ids(["12", "²", HUGE, str(MAX_ID), str(MAX_ID + 1), "-3", "0", " 7 ", "1e3"]) == [12, MAX_ID, 7]
    assert parse_id(None) is None


def test_in_lookups_leave_out_impossible_ids():
    from maillage.directory.models import Service
    from tests.directory.factories import ServiceFactory

    service = ServiceFactory()
    assert list(Service.objects.filter(pk__in=[10**30, service.pk])) == [service]
    assert list(Service.objects.filter(pk__in=[10**30])) == []
    assert list(Service.objects.filter(pk__in=[-(10**30)])) == []

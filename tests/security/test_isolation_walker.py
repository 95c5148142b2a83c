"""Walks every URL pattern of the project, so no route can skip the tenant rules.

The routes come from the resolver, not from a hand-kept list: a new route is probed the day it is added.
Its kwargs are filled from OBJECT_FOR_KWARG / OBJECT_FOR_MODEL; a kwarg the walker does not know fails
the suite loudly, so whoever adds ``<int:task_id>`` also teaches the walker (and tests/security/conftest.py)
which object it stands for. Public routes are listed explicitly in PUBLIC_ROUTES.

Routes have a kind (an HTML page or the API, from the ``api/`` prefix) and an audience: the portal (HTML
under ``portal/``, API under ``api/v1/portal/``) is for client contacts, everything else for staff.

Cases:
  (a) an owner of agency A asking for agency B's objects through A's staff URLs, and for any URL of B: 404;
      and for A's own portal (staff are not client contacts): 404;
  (b) a contact of client X of agency A: (1) every staff route of A is a 404 (or a redirect to the
      portal); (2) every portal route of B, and A's portal routes filled with B's objects, a 404;
      (3) A's portal routes filled with another client's (Y's) objects a 404, exactly like a missing one;
  (c) nobody logged in: every page redirects to the login, every API route answers 401/403.
Routes that name objects in their query string (the rows behind a dashboard's number) are listed in
OBJECT_FOR_QUERY and probed the same way: another agency's object, and in the portal another client's, a
404 exactly like a missing one, and the caller's own opens.
Every refused walk leaves the database as it was. And so that a 404 proves something, the walker's own
objects are real: their owner opens every GET route with them, and what it shows holds no marker of
another agency's (or, in the portal, another client's) approval work.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from agencyops.inbound.models import InboundAddress, InboundAttachment, InboundMessage
from agencyops.models import Client, ClientContact, Invitation, Membership, Notification
from approvals.models import (
    ApprovalRequest,
    AssetVersion,
    ChangeRequest,
    ChangeRequestDecision,
    Comment,
    DecisionLogEntry,
    ReviewerDecision,
    VersionPage,
)
from brandkit.library.models import LibraryItem
from brandkit.models import (
    BrandLayerVersion,
    BrandSettings,
    ContentPiece,
    ContentTransition,
    ContentVersion,
    DecisionConstraint,
    FindingDismissal,
)
from projects.models import (
    AgencyClosure,
    Escalation,
    EscalationEvent,
    Project,
    ProjectTemplate,
    RequiredInput,
    Task,
    TaskDependency,
    TimeEntry,
)
from reporting.models import Campaign as ReportingCampaign
from reporting.models import Import as ReportImport
from reporting.models import InsightDraft, ReportIssue

# Not probed at all: the admin has its own gate (tests/agencyops/test_admin.py), files are public.
SKIPPED_PREFIXES = ("admin/", "static/", "media/")
SKIPPED_NAMES = {"api-schema", "api-docs"}

# Reachable without an agency membership, on purpose. Each entry is a route name.
PUBLIC_ROUTES = {
    "start",
    "healthz",
    "login",
    "logout",
    "signup",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "portal_index",
    "api_token",
    # An iCal feed is keyed by its own secret, not a session (tests/projects covers a wrong secret).
    "calendar_feed",
    # Inbound client mail and chat: a shared secret or the client's own token, never a session
    # (tests/approvals/test_inbound_filing.py covers a wrong secret and an unknown token).
    "inbound_email_webhook",
    "chat_webhook",
    # A digest mail's unsubscribe link is keyed by its signature (tests/agencyops/test_notifications.py).
    "notification_unsubscribe",
}

# Which object of an agency a URL kwarg stands for (keys of tests/security/conftest.py:tenant_world).
OBJECT_FOR_KWARG = {
    "client_id": "client",
    "contact_id": "contact",
    "membership_id": "membership",
    "invitation_id": "invitation",
    "project_id": "project",
    "task_id": "task",
    "dependency_id": "dependency",
    "input_id": "required_input",
    "template_id": "template",
    "closure_id": "closure",
    "escalation_id": "escalation",
    "request_id": "approval_request",
    "version_id": "version",
    "page": "version_page",
    "comment_id": "comment",
    "entry_id": "decision_entry",
    "change_request_id": "change_request",
    "item_id": "library_item",
    "library_version_id": "library_version",
    "message_id": "inbound_message",
    "attachment_id": "inbound_attachment",
    "notification_id": "notification",
    "piece_id": "content_piece",
    "campaign_id": "reporting_campaign",
    "import_id": "report_import",
    "time_entry_id": "time_entry",
    "job_id": "drafting_job",
    "insight_id": "insight_draft",
    "issue_id": "report_issue",
    "task_attachment_id": "task_attachment",
    "checklist_item_id": "checklist_item",
}
# Kwargs that carry a number of their object rather than its id: ``<int:page>`` is the page's number
# within the version. They are never mixed across worlds on their own (page 1 exists everywhere).
ATTRIBUTE_FOR_KWARG = {"page": "number"}
# For API routes taking ``pk``: the model of the view's queryset says which object...
OBJECT_FOR_MODEL = {
    Client: "client",
    ClientContact: "contact",
    Membership: "membership",
    Invitation: "invitation",
    Project: "project",
    Task: "task",
    Escalation: "escalation",
    ApprovalRequest: "approval_request",
    AssetVersion: "version",
    Comment: "comment",
    DecisionLogEntry: "decision_entry",
    ChangeRequest: "change_request",
    LibraryItem: "library_item",
    ReportingCampaign: "reporting_campaign",
    ReportImport: "report_import",
    TimeEntry: "time_entry",
    InsightDraft: "insight_draft",
    ReportIssue: "report_issue",
}
# ...or, for a view without a queryset, the path segment just before ``<int:pk>``.
OBJECT_FOR_PK_SEGMENT = {
    "brand-files": "library_item",
    "clients": "client",
    "contacts": "contact",
    "members": "membership",
    "projects": "project",
    "tasks": "task",
    "approvals": "approval_request",
    "versions": "version",
    "comments": "comment",
    "decisions": "decision_entry",
    "change-requests": "change_request",
}
# Routes that take an object's id in their query string: the parameter and the tenant_world key it stands for.
# Every rows-behind route, staff or portal, must be listed (a test checks), so a new source cannot skip it.
OBJECT_FOR_QUERY = {
    "reporting_rows_facts": {"campaign": "reporting_campaign"},
    "reporting_rows_tasks": {"project": "project"},
    "reporting_rows_deadline_changes": {"task": "task"},
    "reporting_rows_approvals": {"approval": "approval_request"},
    "reporting_rows_time": {"project": "project"},
    "portal_rows_facts": {"campaign": "reporting_campaign"},
    "portal_rows_tasks": {"project": "project"},
}
QUERY_ROUTE_PREFIXES = ("reporting_rows_", "portal_rows_")
# Where the client portal lives; every other route is for staff.
PORTAL_PREFIXES = ("portal/", "api/v1/portal/")

MISSING_ID = 2_147_483_647
PAGE_METHODS = ("get", "post")
API_METHODS = ("get", "post", "put", "patch", "delete")
KWARG = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]

    @property
    def kind(self) -> str:
        """Either api (JSON, 401/403 when logged out) or page (HTML, a redirect to the login)."""
        return "api" if self.route.startswith("api/") else "page"

    @property
    def audience(self) -> str:
        """Either portal (for client contacts) or staff (for the agency's team)."""
        return "portal" if self.route.startswith(PORTAL_PREFIXES) else "staff"

    @property
    def is_public(self) -> bool:
        return self.name in PUBLIC_ROUTES

    @property
    def is_tenant(self) -> bool:
        return "agency_slug" in self.kwargs

    @property
    def object_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k != "agency_slug")

    @property
    def id_kwargs(self) -> tuple[str, ...]:
        """The object kwargs that name an object by its id (so another tenant's id can be put in)."""
        return tuple(k for k in self.object_kwargs if k not in ATTRIBUTE_FOR_KWARG)

    @property
    def methods(self) -> tuple[str, ...]:
        return API_METHODS if self.kind == "api" else PAGE_METHODS

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def tenant_policy(self) -> str | None:
        return getattr(self.callback, "tenant_policy", None) or getattr(
            self.view_class, "tenant_policy", None
        )

    def object_key(self, kwarg: str) -> str:
        """The tenant_world key this kwarg is filled from; UnknownKwarg when the walker cannot tell."""
        if kwarg in OBJECT_FOR_KWARG:
            return OBJECT_FOR_KWARG[kwarg]
        if kwarg == "pk":
            model = getattr(getattr(self.view_class, "queryset", None), "model", None)
            if model in OBJECT_FOR_MODEL:
                return OBJECT_FOR_MODEL[model]
            segment = re.search(r"(\w[\w-]*)/<int:pk>", self.route)
            if model is None and segment and segment[1] in OBJECT_FOR_PK_SEGMENT:
                return OBJECT_FOR_PK_SEGMENT[segment[1]]
            raise UnknownKwarg(
                f"Route /{self.route} ({self.name}) takes <pk> of {model!r}, which the isolation walker "
                "cannot fill: add the model to OBJECT_FOR_MODEL in tests/security/test_isolation_walker.py "
                "(and set `queryset = Model.objects.none()` on the view so the walker can see it)."
            )
        raise UnknownKwarg(
            f"Route /{self.route} ({self.name}) takes <{kwarg}>, which the isolation walker does not know: "
            "add it to OBJECT_FOR_KWARG in tests/security/test_isolation_walker.py and an object for it in "
            "tests/security/conftest.py:tenant_world, or list the route in PUBLIC_ROUTES if it is public."
        )

    def is_fillable(self) -> bool:
        try:
            for kwarg in self.object_kwargs:
                self.object_key(kwarg)
        except UnknownKwarg:
            return False
        return True

    def url(self, slug_world: dict, object_worlds: dict[str, dict], missing: bool = False) -> str:
        """A concrete URL: the slug from slug_world, each object kwarg from its world (or a missing id)."""

        def fill(match: re.Match) -> str:
            kwarg = match["name"]
            if kwarg == "agency_slug":
                return slug_world["agency"].slug
            if missing:
                return str(MISSING_ID)
            key = self.object_key(kwarg)
            world = object_worlds[kwarg] if kwarg in object_worlds else object_worlds["*"]
            return str(getattr(world[key], ATTRIBUTE_FOR_KWARG.get(kwarg, "pk")))

        return "/" + KWARG.sub(fill, self.route)


class UnknownKwarg(Exception):
    """A route kwarg the walker has no object for."""


def _walk(patterns: list, prefix: str = "") -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if route.lstrip("^").startswith(SKIPPED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            if entry.name in SKIPPED_NAMES:
                continue
            if not hasattr(entry.pattern, "converters"):
                pytest.fail(f"/{route} is a regex route; the isolation walker only fills path() routes.")
            yield Route(route, entry.name, entry.callback, tuple(m["name"] for m in KWARG.finditer(route)))


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def probed_routes() -> list[Route]:
    return [r for r in all_routes() if not r.is_public]


@dataclass
class Crash:
    """A view that raised instead of answering: reported with the rest rather than stopping the walk."""

    error: Exception
    status_code: int = 500

    def __getitem__(self, header: str) -> str:
        return ""

    def get(self, header: str, default: str = "") -> str:
        return f"raised {type(self.error).__name__}: {self.error}"

    @property
    def content(self) -> bytes:
        return repr(self.error).encode()


def _send(http: HttpClient, method: str, url: str, kind: str):
    try:
        if kind == "api" and method != "get":
            return getattr(http, method)(url, data=json.dumps({}), content_type="application/json")
        return getattr(http, method)(url)
    except Exception as error:  # any crash is a finding, listed with the others
        return Crash(error)


def _body(response) -> bytes:
    """The whole body, streamed files included (a version's file or page is a FileResponse)."""
    if getattr(response, "streaming", False):
        # The test client closes the file once it is read to the end (and never the test's connection).
        return b"".join(response.streaming_content)
    return response.content


def _normalised(response, url: str) -> bytes:
    return _body(response).replace(url.encode(), b"<url>")


def _expect_not_found(http: HttpClient, route: Route, url: str, missing_url: str | None = None) -> list[str]:
    """Every method answers 404 (or 405 where the route does not take it), at least one a 404, and each
    404 reads exactly like the one for a missing object. Returns what went wrong."""
    problems, found_404 = [], False
    for method in route.methods:
        response = _send(http, method, url, route.kind)
        if response.status_code == 405:
            continue
        if response.status_code != 404:
            where = f" → {response['Location']}" if response.status_code in (301, 302) else ""
            if isinstance(response, Crash):
                where = " " + response.get("error")
            problems.append(f"{method.upper()} {url}: {response.status_code}{where} (expected 404)")
            continue
        found_404 = True
        if missing_url is not None:
            missing = _send(http, method, missing_url, route.kind)
            if _normalised(missing, missing_url) != _normalised(response, url):
                problems.append(f"{method.upper()} {url}: the 404 differs from a missing object's 404")
    if not found_404 and not problems:
        problems.append(f"{url}: no method answered 404 (all 405)")
    return problems


def _report(problems: list[str], what: str) -> None:
    assert not problems, f"{len(problems)} tenant-isolation failures ({what}):\n" + "\n".join(problems)


def _snapshot() -> list:
    """Every tenant row the walk could touch, to show that refused requests changed nothing."""
    models = (
        Client, ClientContact, Membership, Invitation,
        Project, Task, TaskDependency, RequiredInput, ProjectTemplate, AgencyClosure,
        Escalation, EscalationEvent,
        ApprovalRequest, AssetVersion, VersionPage, Comment, ReviewerDecision, DecisionLogEntry,
        ChangeRequest, ChangeRequestDecision, Notification,
        InboundAddress, InboundMessage, InboundAttachment,
        BrandLayerVersion, BrandSettings, ContentPiece, ContentVersion, FindingDismissal, ContentTransition,
        DecisionConstraint,
    )  # fmt: skip
    with scopes_disabled():
        return [list(model.objects.order_by("pk").values()) for model in models]


def _mixed_worlds(route: Route, home: dict, foreign: dict) -> list[dict]:
    """The foreign world's objects for every kwarg, then for one id kwarg at a time (home's for the rest)."""
    variants = [{"*": foreign}]
    if len(route.id_kwargs) > 1:
        variants += [{"*": home, kwarg: foreign} for kwarg in route.id_kwargs]
    return variants


def _walked(routes: list[Route], what: str) -> None:
    print(f"isolation walker probed {len(routes)} routes ({what})")
    assert routes, f"the walker found no routes for: {what}"


def test_the_walker_finds_the_routes_and_knows_how_to_fill_every_one(worlds):
    routes = probed_routes()
    names = {r.name for r in all_routes()}

    assert PUBLIC_ROUTES <= names, f"PUBLIC_ROUTES names routes that no longer exist: {PUBLIC_ROUTES - names}"
    for kind in ("api", "page"):
        for audience in ("staff", "portal"):
            assert any(r.kind == kind and r.audience == audience for r in routes), (kind, audience)
    unknown = []
    for route in routes:
        try:
            route.url(worlds["A"], {"*": worlds["B"]})
        except UnknownKwarg as error:
            unknown.append(str(error))
    # Until these are taught to the walker, the cases below can only check them logged out.
    assert not unknown, f"{len(unknown)} routes the isolation walker cannot fill:\n" + "\n".join(unknown)
    print(f"isolation walker knows {len(routes)} guarded routes ({len(all_routes())} in all)")


def test_a_route_with_a_kwarg_the_walker_does_not_know_fails_loudly():
    pattern = "<slug:agency_slug>/briefs/<int:brief_id>/"
    route = Route(
        pattern, "brief_detail", lambda request: None, tuple(m["name"] for m in KWARG.finditer(pattern))
    )
    world = {"agency": SimpleNamespace(slug="northwind")}

    assert not route.is_fillable()
    with pytest.raises(UnknownKwarg, match="<brief_id>.*OBJECT_FOR_KWARG"):
        route.url(world, {"*": world})


def test_every_guarded_route_declares_the_tenant_policy_its_url_implies():
    wrong = []
    for route in probed_routes():
        expected = {"portal"} if route.audience == "portal" else {"agency"}
        if not route.is_tenant:
            expected = {"user", "agency", "portal"}
        if route.tenant_policy not in expected:
            wrong.append(
                f"/{route.route} ({route.name}): tenant_policy={route.tenant_policy!r}, expected {expected}"
            )
    _report(wrong, "views without @agency_view / @portal_view / TenantScopedAPIMixin / PortalAPIView")


def _tenant_routes(audience: str | None = None, *, with_objects: bool = False) -> list[Route]:
    return [
        r
        for r in probed_routes()
        if r.is_tenant
        and r.is_fillable()
        and (audience is None or r.audience == audience)
        and (r.id_kwargs or not with_objects)
    ]


# --- (a) staff of agency A -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_owner_of_one_agency_gets_404_for_another_agencys_objects_through_their_own_urls(worlds, as_owner):
    before = _snapshot()
    problems, routes = [], _tenant_routes("staff", with_objects=True)
    for route in routes:
        missing_url = route.url(worlds["A"], {}, missing=True)
        for objects in _mixed_worlds(route, worlds["A"], worlds["B"]):
            problems += _expect_not_found(as_owner, route, route.url(worlds["A"], objects), missing_url)

    _walked(routes, "own agency's staff URLs, other agency's objects")
    _report(problems, "agency A's URLs with agency B's objects")
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_owner_of_one_agency_gets_404_for_every_url_of_another_agency(worlds, as_owner):
    before = _snapshot()
    problems, routes = [], _tenant_routes()
    for route in routes:
        problems += _expect_not_found(as_owner, route, route.url(worlds["B"], {"*": worlds["B"]}))

    _walked(routes, "other agency's URLs, staff and portal")
    _report(problems, "agency B's URLs as an owner of A")
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_owner_is_not_a_client_contact_so_their_own_agencys_portal_is_a_404(worlds, as_owner):
    before = _snapshot()
    problems, routes = [], _tenant_routes("portal")
    for route in routes:
        problems += _expect_not_found(as_owner, route, route.url(worlds["A"], {"*": worlds["A"]}))

    _walked(routes, "own agency's portal as staff")
    _report(problems, "agency A's portal as an owner of A")
    assert _snapshot() == before


# --- (b) a contact of client X of agency A --------------------------------------------------------------


@pytest.mark.django_db
def test_a_client_contact_never_reaches_a_staff_page_or_api_route(worlds, as_contact):
    before = _snapshot()
    portal_root = resolve_url("portal_index")
    problems, routes = [], _tenant_routes("staff")
    for route in routes:
        # Staff pages and API of the contact's own agency, with its own client's objects: still never theirs.
        url = route.url(worlds["A"], {"*": worlds["A"]})
        statuses = []
        for method in route.methods:
            response = _send(as_contact, method, url, route.kind)
            to_portal = response.status_code == 302 and response["Location"].startswith(portal_root)
            statuses.append(response.status_code)
            if response.status_code not in (404, 405) and not to_portal:
                problems.append(
                    f"{method.upper()} {url}: {response.status_code} (expected 404 or the portal)"
                )
        if set(statuses) == {405}:
            problems.append(f"{url}: no method answered 404 (all 405)")

    _walked(routes, "staff routes as a client contact")
    _report(problems, "a client contact of agency A on A's staff routes")
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_client_contact_gets_404_for_another_agencys_portal_and_its_objects_in_their_own(
    worlds, as_contact
):
    before = _snapshot()
    problems, routes = [], _tenant_routes("portal")
    for route in routes:
        problems += _expect_not_found(as_contact, route, route.url(worlds["B"], {"*": worlds["B"]}))
        if not route.id_kwargs:
            continue
        missing_url = route.url(worlds["A"], {}, missing=True)
        for objects in _mixed_worlds(route, worlds["A"], worlds["B"]):
            problems += _expect_not_found(as_contact, route, route.url(worlds["A"], objects), missing_url)

    _walked(routes, "portal routes of another agency, as a client contact")
    _report(problems, "a client contact of agency A on agency B's portal and objects")
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_client_contact_gets_404_for_another_clients_objects_in_their_own_portal(worlds, as_contact):
    """The point of the portal's isolation: client Y of the same agency is as unseen as a missing object."""
    home, other = worlds["A"], worlds["A/Y"]
    before = _snapshot()
    problems, routes = [], _tenant_routes("portal", with_objects=True)
    for route in routes:
        same = [k for k in route.id_kwargs if other[route.object_key(k)] == home[route.object_key(k)]]
        assert not same, (
            f"/{route.route} ({route.name}) takes {same}, whose object is not one client's: add client Y's "
            "to tests/security/conftest.py (CLIENT_KEYS, other_client_world) so the client check is probed."
        )
        missing_url = route.url(home, {}, missing=True)
        for objects in _mixed_worlds(route, home, other):
            problems += _expect_not_found(as_contact, route, route.url(home, objects), missing_url)

    _walked(routes, "own portal with another client's objects")
    _report(problems, "a contact of client X with client Y's objects")
    assert _snapshot() == before


# --- (c) nobody logged in ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nobody_logged_out_gets_past_the_login(worlds, client):
    login = resolve_url(settings.LOGIN_URL)
    before = _snapshot()
    routes = probed_routes()
    problems = []
    for route in routes:
        # The login gate comes before any lookup, so a route the walker cannot fill gets a missing id.
        url = route.url(worlds["A"], {"*": worlds["A"]}, missing=not route.is_fillable())
        for method in ("get", "post"):
            response = _send(client, method, url, route.kind)
            if response.status_code == 405 and method == "get":
                continue
            if route.kind == "api":
                if response.status_code not in (401, 403):
                    problems.append(f"{method.upper()} {url}: {response.status_code} (expected 401 or 403)")
            elif response.status_code != 302 or not response["Location"].startswith(login):
                where = response.get("Location", "")
                problems.append(
                    f"{method.upper()} {url}: {response.status_code} {where} (expected the login)"
                )
            break

    _walked(routes, "logged out")
    assert len(routes) >= len(all_routes()) - len(PUBLIC_ROUTES)
    _report(problems, "anonymous visitor")
    assert _snapshot() == before


# --- the walker's own objects are real, and what they show stays inside the boundary ----------------------


def _opens_without_leaking(
    http: HttpClient, route: Route, url: str, foreign: dict[str, str]
) -> tuple[list[str], bytes]:
    """GET url as its rightful caller: it must answer (not 404, not an error) and show no foreign marker."""
    response = _send(http, "get", url, route.kind)
    if response.status_code == 405:
        return [], b""
    if response.status_code >= 400:
        detail = response.get("error") if isinstance(response, Crash) else ""
        return [f"GET {url}: {response.status_code}{detail} (expected its own object to open)"], b""
    body = _body(response)
    return [
        f"GET {url}: shows {what} ({marker})" for what, marker in foreign.items() if marker.encode() in body
    ], body


@pytest.mark.django_db
def test_the_owner_opens_every_staff_route_with_their_own_objects_and_sees_nothing_of_another_agency(
    worlds, as_owner
):
    foreign = {"agency B's approval work": worlds["B"]["marker"]}
    problems, routes = [], _tenant_routes("staff")
    for route in routes:
        found, _ = _opens_without_leaking(
            as_owner, route, route.url(worlds["A"], {"*": worlds["A"]}), foreign
        )
        problems += found

    _walked(routes, "staff routes with their own objects")
    _report(problems, "agency A's own staff routes as its owner")


@pytest.mark.django_db
def test_a_client_contact_opens_every_portal_route_with_their_own_objects_and_sees_no_other_clients_work(
    worlds, as_contact
):
    foreign = {
        "the approval work of client Y, same agency": worlds["A/Y"]["marker"],
        "agency B's approval work": worlds["B"]["marker"],
        "an internal comment of the agency": worlds["A"]["internal_marker"],
    }
    problems, routes, shown_own = [], _tenant_routes("portal"), []
    for route in routes:
        url = route.url(worlds["A"], {"*": worlds["A"]})
        found, body = _opens_without_leaking(as_contact, route, url, foreign)
        problems += found
        if worlds["A"]["marker"].encode() in body:
            shown_own.append(route.name)

    _walked(routes, "portal routes with the contact's own objects")
    _report(problems, "client X's own portal routes as its contact")
    # Otherwise "no foreign marker" would prove nothing: the portal does show the client's own work.
    assert {"portal_home", "portal_approval", "api_portal_approval_list"} <= set(shown_own), shown_own


# --- objects named in the query string ----------------------------------------------------------------


def _query_routes(audience: str) -> list[Route]:
    return [r for r in probed_routes() if r.name in OBJECT_FOR_QUERY and r.audience == audience]


def _with_query(url: str, route: Route, world: dict | None) -> list[str]:
    """The URL with each query parameter in turn set to world's object (or to a missing id)."""
    return [
        f"{url}?{param}={MISSING_ID if world is None else world[key].pk}"
        for param, key in OBJECT_FOR_QUERY[route.name].items()
    ]


def test_every_rows_behind_route_tells_the_walker_which_objects_its_query_string_names():
    names = {r.name for r in all_routes()}
    rows_routes = {n for n in names if n and n.startswith(QUERY_ROUTE_PREFIXES)}
    assert rows_routes == set(OBJECT_FOR_QUERY), (
        "add each rows route's query parameters to OBJECT_FOR_QUERY in tests/security/test_isolation_walker.py: "
        f"missing {rows_routes - set(OBJECT_FOR_QUERY)}, gone {set(OBJECT_FOR_QUERY) - rows_routes}"
    )
    assert {"portal_rows_facts", "portal_rows_tasks"} <= rows_routes


@pytest.mark.django_db
def test_an_owner_gets_404_for_another_agencys_objects_in_the_query_string_and_their_own_open(
    worlds, as_owner
):
    before = _snapshot()
    problems, routes = [], _query_routes("staff")
    for route in routes:
        url = route.url(worlds["A"], {"*": worlds["A"]})
        for own, foreign, missing in zip(
            _with_query(url, route, worlds["A"]),
            _with_query(url, route, worlds["B"]),
            _with_query(url, route, None),
            strict=True,
        ):
            problems += _expect_not_found(as_owner, route, foreign, missing)
            problems += _opens_without_leaking(as_owner, route, own, {"agency B": worlds["B"]["marker"]})[0]

    _walked(routes, "staff rows routes with objects in the query string")
    _report(problems, "agency A's rows pages naming agency B's objects")
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_client_contact_gets_404_for_another_clients_or_agencys_objects_in_the_query_string(
    worlds, as_contact
):
    before = _snapshot()
    problems, routes = [], _query_routes("portal")
    foreign_markers = {"client Y": worlds["A/Y"]["marker"], "agency B": worlds["B"]["marker"]}
    for route in routes:
        url = route.url(worlds["A"], {"*": worlds["A"]})
        for other in ("A/Y", "B"):
            for key in OBJECT_FOR_QUERY[route.name].values():
                assert worlds[other][key] != worlds["A"][key], f"{other} has no {key} of its own"
            for foreign, missing in zip(
                _with_query(url, route, worlds[other]), _with_query(url, route, None), strict=True
            ):
                problems += _expect_not_found(as_contact, route, foreign, missing)
        for own in _with_query(url, route, worlds["A"]):
            problems += _opens_without_leaking(as_contact, route, own, foreign_markers)[0]

    _walked(routes, "portal rows routes with objects in the query string")
    _report(problems, "a contact of client X naming client Y's or agency B's objects")
    assert _snapshot() == before

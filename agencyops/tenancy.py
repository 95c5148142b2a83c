"""Tenant resolution: the only place that turns a URL's agency slug into request.agency.

Views use ``@agency_view`` (staff pages), ``@portal_view`` (client portal pages) or the
``AgencyAPIView`` mixin (API). Each resolves the tenant once, activates the django-scopes scope
for the whole request (rendering included), and answers 404 for an agency the caller does not
belong to, exactly like an agency that does not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from typing import Any, NamedTuple

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django_scopes import scope
from rest_framework.exceptions import NotFound

from agencyops.middleware import session_user_id, session_user_verified, user_known, user_loaded
from agencyops.model_rows import model_loader
from agencyops.models import (
    Agency,
    Client,
    ClientContact,
    ClientStatus,
    Membership,
    Notification,
    Role,
    User,
)
from agencyops.planned_sql import planned_cursor

View = Callable[..., HttpResponse]


@functools.cache
def _membership_columns() -> tuple[
    str, Callable[[Sequence[Any]], Model], Callable[[Sequence[Any]], Model], int
]:
    """What a membership lookup selects of ``m`` (the membership) and ``a`` (its agency), and how to load
    it: the membership, its agency and its person's unread notifications (the shell's bell)."""
    membership_columns, load_membership = model_loader(Membership, "m")
    agency_columns, load_agency = model_loader(Agency, "a")
    notification = Notification._meta
    columns = f"""{membership_columns}, {agency_columns},
               (SELECT count(*) FROM "{notification.db_table}" n
                WHERE n."{notification.get_field("agency").column}" = m."agency_id"
                  AND n."{notification.get_field("recipient").column}" = m."user_id"
                  AND n."{notification.get_field("read_at").column}" IS NULL)"""
    return columns, load_membership, load_agency, len(Membership._meta.concrete_fields)


@functools.cache
def _membership_query() -> str:
    """The membership lookup every API call makes (and a page whose person is already read), written once
    instead of compiled by the ORM on every request (that compiling cost more than the query)."""
    return f"""
        SELECT {_membership_columns()[0]}
        FROM "{Membership._meta.db_table}" m JOIN "{Agency._meta.db_table}" a ON a."id" = m."agency_id"
        WHERE a."slug" = %s AND m."user_id" = %s AND m."is_active"
        LIMIT 1
    """


def membership_for(user: Any, agency_slug: str) -> Membership | None:
    """The active membership of user in the agency with this slug (its agency loaded), or None.

    One query at most (one membership per person and agency); the person is the caller already loaded.
    The shell's bell reads the unread count from this same query, so no page pays a query for it.
    """
    if not user.is_authenticated:
        return None
    sql = _membership_query()
    with planned_cursor() as cursor:
        cursor.execute(sql, [agency_slug, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return _membership_from_row(row, user)


class AgencyChoice(NamedTuple):
    """An agency in the shell's switcher: where it leads and the caller's role there."""

    agency_id: int
    slug: str
    name: str
    role: str


ROLE_LABELS = dict(Role.choices)

# The caller's agencies for the switcher, by name (the caller's own memberships: no tenant to scope by).
AGENCIES_OF_SQL = """
SELECT m.agency_id, a.slug, a.name, m.role
FROM agencyops_membership m JOIN agencyops_agency a ON a.id = m.agency_id
WHERE m.user_id = %s AND m.is_active
ORDER BY a.name
"""


def agencies_of(user_id: Any) -> tuple[AgencyChoice, ...]:
    """Every agency this person works in, by name, for the switcher: one query of four columns."""
    with planned_cursor() as cursor:
        cursor.execute(AGENCIES_OF_SQL, [user_id])
        rows = cursor.fetchall()
    return tuple(AgencyChoice(pk, slug, name, ROLE_LABELS.get(role, role)) for pk, slug, name, role in rows)


@functools.cache
def _member_query() -> tuple[str, Callable[[Sequence[Any]], Model], int]:
    """A staff page's first read: the session's person, their membership here (as ``membership_for`` reads
    it) and every agency they work in, for the switcher. One statement where three dependent reads (person,
    membership, agencies) each cost a round trip on every page."""
    user_columns, load_user = model_loader(User, "u")
    membership, agency = Membership._meta, Agency._meta
    sql = f"""
        SELECT {user_columns}, {_membership_columns()[0]},
               (SELECT array_agg(ARRAY[om."agency_id"::text, oa."slug", oa."name", om."role"] ORDER BY oa."name")
                FROM "{membership.db_table}" om JOIN "{agency.db_table}" oa ON oa."id" = om."agency_id"
                WHERE om."user_id" = u."id" AND om."is_active")
        FROM "{User._meta.db_table}" u
        LEFT JOIN ("{membership.db_table}" m
                   JOIN "{agency.db_table}" a ON a."id" = m."agency_id" AND a."slug" = %s)
          ON m."user_id" = u."id" AND m."is_active"
        WHERE u."id" = %s
        LIMIT 1
    """
    return sql, load_user, len(User._meta.concrete_fields)


def _membership_from_row(row: Sequence[Any], user: Any) -> Membership:
    _columns, load_membership, load_agency, split = _membership_columns()
    membership = load_membership(row[:split])
    membership.agency = load_agency(row[split:-1])
    membership.unread_notifications = row[-1]
    membership.user = user
    return membership


def signed_in_membership(request: HttpRequest, agency_slug: str) -> Membership | None:
    """The active membership in this agency of whoever the request signs in, or None (nobody signed in, or
    no place there). When the person has not been read yet, one statement reads them, the membership and
    the agencies of the switcher (``membership.agencies``); otherwise ``membership_for``."""
    user_id = None if user_loaded(request) else session_user_id(request)
    if user_id is None:
        return membership_for(request.user, agency_slug)
    sql, load_user, membership_at = _member_query()
    with planned_cursor() as cursor:
        cursor.execute(sql, [agency_slug, user_id])
        row = cursor.fetchone()
    user = session_user_verified(request, load_user(row[:membership_at]) if row is not None else None)
    user_known(request, user)
    if not user.is_authenticated or row[membership_at] is None:
        return None
    membership = _membership_from_row(row[membership_at:-1], user)
    membership.agencies = tuple(
        AgencyChoice(int(pk), slug, name, ROLE_LABELS.get(role, role))
        for pk, slug, name, role in row[-1] or ()
    )
    return membership


@functools.cache
def _contact_query() -> tuple[
    str,
    Callable[[Sequence[Any]], Model],
    Callable[[Sequence[Any]], Model],
    Callable[[Sequence[Any]], Model],
    int,
    int,
]:
    """The contact lookup every portal page makes, written once like the membership's."""
    contact_columns, load_contact = model_loader(ClientContact, "cc")
    agency_columns, load_agency = model_loader(Agency, "a")
    client_columns, load_client = model_loader(Client, "c")
    sql = f"""
        SELECT {contact_columns}, {agency_columns}, {client_columns}
        FROM "{ClientContact._meta.db_table}" cc
        JOIN "{Agency._meta.db_table}" a ON a."id" = cc."agency_id"
        JOIN "{Client._meta.db_table}" c ON c."id" = cc."client_id"
        WHERE a."slug" = %s AND cc."user_id" = %s AND cc."is_active" AND c."status" <> %s
        ORDER BY cc."full_name", cc."id"
        LIMIT 1
    """
    first = len(ClientContact._meta.concrete_fields)
    return sql, load_contact, load_agency, load_client, first, first + len(Agency._meta.concrete_fields)


def contact_for(user: Any, agency_slug: str) -> ClientContact | None:
    """The active client contact of user in the agency with this slug (its agency and client loaded), or
    None; a contact of an archived client has no portal. Contacts of two clients at one agency get the
    first by name. One query at most; the person is the caller already loaded."""
    if not user.is_authenticated:
        return None
    sql, load_contact, load_agency, load_client, agency_at, client_at = _contact_query()
    with planned_cursor() as cursor:
        cursor.execute(sql, [agency_slug, user.pk, ClientStatus.ARCHIVED.value])
        row = cursor.fetchone()
    if row is None:
        return None
    contact = load_contact(row[:agency_at])
    contact.agency = load_agency(row[agency_at:client_at])
    contact.client = load_client(row[client_at:])
    contact.user = user
    return contact


def _render_in_scope(
    agency: Agency, view: View, request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponse:
    with scope(agency=agency.pk):
        response = view(request, *args, **kwargs)
        # TemplateResponse renders lazily; render while the tenant scope is still active.
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
    return response


def agency_view(view: View | None = None, *, permission: Callable[[Membership], bool] | None = None) -> Any:
    """Decorate a staff page taking ``agency_slug``: login required, tenant resolved, scope active.

    ``permission`` is a predicate over the membership (see agencyops.permissions); failing it is a 404
    for objects' pages and a 403 for actions, decided by the predicate's caller. Here it is a 403:
    the caller belongs to the agency but their role may not do this.
    """

    def decorate(func: View) -> View:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, agency_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = signed_in_membership(request, agency_slug)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if membership is None:
                raise Http404("No such agency.")
            request.agency = membership.agency  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            if permission is not None and not permission(membership):
                raise PermissionDenied("Your role in this agency does not allow this.")
            return _render_in_scope(membership.agency, func, request, *args, **kwargs)

        wrapper.tenant_policy = "agency"  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate


def portal_view(func: View) -> View:
    """Decorate a client-portal page taking ``agency_slug``: the caller must be a contact of a client there."""

    @functools.wraps(func)
    def wrapper(request: HttpRequest, agency_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        contact = contact_for(request.user, agency_slug)
        if contact is None:
            raise Http404("No such portal.")
        request.agency = contact.agency  # type: ignore[attr-defined]
        request.contact = contact  # type: ignore[attr-defined]
        return _render_in_scope(contact.agency, func, request, *args, **kwargs)

    wrapper.tenant_policy = "portal"  # type: ignore[attr-defined]
    return wrapper


class ScopedAPIMixin:
    """Shared by the staff and portal APIs: after authentication, resolve the tenant from the URL's
    ``agency_slug`` (``resolve_tenant``, 404 when the caller has no place there) and keep its scope
    active until the response is built."""

    request: Any
    kwargs: dict[str, Any]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        self._tenant_scope = ExitStack()
        with self._tenant_scope:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        agency = self.resolve_tenant(request, kwargs.get("agency_slug", ""))
        if agency is None:
            raise NotFound("Not found.")
        request.agency = agency
        self._tenant_scope.enter_context(scope(agency=agency.pk))
        self.tenant_resolved(request)

    def enter(self, context: Any) -> None:
        """Keep another context (a time zone, say) active for the rest of the request."""
        self._tenant_scope.enter_context(context)

    def resolve_tenant(self, request: Any, agency_slug: str) -> Any:
        raise NotImplementedError

    def tenant_resolved(self, request: Any) -> None:
        """Runs once the tenant's scope is active."""


class TenantScopedAPIMixin(ScopedAPIMixin):
    """For DRF views under /api/v1/agencies/{agency_slug}/: the caller's membership is the tenant."""

    tenant_policy = "agency"

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        # A call signed in by its session (a browser's): the person and their membership here in one read,
        # before authentication asks who the person is. A token is read by its own authentication class.
        self._read_with_person = None
        if "HTTP_AUTHORIZATION" not in request._request.META:
            self._read_with_person = signed_in_membership(request._request, kwargs.get("agency_slug", ""))
        super().initial(request, *args, **kwargs)

    def resolve_tenant(self, request: Any, agency_slug: str) -> Any:
        membership = self._read_with_person
        if membership is None or membership.user != request.user:
            membership = membership_for(request.user, agency_slug)
        if membership is None:
            return None
        request.membership = membership
        return membership.agency

    def tenant_resolved(self, request: Any) -> None:
        self.check_role(request.membership)

    def check_role(self, membership: Membership) -> None:
        """Override to refuse a role; runs after the tenant is resolved."""

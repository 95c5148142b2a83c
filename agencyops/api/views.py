"""REST endpoints of the platform layer: tokens, the caller's agencies, clients, team and client contacts.

Each view parses with an input serializer, calls a service (agencyops.services) or a selector, and renders
with a read-only serializer. The tenant comes from TenantScopedAPIMixin; another agency's object is a 404
with the same body as a missing one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import QuerySet
from django_scopes import scopes_disabled
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencyops.api import serializers as api
from agencyops.api.errors import api_exception_handler
from agencyops.api.fields import MAX_DB_ID
from agencyops.api.filters import (
    ChoiceFilterField,
    FilterSerializerMixin,
    FilterSerializerSchema,
    IdFilterField,
)
from agencyops.api.permissions import ROLE_REFUSED, MethodPermission, PermissionMap
from agencyops.models import Client, ClientContact, ClientStatus, Membership
from agencyops.permissions import can_manage_clients, can_manage_members, is_agency_member
from agencyops.selectors.clients import clients_for_list
from agencyops.services import accounts, api_tokens, clients
from agencyops.tenancy import TenantScopedAPIMixin

NOT_FOUND = OpenApiResponse(api.ErrorDetailSerializer, description="No such object in this agency.")
FORBIDDEN = OpenApiResponse(
    api.ErrorDetailSerializer, description="Your role in this agency does not allow this."
)
FIELD_ERRORS = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="Refused input: an object of field name (or `non_field_errors`) to a list of messages.",
)


def parse(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    """The validated input of a request, or a 400 with field messages."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AgencyAPIView(FilterSerializerMixin, TenantScopedAPIMixin, GenericAPIView):
    """Base of every endpoint under /api/v1/agencies/{agency_slug}/: the API kit in one place.

    - ``permission_map``: HTTP method → predicate over the caller's membership (agencyops.api.permissions);
      a refused role is a 403; a view without a map allows nothing.
    - ``filter_serializer_class``: the list's query parameters, validated once into ``self.filters``
      (agencyops.api.filters) and listed in the schema.
    - ``object_or_404(queryset, pk)``: an object through a scoped queryset; another agency's is a 404.
    - Related ids in input: ``ScopedPrimaryKeyRelatedField`` (agencyops.api.fields).
    """

    schema = FilterSerializerSchema()
    permission_map: PermissionMap | None = None

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def check_role(self, membership: Membership) -> None:
        if not MethodPermission().has_permission(self.request, self):
            raise exceptions.PermissionDenied(ROLE_REFUSED)

    def object_or_404(self, queryset: QuerySet, pk: Any) -> Any:
        """The object with this id in ``queryset`` (scoped to the agency), else the one 404 for everything
        absent: another agency's, a missing one, or an id too large to name anything."""
        if not isinstance(pk, int) or not 0 < pk <= MAX_DB_ID:
            raise exceptions.NotFound()
        found = queryset.filter(pk=pk).first()
        if found is None:
            raise exceptions.NotFound()
        return found

    def get_object(self) -> Any:
        # GenericAPIView's lookup, through object_or_404 so an oversized id is a 404 too.
        return self.object_or_404(
            self.get_queryset(), self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        )

    def list_response(self, queryset: QuerySet, serializer_class: type[serializers.Serializer]) -> Response:
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(
            serializer_class(page, many=True, context=self.get_serializer_context()).data
        )

    def render(
        self, instance: Any, serializer_class: type[serializers.Serializer], code: int = 200
    ) -> Response:
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)


# --- Auth ----------------------------------------------------------------------------------


class _PostIsPublic(BasePermission):
    """Anyone may exchange a password for a token; listing and revoking need one (or a session)."""

    def has_permission(self, request, view) -> bool:
        return request.method == "POST" or bool(request.user and request.user.is_authenticated)


class TokenRevokeFilterSerializer(serializers.Serializer):
    # A token's public key is its first few characters (knox: 15); anything longer names no token.
    key = serializers.CharField(
        required=False,
        max_length=64,
        help_text="Revoke this token of yours (its `key`) instead of the one in use.",
    )


@extend_schema(tags=["auth"])
class TokenCreateView(FilterSerializerMixin, APIView):
    """Exchange an email and password for an API token; list your tokens; revoke one."""

    permission_classes = [_PostIsPublic]
    tenant_policy = "public"
    schema = FilterSerializerSchema()
    # Only DELETE reads the query string (``?key=``).
    filter_serializer_class = TokenRevokeFilterSerializer
    filter_methods = ("DELETE",)

    def get_filter_serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "view": self}

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def get_authenticators(self) -> list:
        # Signing in takes no credentials but the password: a stale token header must not refuse it.
        return (
            [] if self.request is not None and self.request.method == "POST" else super().get_authenticators()
        )

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        description="Send `email` and `password`; use the returned token as `Authorization: Token <token>`. "
        "Each call issues a new token, stored only as a digest and valid for API_TOKEN_TTL_DAYS days "
        "(30 by default) from now; use does not extend it. "
        "Repeated wrong passwords lock the email and address out for a while (429).",
        request=api.TokenInputSerializer,
        responses={
            200: api.TokenSerializer,
            400: FIELD_ERRORS,
            429: OpenApiResponse(api.ErrorDetailSerializer, description="Too many failed attempts."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = parse(api.TokenInputSerializer, request)
        # Through authenticate() so django-axes counts failures and refuses locked-out callers.
        # Addresses are stored lower-cased, so "Ana@Example.com" is the same person.
        email = credentials["email"].strip().lower()
        user = authenticate(request=request, username=email, password=credentials["password"])
        if getattr(request, "axes_locked_out", False):
            raise exceptions.Throttled(detail="Too many failed log-in attempts. Try again later.")
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": ["No active account matches that email and password."]}
            )
        instance, token = api_tokens.api_token_issue(user=user)
        return Response({"token": token, "key": instance.token_key, "expires_at": instance.expiry})

    @extend_schema(
        operation_id="auth_token_list",
        summary="List your API tokens",
        description="Every live token of the caller, newest first; `current` marks the one in use.",
        responses={200: api.TokenListItemSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        tokens = api_tokens.api_tokens_of(user=request.user)
        return Response(
            api.TokenListItemSerializer(tokens, many=True, context={"current": request.auth}).data
        )

    @extend_schema(
        operation_id="auth_token_revoke",
        summary="Revoke an API token",
        description="Revokes the token this request was made with, or with `?key=` another of yours.",
        request=None,
        responses={204: None, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def delete(self, request: Request) -> Response:
        key = self.filters.get("key", "")
        if not key:
            if not isinstance(request.auth, AuthToken):
                raise exceptions.ValidationError({"key": ["Signed in by session: say which token (?key=)."]})
            key = request.auth.token_key
        api_tokens.api_token_revoke(user=request.user, key=key)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Agencies ------------------------------------------------------------------------------


@extend_schema(tags=["agencies"])
class AgencyListView(GenericAPIView):
    """The agencies the caller belongs to, with their role in each."""

    queryset = Membership.objects.none()
    serializer_class = api.AgencySerializer
    tenant_policy = "user"

    def get_exception_handler(self) -> Any:
        return api_exception_handler

    def get_queryset(self) -> QuerySet[Membership]:
        # Runs before any tenant is known and filters by the caller, so it only sees their own rows.
        with scopes_disabled():
            return (
                Membership.objects.filter(user=self.request.user, is_active=True)
                .select_related("agency")
                .order_by("agency__name", "pk")
            )

    @extend_schema(
        operation_id="agencies_list", summary="Your agencies", responses=api.AgencySerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(api.AgencySerializer(page, many=True).data)


# --- Clients -------------------------------------------------------------------------------


class ClientFilterSerializer(serializers.Serializer):
    status = ChoiceFilterField(
        choices=ClientStatus.values, what="a client status", help_text="Only clients with this status."
    )


@extend_schema(tags=["clients"])
class ClientListView(AgencyAPIView):
    """The agency's clients; owners and coordinators add new ones."""

    queryset = Client.objects.none()
    serializer_class = api.ClientSerializer
    filter_serializer_class = ClientFilterSerializer
    permission_map = {"GET": is_agency_member, "POST": can_manage_clients}

    def get_queryset(self) -> QuerySet[Client]:
        return clients_for_list(self.request.agency, status="all")

    @extend_schema(
        operation_id="clients_list",
        summary="List clients",
        responses={200: api.ClientSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(
            clients_for_list(request.agency, status=self.filters.get("status") or "all"), api.ClientSerializer
        )

    @extend_schema(
        operation_id="clients_create",
        summary="Add a client",
        request=api.ClientCreateInputSerializer,
        responses={201: api.ClientSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.ClientCreateInputSerializer, request)
        client = clients.client_create(actor=request.membership, **data)
        return self.render(
            self.get_queryset().get(pk=client.pk), api.ClientSerializer, status.HTTP_201_CREATED
        )


@extend_schema(tags=["clients"])
class ClientDetailView(AgencyAPIView):
    """One client: read it, edit its details, or pause, archive and reactivate it through ``status``."""

    queryset = Client.objects.none()
    serializer_class = api.ClientSerializer
    permission_map = {"GET": is_agency_member, "PATCH": can_manage_clients}

    def get_queryset(self) -> QuerySet[Client]:
        return clients_for_list(self.request.agency, status="all")

    @extend_schema(
        operation_id="clients_retrieve",
        summary="Get a client",
        responses={200: api.ClientSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(self.get_object(), api.ClientSerializer)

    @extend_schema(
        operation_id="clients_partial_update",
        summary="Edit a client or change its status",
        request=api.ClientUpdateInputSerializer,
        responses={200: api.ClientSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        client = self.get_object()
        data = parse(api.ClientUpdateInputSerializer, request)
        new_status = data.pop("status", None)
        # Details and status change together or not at all.
        with transaction.atomic():
            if data:
                client = clients.client_update(actor=request.membership, client=client, **data)
            if new_status is not None and new_status != client.status:
                client = clients.client_set_status(actor=request.membership, client=client, status=new_status)
        return self.render(self.get_queryset().get(pk=client.pk), api.ClientSerializer)


# --- Members -------------------------------------------------------------------------------


def team_for_api() -> QuerySet[Membership]:
    """The active team of the agency in scope, people's names and emails joined in."""
    return Membership.objects.filter(is_active=True).select_related("user").order_by("user__full_name", "pk")


@extend_schema(tags=["team"])
class MemberListView(AgencyAPIView):
    """The agency's team; owners invite new people (the invitation is emailed, its token never returned)."""

    queryset = Membership.objects.none()
    serializer_class = api.MembershipSerializer
    permission_map = {"GET": is_agency_member, "POST": can_manage_members}

    def get_queryset(self) -> QuerySet[Membership]:
        return team_for_api()

    @extend_schema(
        operation_id="members_list",
        summary="List the team",
        responses={200: api.MembershipSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.list_response(self.get_queryset(), api.MembershipSerializer)

    @extend_schema(
        operation_id="members_invite",
        summary="Invite a person to the team",
        description="Owners only. Emails an expiring link; a new invitation replaces a pending one "
        "for the same address.",
        request=api.MemberInviteInputSerializer,
        responses={201: api.InvitationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.MemberInviteInputSerializer, request)
        issued = accounts.invitation_create(actor=request.membership, **data)
        return self.render(issued.invitation, api.InvitationSerializer, status.HTTP_201_CREATED)


@extend_schema(tags=["team"])
class MemberDetailView(AgencyAPIView):
    """One person on the team; owners change their role, discipline and capacity, or take them off it."""

    queryset = Membership.objects.none()
    serializer_class = api.MembershipSerializer
    permission_map = {"GET": is_agency_member, "PATCH": can_manage_members, "DELETE": can_manage_members}

    def get_queryset(self) -> QuerySet[Membership]:
        return team_for_api()

    @extend_schema(
        operation_id="members_retrieve",
        summary="Get a team member",
        responses={200: api.MembershipSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(self.get_object(), api.MembershipSerializer)

    @extend_schema(
        operation_id="members_partial_update",
        summary="Change a member's role, discipline or capacity",
        description="Owners only. The last owner cannot be demoted.",
        request=api.MemberUpdateInputSerializer,
        responses={200: api.MembershipSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        membership = self.get_object()
        data = parse(api.MemberUpdateInputSerializer, request)
        membership = accounts.membership_update(actor=request.membership, membership=membership, **data)
        return self.render(self.get_queryset().get(pk=membership.pk), api.MembershipSerializer)

    @extend_schema(
        operation_id="members_remove",
        summary="Take a person off the team",
        description="Owners only. Their history stays; the last owner cannot leave.",
        responses={204: None, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request: Request, agency_slug: str, pk: int) -> Response:
        accounts.membership_remove(actor=request.membership, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Client contacts -----------------------------------------------------------------------


def contacts_for_api() -> QuerySet[ClientContact]:
    """Every contact of the agency in scope, with their client's name joined in."""
    return ClientContact.objects.select_related("client").order_by("client__name", "full_name", "pk")


class ContactFilterSerializer(serializers.Serializer):
    client = IdFilterField(what="client", help_text="Only contacts of the client with this id.")


@extend_schema(tags=["client contacts"])
class ContactListView(AgencyAPIView):
    """People at the agency's clients; owners and coordinators add new ones."""

    queryset = ClientContact.objects.none()
    serializer_class = api.ClientContactSerializer
    filter_serializer_class = ContactFilterSerializer
    permission_map = {"GET": is_agency_member, "POST": can_manage_clients}

    def get_queryset(self) -> QuerySet[ClientContact]:
        return contacts_for_api()

    @extend_schema(
        operation_id="contacts_list",
        summary="List client contacts",
        responses={200: api.ClientContactSerializer(many=True), 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        contacts = self.get_queryset()
        if self.filters.get("client") is not None:
            contacts = contacts.filter(client_id=self.filters["client"])
        return self.list_response(contacts, api.ClientContactSerializer)

    @extend_schema(
        operation_id="contacts_create",
        summary="Add a contact at a client",
        description="A client's first contact becomes its default final approver.",
        request=api.ClientContactCreateInputSerializer,
        responses={201: api.ClientContactSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str) -> Response:
        data = parse(api.ClientContactCreateInputSerializer, request)
        contact = clients.client_contact_create(actor=request.membership, **data)
        return self.render(
            self.get_queryset().get(pk=contact.pk), api.ClientContactSerializer, status.HTTP_201_CREATED
        )


@extend_schema(tags=["client contacts"])
class ContactDetailView(AgencyAPIView):
    """One client contact: read it or edit it."""

    queryset = ClientContact.objects.none()
    serializer_class = api.ClientContactSerializer
    permission_map = {"GET": is_agency_member, "PATCH": can_manage_clients}

    def get_queryset(self) -> QuerySet[ClientContact]:
        return contacts_for_api()

    @extend_schema(
        operation_id="contacts_retrieve",
        summary="Get a client contact",
        responses={200: api.ClientContactSerializer, 404: NOT_FOUND},
    )
    def get(self, request: Request, agency_slug: str, pk: int) -> Response:
        return self.render(self.get_object(), api.ClientContactSerializer)

    @extend_schema(
        operation_id="contacts_partial_update",
        summary="Edit a client contact",
        description="Naming a contact default approver unmarks the previous one.",
        request=api.ClientContactUpdateInputSerializer,
        responses={200: api.ClientContactSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def patch(self, request: Request, agency_slug: str, pk: int) -> Response:
        contact = self.get_object()
        data = parse(api.ClientContactUpdateInputSerializer, request)
        contact = clients.client_contact_update(actor=request.membership, contact=contact, **data)
        return self.render(self.get_queryset().get(pk=contact.pk), api.ClientContactSerializer)

"""The agency's calendar settings and inviting a client contact to the portal, for scripts.

Mounted under /api/v1/agencies/{agency_slug}/ by agencyops/api/urls.py; each view calls the same service as
the settings and contact pages.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from agencyops.api.views import FIELD_ERRORS, FORBIDDEN, NOT_FOUND, AgencyAPIView, parse
from agencyops.models import Agency, ClientContact
from agencyops.permissions import can_manage_clients, is_agency_member, is_owner
from agencyops.services import accounts, clients


class AgencySettingsSerializer(serializers.Serializer):
    time_zone = serializers.CharField(
        max_length=64, required=False, help_text="An IANA name, e.g. Europe/Berlin."
    )
    country = serializers.CharField(
        max_length=2, required=False, help_text="ISO 3166 code; public holidays come from it."
    )
    subdivision = serializers.CharField(
        max_length=10, allow_blank=True, required=False, help_text="Region for public holidays, e.g. BY."
    )
    working_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        required=False,
        help_text="Monday is 0, Sunday 6.",
    )


@extend_schema(tags=["agency"])
class AgencySettingsView(AgencyAPIView):
    """The agency's calendar: country and region (public holidays), time zone and working days."""

    queryset = Agency.objects.none()
    serializer_class = AgencySettingsSerializer
    permission_map = {"GET": is_agency_member, "PATCH": is_owner}
    # Plain values only: JSON (the schema then offers nothing a form body could be refused for).
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="agency_settings_retrieve",
        summary="Get the agency's calendar settings",
        responses={200: AgencySettingsSerializer},
    )
    def get(self, request: Request, agency_slug: str) -> Response:
        return self.render(request.agency, AgencySettingsSerializer)

    @extend_schema(
        operation_id="agency_settings_update",
        summary="Change the agency's calendar settings",
        description="Send only what changes. Owners only; plans made later follow the new calendar.",
        request=AgencySettingsSerializer,
        responses={200: AgencySettingsSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
    )
    def patch(self, request: Request, agency_slug: str) -> Response:
        data = parse(AgencySettingsSerializer, request)
        agency = accounts.agency_update(actor=request.membership, agency=request.agency, **data)
        return self.render(agency, AgencySettingsSerializer)


class ContactInvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)


@extend_schema(tags=["client contacts"])
class ContactInviteView(AgencyAPIView):
    """Email a client contact a link to the approval portal."""

    queryset = ClientContact.objects.none()
    serializer_class = ContactInvitationSerializer
    permission_map = {"POST": can_manage_clients}

    @extend_schema(
        operation_id="contacts_invite",
        summary="Invite a contact to the portal",
        description="Refused while the client is archived, the contact is inactive or already has a login.",
        request=None,
        responses={201: ContactInvitationSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, agency_slug: str, pk: int) -> Response:
        contact = self.object_or_404(ClientContact.objects.all(), pk)
        issued = clients.client_contact_invite(actor=request.membership, contact=contact)
        return self.render(issued.invitation, ContactInvitationSerializer, status.HTTP_201_CREATED)

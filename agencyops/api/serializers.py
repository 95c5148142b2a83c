"""API shapes of the platform layer. Serializers only parse input and render output; writes are services.

Input serializers are named ``...InputSerializer`` and never ``save()``; output serializers are read-only.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencyops.api.fields import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from agencyops.models import (
    Client,
    ClientContact,
    ClientStatus,
    Discipline,
    Invitation,
    Membership,
    Role,
)

# --- Auth ----------------------------------------------------------------------------------


class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, write_only=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <token>`.")
    key = serializers.CharField(read_only=True, help_text="The token's public key, to list or revoke it.")
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="Fixed at issue; use does not extend it."
    )


class TokenListItemSerializer(serializers.Serializer):
    """One of the caller's tokens: never the token itself, which is stored only as a digest."""

    key = serializers.CharField(source="token_key", read_only=True)
    created_at = serializers.DateTimeField(source="created", read_only=True)
    expires_at = serializers.DateTimeField(source="expiry", read_only=True, allow_null=True)
    current = serializers.SerializerMethodField(help_text="The token this request was made with.")

    def get_current(self, token) -> bool:
        return token.pk == getattr(self.context.get("current"), "pk", None)


# --- Agencies ------------------------------------------------------------------------------


class AgencySerializer(serializers.Serializer):
    """One of the caller's agencies, rendered from their membership of it."""

    slug = serializers.SlugField(source="agency.slug", read_only=True)
    name = serializers.CharField(source="agency.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)


# --- Clients -------------------------------------------------------------------------------


class ClientSerializer(serializers.ModelSerializer):
    contacts_count = serializers.IntegerField(read_only=True, help_text="Active contacts at this client.")
    default_approver_name = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The contact named as final approver on new approval requests.",
    )

    # Declared by hand: an empty website is "", which the model's URL format would call invalid.
    website = serializers.CharField(read_only=True, help_text="The client's website (a URL), or empty.")

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "slug",
            "status",
            "website",
            "notes",
            "logo",
            "contacts_count",
            "default_approver_name",
            "created_at",
            "archived_at",
        ]
        read_only_fields = fields


class ClientCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(
        max_length=60, required=False, allow_blank=True, help_text="Made from the name when left out."
    )
    website = serializers.URLField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ClientUpdateInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    slug = serializers.SlugField(max_length=60, required=False)
    website = serializers.URLField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(
        choices=ClientStatus.choices, required=False, help_text="Archiving closes the client's portal."
    )


# --- Members and invitations ----------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    # Empty for owners and coordinators: the schema must allow "" beside the disciplines.
    discipline = serializers.ChoiceField(choices=Discipline.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "role", "discipline", "weekly_capacity_hours", "joined_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation as the inviter sees it; the link's token is only ever in the email."""

    discipline = serializers.ChoiceField(choices=Discipline.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "kind",
            "email",
            "role",
            "discipline",
            "weekly_capacity_hours",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


class MemberInviteInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    discipline = serializers.ChoiceField(
        choices=Discipline.choices, required=False, allow_blank=True, default=""
    )
    weekly_capacity_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, default=40
    )


class MemberUpdateInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    discipline = serializers.ChoiceField(choices=Discipline.choices, required=False, allow_blank=True)
    weekly_capacity_hours = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)


# --- Client contacts -----------------------------------------------------------------------


class ClientContactSerializer(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name", read_only=True)
    has_portal_access = serializers.SerializerMethodField()

    class Meta:
        model = ClientContact
        fields = [
            "id",
            "client",
            "client_name",
            "full_name",
            "email",
            "job_title",
            "is_default_approver",
            "is_active",
            "has_portal_access",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_has_portal_access(self, contact: ClientContact) -> bool:
        return contact.user_id is not None


class ClientContactCreateInputSerializer(ScopedInputSerializer):
    # Another agency's client is refused like a missing one.
    client = ScopedPrimaryKeyRelatedField(
        model=Client,
        message="No such client in this agency.",
        help_text="Id of one of this agency's clients.",
    )
    full_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_default_approver = serializers.BooleanField(required=False)


class ClientContactUpdateInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False)
    job_title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_default_approver = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


# --- Errors (schema only) ------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()

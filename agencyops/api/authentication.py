"""API tokens: django-rest-knox's hashed tokens (only a digest is stored), each expiring API_TOKEN_TTL_DAYS
after it was issued. Expiry is fixed, not sliding: using a token does not extend it."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """Knox's token check, sending ``Authorization: Token <token>`` as before.

    Knox also sweeps the user's other expired tokens on every request (one more query each time); here
    only the presented token is checked, and expired ones are purged when their owner lists or issues
    tokens (agencyops.services.api_tokens).
    """

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


class ExpiringTokenScheme(OpenApiAuthenticationExtension):
    """Documents the token header in the OpenAPI schema exactly as DRF's token scheme was."""

    target_class = "agencyops.api.authentication.ExpiringTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'An API token with the prefix "Token", from POST /api/v1/auth/token/.',
        }

"""The portal's brand-layer page, mounted at portal/<agency_slug>/ (the platform includes it by name)."""

from brandkit.urls import portal_urlpatterns as urlpatterns  # noqa: F401

"""The calendar feed's URL, mounted at the site root by agencyops/urls.py (by name, so the platform imports
no product app)."""

from projects.urls import feed_urlpatterns as urlpatterns

__all__ = ["urlpatterns"]

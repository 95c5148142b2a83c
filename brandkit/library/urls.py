"""Library pages, mounted at <agency_slug>/library/."""

from django.urls import path

from brandkit.library import views

urlpatterns = [
    path("", views.library_index, name="library"),
    path("new/", views.library_item_new, name="library_item_new"),
    path("bin/", views.library_bin, name="library_bin"),
    path("<int:item_id>/", views.library_item, name="library_item"),
    path("<int:item_id>/edit/", views.library_item_edit, name="library_item_edit"),
    path("<int:item_id>/versions/new/", views.library_version_new, name="library_version_new"),
    path("<int:item_id>/share/", views.library_item_share, name="library_item_share"),
    path("<int:item_id>/delete/", views.library_item_delete, name="library_item_delete"),
    path("<int:item_id>/restore/", views.library_item_restore, name="library_item_restore"),
    path(
        "<int:item_id>/versions/<int:library_version_id>/download/",
        views.library_version_download,
        name="library_version_download",
    ),
    path(
        "<int:item_id>/versions/<int:library_version_id>/preview/",
        views.library_version_preview,
        name="library_version_preview",
    ),
    path(
        "<int:item_id>/versions/<int:library_version_id>/share/",
        views.library_version_share,
        name="library_version_share",
    ),
]

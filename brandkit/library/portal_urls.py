"""The portal's Brand files page, mounted at portal/<agency_slug>/brand-files/."""

from django.urls import path

from brandkit.library import views

urlpatterns = [
    path("", views.portal_brand_files, name="portal_brand_files"),
    path("<int:item_id>/download/", views.portal_brand_file_download, name="portal_brand_file_download"),
    path("<int:item_id>/preview/", views.portal_brand_file_preview, name="portal_brand_file_preview"),
]

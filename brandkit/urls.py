"""Brandkit pages for the agency, mounted at /<agency_slug>/ by agencyops/urls.py; the portal's brand
page is in ``portal_urlpatterns``."""

from django.urls import include, path

from brandkit import views

BRAND = "clients/<int:client_id>/brand/"

urlpatterns = [
    path(BRAND, views.brand_layer, name="brand_layer"),
    path(BRAND + "edit/", views.brand_edit, name="brand_edit"),
    path(BRAND + "library-files/", views.brand_files, name="brand_files"),
    path(BRAND + "versions/", views.brand_versions, name="brand_versions"),
    path(BRAND + "compare/", views.brand_compare, name="brand_compare"),
    path(BRAND + "export.json", views.brand_export, name="brand_export"),
    path(BRAND + "vale.zip", views.brand_vale_export, name="brand_vale_export"),
    path(BRAND + "import/", views.brand_import, name="brand_import"),
    path(BRAND + "constraints/", views.constraint_add, name="constraint_add"),
    path("brand-settings/", views.brand_settings, name="brand_settings"),
    path("content/", views.content_list, name="content_list"),
    path("content/new/", views.content_create, name="content_create"),
    path("content/<int:piece_id>/", views.content_detail, name="content_detail"),
    path("content/<int:piece_id>/edit/", views.content_edit, name="content_edit"),
    path("content/<int:piece_id>/recheck/", views.content_recheck, name="content_recheck"),
    path("content/<int:piece_id>/findings/", views.content_finding, name="content_finding"),
    path("content/<int:piece_id>/move/", views.content_move, name="content_move"),
    path("content/<int:piece_id>/diff/", views.content_diff, name="content_diff"),
    # AI drafting (issue 13)
    path("", include("brandkit.drafting.urls")),
]

portal_urlpatterns = [
    path("brand/", views.portal_brand, name="portal_brand"),
]

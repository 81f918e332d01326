from django.urls import path

from reperes.network import views

app_name = "network"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("structures/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("structures/<int:organisation_id>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("structures/<int:organisation_id>/services/nouveau/", views.service_edit, name="service_create"),
    path(
        "structures/<int:organisation_id>/services/<int:service_id>/modifier/", views.service_edit, name="service_edit"
    ),
    path("services/<int:service_id>/", views.service_detail, name="service_detail"),
    path("couverture/", views.coverage, name="coverage"),
    path("export/data-inclusion.json", views.directory_export, name="directory_export"),
    path("import/", views.directory_import, name="directory_import"),
    path("dispositifs/", views.funding_schemes, name="funding_schemes"),
    path("dispositifs/<int:scheme_id>/", views.funding_scheme_detail, name="funding_scheme_detail"),
    path("membres/", views.members, name="members"),
    path("membres/ajouter/", views.member_add, name="member_add"),
    path("membres/retirer/", views.member_deactivate, name="member_deactivate"),
    path("membres/second-facteur/", views.member_second_factor_reset, name="member_second_factor_reset"),
    path("acces/", views.access_overview, name="access_overview"),
]

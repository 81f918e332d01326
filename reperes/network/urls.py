from django.urls import path

from reperes.network import views

app_name = "network"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("structures/<int:organisation_id>/", views.organisation_detail, name="organisation_detail"),
    path("services/<int:service_id>/", views.service_detail, name="service_detail"),
    path("couverture/", views.coverage, name="coverage"),
    path("dispositifs/", views.funding_schemes, name="funding_schemes"),
    path("dispositifs/<int:scheme_id>/", views.funding_scheme_detail, name="funding_scheme_detail"),
]

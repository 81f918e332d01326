from django.urls import path

from reperes.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("campagne/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campagne/<int:campaign_id>/export/", views.campaign_export, name="campaign_export"),
    path("campagne/<int:campaign_id>/pdf/", views.campaign_pdf, name="campaign_pdf"),
    path("projet/<int:project_id>/", views.project, name="project"),
    path("projet/<int:project_id>/export/", views.project_export, name="project_export"),
    path("projet/<int:project_id>/pdf/", views.project_pdf, name="project_pdf"),
    path("projet/<int:project_id>/qualitatif/", views.assessment, name="assessment"),
    path("financeur/", views.funder, name="funder"),
    path("financeur/export/", views.funder_export, name="funder_export"),
    path("financeur/pdf/", views.funder_pdf, name="funder_pdf"),
]

from django.urls import path

from reperes.operations import views

app_name = "operations"
urlpatterns = [
    path("taches/", views.jobs, name="jobs"),
    path("taches/lancer/", views.launch, name="launch"),
    path("conservation/", views.retention, name="retention"),
    path("conservation/simuler/", views.retention_dry_run, name="retention_dry_run"),
]

from django.urls import path

from reperes.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/fichier/", views.job_download, name="job_download"),
]

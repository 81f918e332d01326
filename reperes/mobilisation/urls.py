from django.urls import path

from reperes.mobilisation import views

app_name = "mobilisation"
urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("nouvelle/", views.action_create, name="action_create"),
    path("<int:action_id>/", views.action_detail, name="action_detail"),
    path("<int:action_id>/modifier/", views.action_edit, name="action_edit"),
    path("<int:action_id>/seances/", views.session_create, name="session_create"),
    path("<int:action_id>/inscriptions/recherche/", views.enrol_search, name="enrol_search"),
    path("<int:action_id>/inscriptions/", views.enrol, name="enrol"),
    path("<int:action_id>/inscriptions/retrait/", views.withdraw, name="withdraw"),
    path("seances/<int:session_id>/presences/", views.attendance_sheet, name="attendance_sheet"),
]

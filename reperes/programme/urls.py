from django.urls import path

from reperes.programme import views

app_name = "programme"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("campagnes/<int:campaign_id>/regles/", views.campaign_rules, name="campaign_rules"),
    path("projets/nouveau/", views.project_create, name="project_create"),
    path("projets/<int:project_id>/", views.project_detail, name="project_detail"),
    path("projets/<int:project_id>/modifier/", views.project_edit, name="project_edit"),
    path("projets/<int:project_id>/budget/", views.budget_edit, name="budget_edit"),
    path("projets/<int:project_id>/partenaires/", views.partner_add, name="partner_add"),
    path("partenaires/<int:project_partner_id>/retirer/", views.partner_remove, name="partner_remove"),
]

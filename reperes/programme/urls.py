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
urlpatterns += [
    path("temps/", views.timesheet, name="timesheet"),
    path("projets/<int:project_id>/temps/", views.time_review, name="time_review"),
    path("projets/<int:project_id>/demandes/", views.claim_list, name="claim_list"),
    path("demandes/<int:claim_id>/", views.claim_detail, name="claim_detail"),
    path("demandes/<int:claim_id>/demande.xlsx", views.claim_xlsx, name="claim_xlsx"),
    path("demandes/<int:claim_id>/demande.pdf", views.claim_pdf, name="claim_pdf"),
    path("demandes/<int:claim_id>/envoyer/", views.claim_send, name="claim_send"),
    path("demandes/<int:claim_id>/deverrouiller/", views.claim_unlock, name="claim_unlock"),
]

from django.urls import path

from reperes.pathways import views

app_name = "pathways"
urlpatterns = [
    path("suivi/", views.caseload, name="caseload"),
    path("jeunes/<int:youth_id>/parcours/", views.pathway, name="pathway"),
    path("jeunes/<int:youth_id>/parcours/contact/", views.contact_record, name="contact_record"),
    path("jeunes/<int:youth_id>/parcours/etape/", views.stage_change, name="stage_change"),
    path("jeunes/<int:youth_id>/parcours/sortie/", views.pathway_exit, name="pathway_exit"),
    path("jeunes/<int:youth_id>/parcours/retour/", views.pathway_reopen, name="pathway_reopen"),
    path("jeunes/<int:youth_id>/parcours/note/", views.note_add, name="note_add"),
    path("jeunes/<int:youth_id>/parcours/frein/", views.barrier_set, name="barrier_set"),
    path("jeunes/<int:youth_id>/parcours/projet/", views.project_validate, name="project_validate"),
    path("jeunes/<int:youth_id>/parcours/acces/", views.outcome_record, name="outcome_record"),
    path("jeunes/<int:youth_id>/parcours/suivi/", views.follow_up_record, name="follow_up_record"),
    path("nouvelles-approches/", views.reapproach_list, name="reapproach_list"),
    path("nouvelles-approches/<int:reapproach_id>/", views.reapproach_report, name="reapproach_report"),
]

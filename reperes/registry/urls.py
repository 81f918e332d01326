from django.urls import path

from reperes.registry import views
from reperes.registry.imports import views as imports

app_name = "registry"
urlpatterns = [
    path("signalements/", views.signal_list, name="signal_list"),
    path("signalements/nouveau/", views.signal_create, name="signal_create"),
    path("signalements/deja-connu/", views.signal_known, name="signal_known"),
    path("signalements/<int:signal_id>/", views.signal_detail, name="signal_detail"),
    path("signalements/<int:signal_id>/referent/", views.signal_assign, name="signal_assign"),
    path("signalements/<int:signal_id>/classer/", views.signal_dismiss, name="signal_dismiss"),
    path("signalements/<int:signal_id>/fusionner/<int:youth_id>/", views.signal_merge, name="signal_merge"),
    # Contact opportunities (no agreement, no file): reached through the partner who met the youth.
    path("signalements/<int:opportunity_id>/tentatives/", views.opportunity_contact, name="opportunity_contact"),
    path(
        "signalements/<int:opportunity_id>/demande-de-rendez-vous/",
        views.opportunity_ask_meeting,
        name="opportunity_ask_meeting",
    ),
    path(
        "signalements/<int:opportunity_id>/ouvrir-un-dossier/",
        views.opportunity_open_file,
        name="opportunity_open_file",
    ),
    path("signalements/<int:opportunity_id>/reponse/", views.opportunity_answer, name="opportunity_answer"),
    path("fusions/<int:merge_id>/annuler/", views.merge_undo, name="merge_undo"),
    path("jeunes/", views.youth_list, name="youth_list"),
    path("jeunes/<int:youth_id>/", views.youth_detail, name="youth_detail"),
    path("jeunes/<int:youth_id>/modifier/", views.youth_edit, name="youth_edit"),
    path("jeunes/<int:youth_id>/droit-d-acces/", views.youth_subject_access, name="youth_subject_access"),
    path("jeunes/<int:youth_id>/consentement/", views.consent_record, name="consent_record"),
    path("jeunes/<int:youth_id>/consentement/retrait/", views.consent_withdraw, name="consent_withdraw"),
    path("doublons/", views.duplicate_list, name="duplicate_list"),
    path("doublons/<int:candidate_id>/", views.duplicate_detail, name="duplicate_detail"),
    path("doublons/<int:candidate_id>/fusionner/", views.duplicate_merge, name="duplicate_merge"),
    path("doublons/<int:candidate_id>/distincts/", views.duplicate_distinct, name="duplicate_distinct"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/<int:import_id>/", imports.import_detail, name="import_detail"),
    path("imports/<int:import_id>/colonnes/", imports.import_mapping, name="import_mapping"),
    path("imports/<int:import_id>/importer/", imports.import_commit, name="import_commit"),
    path("imports/<int:import_id>/abandonner/", imports.import_cancel, name="import_cancel"),
    path("imports/<int:import_id>/erreurs.csv", imports.import_errors_csv, name="import_errors_csv"),
    path("imports/<int:import_id>/progression/", imports.import_progress, name="import_progress"),
]

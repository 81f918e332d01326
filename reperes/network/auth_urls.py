from django.contrib.auth import views as auth_views
from django.urls import path

from reperes.network.forms import PasswordResetByEmailForm
from reperes.network.views import (
    LoginView,
    second_factor_new_codes,
    second_factor_overview,
    second_factor_setup,
    second_factor_verify,
)

urlpatterns = [
    path("connexion/", LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetByEmailForm),
        name="password_reset",
    ),
    path("mot-de-passe/oubli/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe/nouveau/fait/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("mot-de-passe/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("securite/", second_factor_overview, name="second_factor"),
    path("securite/application/", second_factor_setup, name="second_factor_setup"),
    path("securite/code/", second_factor_verify, name="second_factor_verify"),
    path("securite/codes-de-secours/", second_factor_new_codes, name="second_factor_new_codes"),
]

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        error_messages={"invalid": _("Saisissez une adresse e-mail valide, par exemple nom@structure.fr.")},
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie, les majuscules comptent."
        ),
        "inactive": _("Ce compte est désactivé. Contactez l'administrateur·rice de la plateforme."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].lower()


class PasswordResetByEmailForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Saisissez une adresse e-mail valide, par exemple nom@structure.fr.")},
    )

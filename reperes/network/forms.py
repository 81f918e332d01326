from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from reperes.network.enums import NON_PARTNER_KINDS, OrganisationKind, SchemeAudience, Situation, Vocabulary
from reperes.network.models import Organisation, Term
from reperes.territory.forms import CommuneField


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


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Mots-clés"), max_length=100, required=False)
    theme = forms.ChoiceField(label=_("Besoin"), required=False)
    commune = CommuneField(label=_("Commune du jeune"), required=False)
    kind = forms.ChoiceField(label=_("Type de structure"), required=False)
    public = forms.ChoiceField(label=_("Public"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = Term.objects.filter(vocabulary=Vocabulary.THEME).order_by("code")
        choices: list[tuple[str, Any]] = [("", _("Tous les besoins"))]
        categories = {t.code: t.label for t in themes if not t.category}
        for code, label in categories.items():
            subs = [(t.code, t.label) for t in themes if t.category == code]
            choices.append((code, _("%(label)s (tout)") % {"label": label}))
            choices.append((label, subs))
        cast(forms.ChoiceField, self.fields["theme"]).choices = choices
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", _("Toutes les structures"))] + [
            (k.value, k.label)
            for k in OrganisationKind
            if k not in NON_PARTNER_KINDS or k == OrganisationKind.MISSION_LOCALE
        ]
        cast(forms.ChoiceField, self.fields["public"]).choices = [("", _("Tous les publics"))] + list(
            Term.objects.filter(vocabulary=Vocabulary.PUBLIC).values_list("code", "label")
        )


class CoverageForm(forms.Form):
    mission_locale = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Mission locale"))

    def __init__(self, *args: Any, missions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["mission_locale"]).queryset = missions


class FundingSchemeSearchForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Pour"), required=False, choices=[("", _("un jeune ou un projet"))] + SchemeAudience.choices
    )
    age = forms.IntegerField(
        label=_("Âge du jeune"),
        required=False,
        min_value=14,
        max_value=30,
        error_messages={
            "min_value": _("L'âge doit être compris entre 14 et 30 ans."),
            "max_value": _("L'âge doit être compris entre 14 et 30 ans."),
            "invalid": _("Saisissez un âge en années, par exemple 19."),
        },
    )
    situations = forms.MultipleChoiceField(
        label=_("Situation du jeune"), required=False, choices=Situation.choices, widget=forms.CheckboxSelectMultiple
    )
    q = forms.CharField(label=_("Mots-clés"), max_length=100, required=False)

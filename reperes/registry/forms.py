from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reperes.network.enums import Role
from reperes.network.models import Organisation, User
from reperes.privacy.enums import SENSITIVE_SECTIONS, Section
from reperes.registry.enums import Barrier, InformedHow, Sex, SignalConsent
from reperes.territory.forms import CommuneField


class SignalForm(forms.Form):
    """The 30-second fiche de repérage: three required answers, the rest if the youth agrees."""

    first_name = forms.CharField(
        label=_("Prénom ou surnom"),
        max_length=100,
        error_messages={"required": _("Indiquez au moins un prénom ou un surnom.")},
    )
    commune = CommuneField(
        label=_("Commune où vit le jeune (ou où vous l'avez rencontré)"),
        error_messages={"required": _("Indiquez la commune : elle désigne la Mission locale compétente.")},
    )
    consent = forms.ChoiceField(
        label=_("Le jeune accepte-t-il d'être contacté par la Mission locale ?"),
        choices=[
            (SignalConsent.CONTACT, _("Oui, il ou elle accepte d'être contacté·e")),
            (SignalConsent.NONE, _("Non, ou pas encore : la Mission locale passera par moi")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez si le jeune accepte d'être contacté.")},
    )
    approximate_age = forms.IntegerField(
        label=_("Âge approximatif"),
        required=False,
        min_value=14,
        max_value=30,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": _("L'âge approximatif doit être compris entre 14 et 30 ans."),
            "max_value": _("L'âge approximatif doit être compris entre 14 et 30 ans."),
        },
    )
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, required=False, widget=forms.RadioSelect)
    met_where = forms.CharField(label=_("Où et comment l'avez-vous rencontré ?"), max_length=200, required=False)
    barriers = forms.MultipleChoiceField(
        label=_("Freins que vous supposez"),
        choices=Barrier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    last_name = forms.CharField(label=_("Nom de famille"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 14/03/2007.")},
    )
    phone = forms.CharField(
        label=_("Téléphone du jeune"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent") == SignalConsent.NONE and (data.get("last_name") or data.get("phone")):
            self.add_error(
                "consent",
                _("Sans l'accord du jeune, ne transmettez ni son nom ni son téléphone : laissez ces champs vides."),
            )
        return data


class AssignForm(forms.Form):
    referent = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Référent·e"))

    def __init__(self, *args: Any, mission_locale: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(
            memberships__organisation=mission_locale,
            memberships__is_active=True,
            memberships__role__in=[Role.COUNSELLOR, Role.COORDINATOR],
            is_active=True,
        ).order_by("last_name", "first_name")
        self.fields["referent"].queryset = staff  # type: ignore[attr-defined]


class YouthSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou prénom"), max_length=100, required=False)


class ConsentForm(forms.Form):
    informed_on = forms.DateField(
        label=_("Informé·e le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Indiquez quand le jeune a été informé."), "invalid": _("Date invalide.")},
    )
    informed_how = forms.ChoiceField(label=_("Comment"), choices=InformedHow.choices)
    share_with = forms.ModelMultipleChoiceField(
        label=_("Partage avec"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sensitive_sections = forms.MultipleChoiceField(
        label=_("Sections sensibles partagées"),
        choices=[(s.value, s.label) for s in Section if s in SENSITIVE_SECTIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, partners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["share_with"].queryset = partners  # type: ignore[attr-defined]

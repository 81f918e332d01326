from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from reperes.mobilisation.enums import ActionFormat, ActionKind
from reperes.mobilisation.models import LONG_TEXT
from reperes.network.models import Organisation
from reperes.territory.forms import CommuneField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The fields of an action the form edits, in the service's names.
ACTION_FIELDS = [
    "title",
    "kind",
    "format",
    "objectives",
    "innovation",
    "partners",
    "commune",
    "starts_on",
    "ends_on",
    "capacity",
    "cost",
    "cofinancing_requested",
]


class ActionForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Intitulé"), max_length=150)
    kind = forms.ChoiceField(label=_("Type d'action"), choices=ActionKind.choices)
    format = forms.ChoiceField(
        label=_("Format"), choices=ActionFormat.choices, widget=forms.RadioSelect, initial=ActionFormat.COLLECTIVE
    )
    objectives = forms.CharField(
        label=_("Objectifs"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("500 caractères au plus."),
    )
    innovation = forms.CharField(
        label=_("Ce qui la rend innovante"),
        max_length=LONG_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("500 caractères au plus."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partenaires qui l'animent"),
        queryset=Organisation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins un partenaire qui anime l'action.")},
    )
    commune = CommuneField(label=_("Commune où elle a lieu"))
    starts_on = forms.DateField(label=_("Début"), widget=DATE)
    ends_on = forms.DateField(label=_("Fin"), widget=DATE)
    capacity = forms.IntegerField(label=_("Nombre de places"), min_value=1, max_value=500)
    cost = forms.DecimalField(label=_("Coût total (€)"), max_digits=10, decimal_places=2, min_value=Decimal(0))
    cofinancing_requested = forms.DecimalField(
        label=_("Cofinancement demandé au financeur (€)"),
        initial=0,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
    )

    def __init__(self, *args: Any, partners: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partners"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = partners


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date et heure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=24 * 60, initial=120)
    place = forms.CharField(label=_("Lieu"), max_length=120, required=False)


class EnrolSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou prénom du jeune"), max_length=100, required=False)

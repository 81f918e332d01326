from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reperes.network.models import Organisation
from reperes.pathways.enums import (
    BarrierStatus,
    Channel,
    ContactOutcome,
    DeclineReason,
    ExitReason,
    NoteScope,
    OutcomeKind,
    Stage,
)
from reperes.pathways.models import Occupation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SHORT = {"maxlength": 200}


def _date_field(label: Any, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE,
        error_messages={"required": _("Indiquez la date."), "invalid": _("Date invalide.")},
        **kwargs,
    )


class PageForm(forms.Form):
    """One of the several forms of the pathway page: its ids carry its name, so that two forms'
    fields of the same name (« note », « kind ») never share an id nor a label."""

    anchor = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{self.anchor}_%s")
        super().__init__(*args, **kwargs)


class ContactForm(PageForm):
    anchor = "contact"
    happened_on = _date_field(_("Date"))
    channel = forms.ChoiceField(label=_("Moyen"), choices=Channel.choices)
    outcome = forms.ChoiceField(label=_("Résultat"), choices=ContactOutcome.choices, widget=forms.RadioSelect)
    through = forms.ModelChoiceField(
        label=_("Par le partenaire"), queryset=Organisation.objects.none(), required=False, empty_label=_("—")
    )
    decline_reason = forms.ChoiceField(
        label=_("S'il ou elle décline : pourquoi"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    reapproach_on = _date_field(_("Nouvelle approche à partir du"), required=False)
    reapproach_by = forms.ModelChoiceField(
        label=_("Par"), queryset=Organisation.objects.none(), required=False, empty_label=_("—")
    )
    reapproach_how = forms.ChoiceField(label=_("Comment"), choices=[("", "—"), *Channel.choices], required=False)
    note = forms.CharField(
        label=_("Commentaire (200 caractères)"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT)
    )

    def __init__(self, *args: Any, partners: QuerySet[Organisation], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"happened_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["through"].queryset = partners  # type: ignore[attr-defined]
        self.fields["reapproach_by"].queryset = partners  # type: ignore[attr-defined]


class StageForm(PageForm):
    anchor = "stage"
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    stage = forms.TypedChoiceField(label=_("Nouvelle étape"), coerce=int, choices=Stage.choices)
    skip_reason = forms.CharField(
        label=_("Si une étape est sautée : pourquoi"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=SHORT),
    )


class ExitForm(PageForm):
    anchor = "exit"
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.ChoiceField(label=_("Motif de sortie"), choices=ExitReason.choices)
    note = forms.CharField(label=_("Précision"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT))


class NoteForm(PageForm):
    anchor = "note"
    text = forms.CharField(
        label=_("Note (200 caractères au plus)"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, **SHORT}),
        error_messages={
            "required": _("La note est vide."),
            "max_length": _("Une note tient en 200 caractères au plus."),
        },
    )
    scope = forms.ChoiceField(label=_("Visible par"), choices=NoteScope.choices, initial=NoteScope.SHARED)


class BarrierForm(PageForm):
    anchor = "barrier"
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Frein"), choices=[])
    status = forms.ChoiceField(
        label=_("Statut"), choices=[c for c in BarrierStatus.choices if c[0] != BarrierStatus.REPORTED]
    )
    partner = forms.ModelChoiceField(
        label=_("Partenaire mobilisé"), queryset=Organisation.objects.none(), required=False, empty_label=_("—")
    )
    detail = forms.CharField(
        label=_("Précisions"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT)
    )

    def __init__(
        self, *args: Any, kinds: list[tuple[str, Any]], partners: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]
        self.fields["partner"].queryset = partners  # type: ignore[attr-defined]


class OccupationField(forms.CharField):
    """A ROME code typed or picked from the list (« G1602 — Personnel de cuisine »)."""

    def clean(self, value: Any) -> Occupation:
        text = str(super().clean(value) or "").strip()
        code = text[:5].upper()
        occupation = Occupation.objects.filter(code=code).first()
        if occupation is None:
            raise ValidationError(
                _("Choisissez un métier de la liste du ROME (par exemple « G1602 — Personnel de cuisine »)."),
                code="rome",
            )
        return occupation


class ProjectForm(PageForm):
    anchor = "project"
    occupation = OccupationField(
        label=_("Métier visé (ROME)"),
        widget=forms.TextInput(attrs={"list": "rome-occupations", "autocomplete": "off"}),
        error_messages={"required": _("Choisissez le métier visé.")},
    )
    text = forms.CharField(
        label=_("Le projet en quelques mots"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT)
    )
    validated_on = _date_field(_("Validé le"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"validated_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class OutcomeForm(PageForm):
    anchor = "outcome"
    kind = forms.ChoiceField(label=_("Accès à"), choices=OutcomeKind.choices)
    starts_on = _date_field(_("Début le"))
    organisation_name = forms.CharField(label=_("Organisme ou employeur"), max_length=150, required=False)
    skip_reason = forms.CharField(
        label=_("Sans projet validé : pourquoi"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT)
    )


class FollowUpForm(forms.Form):
    follow_up = forms.IntegerField(widget=forms.HiddenInput)
    still_there = forms.TypedChoiceField(
        label=_("Le jeune y est-il toujours ?"),
        choices=[("true", _("oui")), ("false", _("non"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        error_messages={"required": _("Dites si le jeune y est toujours.")},
    )
    reason = forms.CharField(
        label=_("Sinon, pourquoi"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT)
    )


class ReapproachReportForm(forms.Form):
    happened_on = _date_field(_("Date"))
    channel = forms.ChoiceField(label=_("Moyen"), choices=[c for c in Channel.choices if c[0] != Channel.PARTNER])
    outcome = forms.ChoiceField(
        label=_("Résultat"),
        choices=[
            (ContactOutcome.REACHED_AGREES, _("accepte de rencontrer la Mission locale")),
            (ContactOutcome.REACHED_DECLINES, _("décline encore")),
            (ContactOutcome.NOT_REACHED, _("pas rencontré·e")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Indiquez le résultat.")},
    )
    note = forms.CharField(
        label=_("Commentaire (200 caractères)"), max_length=200, required=False, widget=forms.TextInput(attrs=SHORT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"happened_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

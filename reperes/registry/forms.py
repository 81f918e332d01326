from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reperes.network.forms import VersionedForm
from reperes.network.models import Organisation, User
from reperes.pathways.enums import Channel, ContactOutcome, DeclineReason
from reperes.privacy import policy
from reperes.privacy.enums import SENSITIVE_SECTIONS, Section
from reperes.registry.enums import (
    ELSEWHERE_TEXT_MAX,
    SIGNAL_CLOSURES,
    Barrier,
    BirthPrecision,
    InformedHow,
    MeetingAnswer,
    SchoolLevel,
    Sex,
    SignalConsent,
)
from reperes.registry.models import Youth
from reperes.registry.services import check_birth_date
from reperes.territory.forms import CommuneField


class SignalForm(forms.Form):
    """The 30-second fiche de repérage: three required answers, the rest if the youth agrees."""

    first_name = forms.CharField(
        label=_("Prénom ou surnom"),
        max_length=100,
        error_messages={"required": _("Indiquez au moins un prénom ou un surnom.")},
    )
    commune = CommuneField(
        covered=True,
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
        self.fields["referent"].queryset = policy.possible_referents(mission_locale)  # type: ignore[attr-defined]


DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SignalCloseForm(forms.Form):
    """How a signal still open ends: each closure sends its status and the details it needs (the
    service checks them: `close_signal`)."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in SIGNAL_CLOSURES], widget=forms.HiddenInput)
    decline_reason = forms.ChoiceField(
        label=_("Pourquoi le jeune décline"), choices=[("", "—"), *DeclineReason.choices], required=False
    )
    reapproach_on = forms.DateField(
        label=_("Le partenaire peut lui en reparler à partir du (facultatif)"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Date invalide.")},
    )
    referred_to = forms.ModelChoiceField(
        label=_("Structure de l'annuaire"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— hors annuaire : précisez ci-dessous —"),
    )
    referred_to_text = forms.CharField(
        label=_("Ou, hors annuaire (%(n)d caractères)") % {"n": ELSEWHERE_TEXT_MAX},
        max_length=ELSEWHERE_TEXT_MAX,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": ELSEWHERE_TEXT_MAX}),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referred_to"].queryset = organisations  # type: ignore[attr-defined]


class OpportunityContactForm(forms.Form):
    """An attempt to reach the youth of a contact opportunity, most often through its partner."""

    happened_on = forms.DateField(
        label=_("Date"),
        widget=DATE_INPUT,
        error_messages={"required": _("Indiquez la date."), "invalid": _("Date invalide.")},
    )
    channel = forms.ChoiceField(label=_("Moyen"), choices=Channel.choices, initial=Channel.PARTNER)
    outcome = forms.ChoiceField(
        label=_("Résultat"),
        choices=ContactOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le résultat de la tentative.")},
    )
    note = forms.CharField(
        label=_("Commentaire (200 caractères, reste à la Mission locale)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200}),
    )


class OpenFileForm(forms.Form):
    """The youth met through the partner agreed: who they are, and how they were informed."""

    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom de famille"), max_length=150)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=DATE_INPUT,
        error_messages={"invalid": _("Saisissez une date valide, par exemple 14/03/2007.")},
    )
    approximate_age = forms.IntegerField(
        label=_("Ou, à défaut, âge approximatif"),
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
    phone = forms.CharField(
        label=_("Téléphone du jeune (facultatif)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    informed_on = forms.DateField(
        label=_("Informé·e le"),
        widget=DATE_INPUT,
        error_messages={"required": _("Indiquez quand le jeune a été informé."), "invalid": _("Date invalide.")},
    )
    informed_how = forms.ChoiceField(label=_("Comment"), choices=InformedHow.choices, initial=InformedHow.PARTNER)
    share_with_partner = forms.BooleanField(label=_("Partager son suivi avec le partenaire"), required=False)

    def __init__(self, *args: Any, partner: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["share_with_partner"].label = _(
            "Le jeune accepte que %(partner)s suive son dossier avec la Mission locale"
        ) % {"partner": partner}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("birth_date") is None and data.get("approximate_age") is None and "birth_date" not in self.errors:
            self.add_error("birth_date", _("Indiquez la date de naissance ou, à défaut, l'âge du jeune."))
        return data


class MeetingAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=MeetingAnswer.choices)


class YouthSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou prénom"), max_length=100, required=False)
    sort = forms.ChoiceField(
        label=_("Trier par"),
        choices=[("name", _("nom")), ("recent", _("dossiers les plus récents"))],
        required=False,
    )


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

    def __init__(self, *args: Any, partners: Any, sections: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["share_with"].queryset = partners  # type: ignore[attr-defined]
        # Only the sections the person recording holds may be shared (the référent holds them all).
        field = self.fields["sensitive_sections"]
        field.choices = [(s.value, s.label) for s in Section if s in SENSITIVE_SECTIONS and s in sections]  # type: ignore[attr-defined]
        if not field.choices:  # type: ignore[attr-defined]
            del self.fields["sensitive_sections"]


class UnknownYesNo(forms.RadioSelect):
    """Three answers to a yes-or-no question, « ne sait pas » first: nobody said is not « non »."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=[("unknown", _("ne sait pas")), ("true", _("oui")), ("false", _("non"))])

    def format_value(self, value: Any) -> list[str]:
        return [{True: "true", False: "false"}.get(value, "unknown")]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool | None:
        return {"true": True, "false": False}.get(data.get(name))


class YouthForm(VersionedForm):
    """The record as the Mission locale keeps it; free text short and optional (data minimisation)."""

    first_names = forms.CharField(label=_("Prénoms"), max_length=150)
    last_name = forms.CharField(label=_("Nom de naissance"), max_length=150, required=False)
    usage_name = forms.CharField(label=_("Nom d'usage"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, required=False)
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 14/03/2007.")},
    )
    birth_precision = forms.ChoiceField(label=_("Précision de la date"), choices=BirthPrecision.choices)
    phone = forms.CharField(label=_("Téléphone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    commune = CommuneField(
        label=_("Commune de résidence"),
        required=False,
        help_text=_("Si le jeune a déménagé hors du territoire, son dossier passe à la Mission locale de sa commune."),
    )
    left_school_on = forms.DateField(
        label=_("Sortie du système scolaire"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    last_level = forms.ChoiceField(label=_("Dernière classe suivie"), choices=SchoolLevel.choices, required=False)
    has_diploma = forms.NullBooleanField(label=_("A obtenu un diplôme"), required=False, widget=UnknownYesNo)
    followed_elsewhere = forms.NullBooleanField(
        label=_("Déjà accompagné·e par une autre structure d'insertion"), required=False, widget=UnknownYesNo
    )
    ine = forms.RegexField(
        label=_("INE"),
        regex=r"^[0-9A-Z]{10}[A-Z]$",
        required=False,
        error_messages={"invalid": _("L'INE compte 11 caractères : 10 chiffres ou lettres, puis une lettre.")},
    )
    note = forms.CharField(
        label=_("Remarque"),
        max_length=200,
        required=False,
        help_text=_("200 caractères au plus ; ni santé, ni justice, ni jugement sur la personne."),
    )
    referent = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Référent·e"),
        required=False,
        empty_label=_("— à désigner —"),
        help_text=_("Une personne de la Mission locale qui détient le dossier."),
    )

    def __init__(self, *args: Any, youth: Youth, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["referent"]
        # The current référent stays listed even after leaving: a save must not drop them unseen.
        staff = policy.possible_referents(youth.mission_locale).values("pk")
        current = [youth.referent_id] if youth.referent_id else []
        field.queryset = User.objects.filter(Q(pk__in=staff) | Q(pk__in=current)).order_by(  # type: ignore[attr-defined]
            "last_name", "first_name", "pk"
        )
        if not policy.can_change_referent(user, youth):
            field.disabled = True
            field.help_text = _("Seul·e le ou la référent·e actuel·le ou un·e coordinateur·rice peut le changer.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("birth_date") is None and data.get("birth_precision") not in (None, BirthPrecision.UNKNOWN):
            self.add_error("birth_date", _("Indiquez la date, ou choisissez la précision « inconnue »."))
        elif data.get("birth_date") is not None and data.get("birth_precision") != BirthPrecision.UNKNOWN:
            # Said with the other errors, on the field, rather than after they are corrected.
            try:
                check_birth_date(data["birth_date"])
            except ValidationError as error:
                self.add_error(None, error)
        if data.get("ine"):
            data["ine"] = data["ine"].upper()
        return data

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from reperes.network.models import Organisation, User
from reperes.programme.enums import BudgetKind, PartnerRole
from reperes.programme.models import Campaign, Project
from reperes.programme.services import GridRow, PlannedLine
from reperes.territory.forms import CommuneListField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The fields of a project the form edits, in the service's names.
PROJECT_FIELDS = ["name", "description", "lead", "youths_to_identify", "youths_to_mobilise"]
WHOLE, SOME = "whole", "some"


def _objective(label: "StrOrPromise") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10_000,
        initial=0,
        error_messages={"min_value": _("Un objectif est un nombre de jeunes, positif ou nul.")},
    )


class LeadChoiceField(forms.ModelChoiceField[User]):
    """Names the Mission locale of each (policy.possible_project_leads annotates it)."""

    def label_from_instance(self, obj: User) -> str:
        mission_locale = getattr(obj, "mission_locale_name", "")
        return f"{obj.get_full_name()} — {mission_locale}" if mission_locale else obj.get_full_name()


class ProjectForm(forms.Form):
    """A project's description, lead, territory and objectives; on creation, its campaign and
    carrier too."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    campaign = forms.ModelChoiceField(label=_("Campagne"), queryset=Campaign.objects.none())
    carrier = forms.ModelChoiceField(label=_("Mission locale porteuse"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("Nom du projet"), max_length=150)
    lead = LeadChoiceField(
        label=_("Responsable du projet"),
        queryset=User.objects.none(),
        help_text=_("Il ou elle valide les heures déclarées sur le projet."),
    )
    description = forms.CharField(
        label=_("Présentation"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Le territoire, le public visé, ce que le partenariat apporte. 2 000 caractères au plus."),
    )
    territory = forms.ChoiceField(
        label=_("Territoire du projet"),
        choices=[(WHOLE, _("Tout le territoire de la Mission locale")), (SOME, _("Certaines communes seulement"))],
        widget=forms.RadioSelect,
        initial=WHOLE,
    )
    communes = CommuneListField(
        label=_("Communes du projet"),
        required=False,
        help_text=_(
            "Si le projet ne couvre que certaines communes : une par ligne (nom, code postal ou code INSEE), "
            "ou le nom exact d'un EPCI."
        ),
    )
    youths_to_identify = _objective(_("Objectif : jeunes à repérer"))
    youths_to_mobilise = _objective(_("Objectif : jeunes à mobiliser"))

    def __init__(
        self,
        *args: Any,
        campaigns: QuerySet[Campaign] | None,
        carriers: QuerySet[Organisation] | None,
        leads: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if campaigns is None or carriers is None:  # an edit: campaign and carrier stay
            del self.fields["campaign"], self.fields["carrier"]
        else:
            campaign = self.fields["campaign"]
            carrier = self.fields["carrier"]
            assert isinstance(campaign, forms.ModelChoiceField) and isinstance(carrier, forms.ModelChoiceField)
            campaign.queryset = campaigns
            carrier.queryset = carriers
            if carriers.count() == 1:
                carrier.initial = carriers.first()
        lead = self.fields["lead"]
        assert isinstance(lead, forms.ModelChoiceField)
        lead.queryset = leads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("territory") == SOME and not data.get("communes"):
            self.add_error("communes", _("Indiquez les communes du projet, ou choisissez tout le territoire."))
        return data

    def chosen_communes(self) -> list[Any] | None:
        """The communes to give the service: None for the carrier's whole territory."""
        return self.cleaned_data["communes"] if self.cleaned_data["territory"] == SOME else None

    @classmethod
    def initial_for(cls, project: Project) -> dict[str, Any]:
        territory = project.territory
        return {
            **{name: getattr(project, name) for name in PROJECT_FIELDS},
            "territory": SOME if territory else WHOLE,
            "communes": list(territory.communes.order_by("name")) if territory else [],
            "version": project.version,
        }


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Partenaire"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Choisissez le partenaire à associer au projet.")},
    )
    role = forms.ChoiceField(
        label=_("Rôle dans le projet"),
        choices=[("", "—"), *PartnerRole.choices],
        error_messages={"required": _("Choisissez le rôle du partenaire dans le projet.")},
    )

    def __init__(self, *args: Any, partners: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = partners


def _amount(label: "StrOrPromise") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_digits=12,
        decimal_places=2,
        error_messages={"min_value": _("Un montant est positif ou nul.")},
    )


class BudgetForm(forms.Form):
    """One planned amount and one share asked of the funder per kind of line (BudgetKind); the
    line « autre » says what it covers."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    other_label = forms.CharField(label=_("Ce que couvre la ligne « autre »"), max_length=150, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in BudgetKind:  # each label names its line: the error summary links to one field
            what = capfirst(kind.label)
            self.fields[f"{kind}_planned"] = _amount(format_lazy(_("{what} : montant prévu (€)"), what=what))
            self.fields[f"{kind}_requested"] = _amount(
                format_lazy(_("{what} : part demandée au financeur (€)"), what=what)
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(kind.label), self[f"{kind}_planned"], self[f"{kind}_requested"]) for kind in BudgetKind]

    def lines(self) -> dict[str, PlannedLine]:
        data = self.cleaned_data
        return {
            kind: PlannedLine(
                planned=data[f"{kind}_planned"] or Decimal(0),
                requested=data[f"{kind}_requested"] or Decimal(0),
                label=data["other_label"] if kind == BudgetKind.OTHER else "",
            )
            for kind in BudgetKind
        }

    @classmethod
    def initial_for(cls, project: Project) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": project.version}
        for line in project.budget_lines.all():
            initial[f"{line.kind}_planned"] = line.planned
            initial[f"{line.kind}_requested"] = line.requested
            if line.kind == BudgetKind.OTHER:
                initial["other_label"] = line.label
        return initial

    def field_for(self, key: str) -> str | None:
        """The form field a service error names (a kind of line: its share asked)."""
        if key in BudgetKind.values:
            return f"{key}_requested"
        return None


def _rate(label: "StrOrPromise") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=7,
        decimal_places=2,
    )


class CampaignRulesForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    engineering_rate = _rate(_("Taux horaire de l'ingénierie de projet (€)"))
    coordination_rate = _rate(_("Taux horaire de la coordination (€)"))
    action_ceiling_percent = forms.DecimalField(
        label=_("Plafond de cofinancement d'une action (% de son coût)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("La part du coût d'une action de mobilisation que le financeur paie au plus, de 0 à 100 %."),
    )
    project_ceiling = forms.DecimalField(
        label=_("Plafond par projet (€)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Facultatif : ce que le financeur verse au plus à un projet."),
    )

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        return {
            "engineering_rate": campaign.engineering_rate,
            "coordination_rate": campaign.coordination_rate,
            "action_ceiling_percent": campaign.action_ceiling_percent,
            "project_ceiling": campaign.project_ceiling,
            "version": campaign.rules_version,
        }


# --- Week grid ----------------------------------------------------------------------------------

GRID_BLANK_ROWS = 2
GRID_MAX_ROWS = 40


def parse_week_grid(data: Any) -> tuple[list[GridRow], dict[str, str]]:
    """The rows of a posted week grid (reperes.programme.services.GridRow), and the cells that are
    not numbers at all (« <row>-d<day> »: message). An absent day stays as it is, an empty one
    clears its cell."""
    rows: list[GridRow] = []
    errors: dict[str, str] = {}
    count = min(int(data.get("rows") or 0) if str(data.get("rows") or "").isdigit() else 0, GRID_MAX_ROWS)
    for index in range(count):
        key = f"r{index}"
        project = str(data.get(f"{key}-project") or "")
        hours: dict[int, Decimal | None] = {}
        for day in range(7):
            name = f"{key}-d{day}"
            if name not in data:
                continue
            raw = str(data.get(name) or "").strip().replace(",", ".")
            try:
                hours[day] = Decimal(raw) if raw else None
            except ArithmeticError:
                errors[name] = str(_("Écrivez un nombre d'heures, par exemple 1,5."))
            else:
                if hours[day] is not None and not hours[day].is_finite():  # type: ignore[union-attr]
                    errors[name] = str(_("Écrivez un nombre d'heures, par exemple 1,5."))
        rows.append(
            GridRow(
                key,
                int(project) if project.isdigit() else None,
                str(data.get(f"{key}-kind") or ""),
                str(data.get(f"{key}-activity") or "")[:200],
                hours,
            )
        )
    return rows, errors


class ClaimForm(forms.Form):
    period_start = forms.DateField(label=_("Du"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Au"), widget=forms.DateInput(attrs={"type": "date"}))

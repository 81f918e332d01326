import contextlib
import logging
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from reperes.network.enums import NON_PARTNER_KINDS, OrganisationKind, Role, SchemeAudience, Situation, Vocabulary
from reperes.network.models import Membership, Organisation, Service, Term
from reperes.network.services import ORGANISATION_FIELDS, SERVICE_FIELDS, send_later
from reperes.privacy import policy
from reperes.privacy.throttle import allow_login, allow_password_reset, forget_failed_logins
from reperes.territory.forms import CommuneField, CommuneListField
from reperes.territory.models import Epci

logger = logging.getLogger(__name__)


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
        "throttled": _("Trop de tentatives de connexion. Réessayez dans quelques minutes."),
    }

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        return username.lower()

    @sensitive_variables()
    def clean(self) -> dict[str, Any]:
        # Counted and checked before the password: once throttled, a guess tells nothing, right or
        # wrong, and guesses sent at once are counted before any of them is checked.
        email = self.cleaned_data.get("username")
        if email is None:  # malformed address: no password is checked
            return super().clean()
        client_ip = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        if not allow_login(email, client_ip):  # counts this attempt
            logger.warning("login refused: too many failed attempts")
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        cleaned_data = super().clean()
        if self.user_cache is not None:  # an empty password checks nothing and clears nothing
            forget_failed_logins(email, client_ip)
        return cleaned_data


class PasswordResetByEmailForm(PasswordResetForm):
    """Django's reset form, braked (privacy.throttle.allow_password_reset) and answering in the
    same time whether the address has an account or not: the one lookup is made either way, and
    the mail (rendering and SMTP, the slow part) leaves from another thread after the answer, for
    a known address and — with nothing to send — for an unknown one alike."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Saisissez une adresse e-mail valide, par exemple nom@structure.fr.")},
    )

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"]
        request: HttpRequest | None = kwargs.get("request")
        client_ip = request.META.get("REMOTE_ADDR", "") if request else ""
        if not allow_password_reset(email, client_ip):
            logger.warning("password reset refused: too many requests")
            return
        self._outgoing: list[tuple[Any, ...]] = []
        super().save(**kwargs)  # collects through send_mail below
        send_later(self._send_collected, self._outgoing)

    def send_mail(self, *args: Any, **kwargs: Any) -> None:
        self._outgoing.append((args, kwargs))

    def _send_collected(self, outgoing: list[tuple[Any, ...]]) -> None:
        for args, kwargs in outgoing:
            super().send_mail(*args, **kwargs)  # logs a failure by user id, never the address


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
    """Which Mission locale's territory the coverage page shows, and which of its communes.

    A Mission locale not offered (or none) means the first one offered: `mission` is always set,
    and the EPCI offered are those of its territory."""

    mission_locale = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Mission locale"), required=False
    )
    epci = forms.ModelChoiceField(
        queryset=Epci.objects.none(), label=_("EPCI"), required=False, empty_label=_("Tous les EPCI")
    )
    gaps_only = forms.BooleanField(label=_("Communes sans partenaire de repérage seulement"), required=False)

    def __init__(self, *args: Any, missions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Organisation]", self.fields["mission_locale"])
        field.queryset = missions
        self.mission: Organisation = missions.first()
        if self.is_bound:
            with contextlib.suppress(ValidationError):
                self.mission = field.clean(self.data.get(self.add_prefix("mission_locale"))) or self.mission
        else:
            self.initial.setdefault("mission_locale", self.mission)
        cast("forms.ModelChoiceField[Epci]", self.fields["epci"]).queryset = (
            Epci.objects.filter(communes__territories=self.mission.territory_id).distinct().order_by("name")
        )

    def filters(self) -> dict[str, Any]:
        """The valid filters (an unknown EPCI is dropped, the others kept)."""
        if not self.is_bound:
            return {"gaps_only": False, "epci": ""}
        self.is_valid()  # fills cleaned_data with the fields that are valid
        epci = self.cleaned_data.get("epci")
        return {"gaps_only": bool(self.cleaned_data.get("gaps_only")), "epci": epci.code if epci else ""}


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


def _grouped_themes() -> list[tuple[str, list[tuple[str, str]]]]:
    themes = list(Term.objects.filter(vocabulary=Vocabulary.THEME).order_by("code"))
    categories = [(t.code, t.label) for t in themes if not t.category]
    return [(label, [(t.code, t.label) for t in themes if t.category == code]) for code, label in categories]


def _terms_from(vocabulary: str, codes: list[str]) -> list[Term]:
    return list(Term.objects.filter(vocabulary=vocabulary, code__in=codes))


class VersionedForm(forms.Form):
    """Carries the version (updated_at) the form was built from, to detect concurrent edits."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)


class OrganisationForm(VersionedForm):
    name = forms.CharField(label=_("Nom"), max_length=200)
    description = forms.CharField(
        label=_("Présentation"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    commune = CommuneField(label=_("Commune"), error_messages={"required": _("Indiquez la commune de la structure.")})
    phone = forms.CharField(label=_("Téléphone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail de contact"), required=False)
    website = forms.URLField(label=_("Site internet"), required=False, assume_scheme="https")
    can_identify = forms.BooleanField(
        label=_("La structure rencontre des jeunes et peut signaler ceux qui sont perdus de vue"), required=False
    )
    themes = forms.MultipleChoiceField(
        label=_("Champs d'activité"), required=False, widget=forms.CheckboxSelectMultiple
    )
    served = CommuneListField(
        label=_("Communes desservies"),
        required=False,
        help_text=_(
            "Une commune par ligne (nom, code postal ou code INSEE), ou le nom exact d'un EPCI "
            "pour toutes ses communes."
        ),
    )

    quiet_days_alert = forms.IntegerField(
        label=_("Alerte « sans contact » après (jours)"),
        min_value=7,
        max_value=180,
        help_text=_(
            "Un jeune suivi sans contact réel depuis ce nombre de jours est signalé « à risque » dans la file active."
        ),
        error_messages={
            "required": _("Indiquez un nombre de jours."),
            "min_value": _("Au moins %(limit_value)s jours."),
            "max_value": _("Au plus %(limit_value)s jours."),
        },
    )

    def __init__(self, *args: Any, mission_locale: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["themes"]).choices = _grouped_themes()
        if not mission_locale:  # the caseload's setting belongs to Missions locales only
            del self.fields["quiet_days_alert"]

    def organisation_fields(self) -> dict[str, Any]:
        """The profile's plain fields, to pass to update_organisation."""
        names = [*ORGANISATION_FIELDS, *(["quiet_days_alert"] if "quiet_days_alert" in self.fields else [])]
        return {name: self.cleaned_data[name] for name in names}

    @classmethod
    def initial_for(cls, organisation: Organisation) -> dict[str, Any]:
        return {
            **{name: getattr(organisation, name) for name in ORGANISATION_FIELDS},
            "quiet_days_alert": organisation.quiet_days_alert,
            "themes": list(organisation.themes.values_list("code", flat=True)),
            "served": list(organisation.territory.communes.order_by("name")) if organisation.territory else [],
            "version": organisation.updated_at.isoformat(),
        }

    def theme_terms(self) -> list[Term]:
        return _terms_from(Vocabulary.THEME, self.cleaned_data["themes"])


class ServiceForm(VersionedForm):
    name = forms.CharField(label=_("Nom du service"), max_length=150)
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    themes = forms.MultipleChoiceField(
        label=_("Thématiques"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une thématique : c'est par elle qu'on trouve un service.")},
    )
    publics = forms.MultipleChoiceField(label=_("Publics"), required=False, widget=forms.CheckboxSelectMultiple)
    types = forms.MultipleChoiceField(label=_("Types de service"), required=False, widget=forms.CheckboxSelectMultiple)
    conditions = forms.CharField(
        label=_("Conditions d'accès"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    how_to_refer = forms.CharField(
        label=_("Comment orienter un jeune"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    address = forms.CharField(label=_("Adresse"), max_length=300, required=False)
    commune = CommuneField(label=_("Commune"), required=False)
    is_itinerant = forms.BooleanField(label=_("Service itinérant"), required=False)
    opening_hours = forms.CharField(label=_("Jours et horaires"), max_length=300, required=False)
    is_active = forms.BooleanField(label=_("Service proposé actuellement"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["themes"]).choices = _grouped_themes()
        for name, vocabulary in (("publics", Vocabulary.PUBLIC), ("types", Vocabulary.SERVICE_TYPE)):
            cast(forms.MultipleChoiceField, self.fields[name]).choices = list(
                Term.objects.filter(vocabulary=vocabulary).values_list("code", "label")
            )

    @classmethod
    def initial_for(cls, service: Service) -> dict[str, Any]:
        return {
            **{name: getattr(service, name) for name in SERVICE_FIELDS},
            "themes": list(service.themes.values_list("code", flat=True)),
            "publics": list(service.publics.values_list("code", flat=True)),
            "types": list(service.types.values_list("code", flat=True)),
            "version": service.updated_at.isoformat(),
        }

    def vocabulary_terms(self) -> dict[str, list[Term]]:
        return {
            "themes": _terms_from(Vocabulary.THEME, self.cleaned_data["themes"]),
            "publics": _terms_from(Vocabulary.PUBLIC, self.cleaned_data["publics"]),
            "types": _terms_from(Vocabulary.SERVICE_TYPE, self.cleaned_data["types"]),
        }

    def plain_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SERVICE_FIELDS}


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier data·inclusion (JSON)"),
        help_text=_("Structures et services au format data·inclusion, 20 Mo au plus."),
        error_messages={"required": _("Choisissez le fichier à importer.")},
    )


class MemberAddForm(forms.Form):
    """A coordinator gives someone a role in an organisation they manage (ADR 007)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label=_("Structure"),
        error_messages={"required": _("Choisissez la structure."), "invalid_choice": _("Choisissez la structure.")},
    )
    email = forms.EmailField(
        label=_("Adresse e-mail professionnelle"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": _("Indiquez l'adresse e-mail de la personne."),
            "invalid": _("Saisissez une adresse e-mail valide, par exemple nom@structure.fr."),
        },
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        required=False,
        help_text=_("Pour une personne qui n'a pas encore de compte."),
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, required=False, help_text=_("Pour une personne qui n'a pas encore de compte.")
    )
    role = forms.ChoiceField(
        label=_("Rôle"),
        choices=[(role.value, role.label) for role in Role if role in policy.FILE_READING_ROLES],
        error_messages={"required": _("Choisissez le rôle.")},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"]).queryset = organisations

    def clean(self) -> dict[str, Any]:
        super().clean()
        organisation, role = self.cleaned_data.get("organisation"), self.cleaned_data.get("role")
        if organisation is not None and role and role not in organisation.allowed_roles():
            allowed = ", ".join(
                str(Role(r).label) for r in sorted(organisation.allowed_roles() & policy.FILE_READING_ROLES)
            )
            self.add_error(
                "role",
                _("Ce rôle n'existe pas dans cette structure (%(org)s) : choisissez %(roles)s.")
                % {"org": organisation.name, "roles": allowed},
            )
        return self.cleaned_data


class MemberDeactivateForm(forms.Form):
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Choisissez le membre dont l'accès est à retirer."),
            "invalid_choice": _("Choisissez le membre dont l'accès est à retirer."),
        },
    )

    def __init__(self, *args: Any, memberships: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Membership]", self.fields["membership"]).queryset = memberships


class SecondFactorCodeForm(forms.Form):
    """A code of the authentication application (six digits) or, at login, a recovery code."""

    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
        error_messages={"required": _("Saisissez le code que montre votre application.")},
    )

    def __init__(self, *args: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if recovery:
            field = self.fields["code"]
            field.label = _("Code de l'application ou code de secours")
            field.help_text = _("Six chiffres, ou l'un de vos codes de secours (chacun ne sert qu'une fois).")
            field.widget.attrs["inputmode"] = "text"
            field.error_messages["required"] = _("Saisissez le code de votre application ou un code de secours.")


class MemberSecondFactorResetForm(MemberDeactivateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = _("Choisissez le membre dont le second facteur est à réinitialiser.")
        self.fields["membership"].error_messages.update({"required": message, "invalid_choice": message})

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from reperes.network.models import Organisation, Service
from reperes.privacy.enums import SENSITIVE_SECTIONS, Section
from reperes.referrals.enums import ReferralStatus


class PartnerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Partners serving the youth's commune first, those a consent in force names said so."""

    def __init__(self, *args: Any, named: set[int], **kwargs: Any) -> None:
        self.named = named
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        label = str(obj.name)
        if getattr(obj, "serves_commune", False):
            label += " · " + str(_("dessert sa commune"))
        if obj.pk in self.named:
            label += " · " + str(_("nommé par le consentement"))
        return label


class ServiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.organisation.name} — {obj.name}"


class ReferralForm(forms.Form):
    to_organisation = PartnerField(label=_("Partenaire"), queryset=Organisation.objects.none(), named=set())
    service = ServiceField(label=_("Service (facultatif)"), queryset=Service.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Motif de l'orientation"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("200 caractères au plus. Le nécessaire, rien de plus : le partenaire le lira."),
    )
    shared_sections = forms.MultipleChoiceField(
        label=_("Sections sensibles partagées en plus de l'identité et du parcours"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune par défaut : ne cochez que ce dont le partenaire a besoin."),
    )
    consent_override_reason = forms.CharField(
        label=_("Motif de l'orientation sans consentement nommant ce partenaire"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Seulement si aucun consentement en vigueur ne nomme ce partenaire (ou ne partage les sections "
            "cochées). Le motif est conservé et visible de la Mission locale."
        ),
    )

    def __init__(
        self,
        *args: Any,
        partners: QuerySet[Organisation],
        services: QuerySet[Service],
        shareable: set[str],
        named: set[int],
        can_override: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        partner = self.fields["to_organisation"]
        assert isinstance(partner, PartnerField)
        partner.queryset = partners
        partner.named = named
        self.fields["service"].queryset = services  # type: ignore[attr-defined]
        # A sensitive section is shared only by someone who holds it (the référent).
        choices = [(s.value, s.label) for s in Section if s in SENSITIVE_SECTIONS and s in shareable]
        if choices:
            self.fields["shared_sections"].choices = choices  # type: ignore[attr-defined]
        else:
            del self.fields["shared_sections"]
        if not can_override:
            del self.fields["consent_override_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        service, partner = data.get("service"), data.get("to_organisation")
        if service is not None and partner is not None and service.organisation_id != partner.pk:
            self.add_error("service", _("Ce service n'est pas proposé par le partenaire choisi."))
        return data


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (s.value, s.label)
            for s in (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.DONE)
        ]
    )
    version = forms.IntegerField()
    reason = forms.CharField(max_length=200, required=False)


class WithdrawForm(forms.Form):
    version = forms.IntegerField()
    reason = forms.CharField(max_length=200, required=False)


class YouthSearchForm(forms.Form):
    q = forms.CharField(label=_("Nom ou prénom du jeune"), max_length=100)


class StatusFilterForm(forms.Form):
    statut = forms.ChoiceField(
        label=_("Statut"), choices=[("", _("tous"))] + list(ReferralStatus.choices), required=False
    )

from django import forms
from django.utils.translation import gettext_lazy as _

from reperes.network.forms import VersionedForm
from reperes.reporting.enums import AssessmentCategory, AssessmentKind
from reperes.reporting.models import ASSESSMENT_MAX


class AssessmentForm(VersionedForm):
    """One strength or difficulty of the partnership; the version is the entry's updated_at (empty
    for a new one). Emptying the text removes the entry."""

    category = forms.ChoiceField(label=_("Thème"), choices=AssessmentCategory.choices)
    kind = forms.ChoiceField(label=_("Point fort ou difficulté"), choices=AssessmentKind.choices)
    text = forms.CharField(
        label=_("Ce que vous en dites"),
        max_length=ASSESSMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "%(max)s caractères au plus. Ce texte est lu tel quel par le financeur : parlez des partenaires et "
            "de leur travail ensemble, jamais d'un jeune — ni nom, ni prénom, ni situation qui permette de le "
            "reconnaître. Laissez vide pour effacer."
        )
        % {"max": ASSESSMENT_MAX},
    )

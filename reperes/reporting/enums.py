from django.db import models
from django.utils.translation import gettext_lazy as _


class AssessmentKind(models.TextChoices):
    STRENGTH = "strength", _("point fort")
    DIFFICULTY = "difficulty", _("difficulté")


class AssessmentCategory(models.TextChoices):
    """The seed's own headings for the partnership's strengths and difficulties (bilan of the call
    for projects « Perdus de vue »): five about coordinating the partners, three about the public."""

    ARTICULATION = "articulation", _("articulation des interventions des partenaires")
    INFORMATION = "information", _("circulation des informations entre partenaires")
    FIELDS = "fields", _("connaissance des champs d'activité de chacun")
    COMMON_LAW_FUNDING = "funding", _("connaissance des dispositifs de financement de droit commun")
    RURAL_ZONES = "rural", _("zones rurales sans partenaire pour repérer")
    YOUNG_WOMEN = "young_women", _("repérage des jeunes femmes")
    MOBILITY = "mobility", _("mobilité et mobilisation")
    ISOLATED_YOUTHS = "isolated", _("jeunes isolés, sans soutien familial")


class Situation(models.TextChoices):
    """What became of a youth by the bilan's date: still in the programme, or the exit reason of
    their last pathway (reperes.pathways.enums.ExitReason)."""

    IN_PROGRESS = "in_progress", _("toujours accompagné·e")
    LOST_AGAIN = "lost_again", _("perdu·e de vue à nouveau")
    MOVED = "moved", _("déménagé·e")
    REFUSED = "refused", _("refus de l'accompagnement")
    INELIGIBLE = "ineligible", _("hors critères")
    OTHER = "other", _("autre sortie")


class AgeBand(models.TextChoices):
    """Age on the day the youth was identified."""

    MINOR = "16-17", _("16–17 ans")
    YOUNG_ADULT = "18-21", _("18–21 ans")
    ADULT = "22-25", _("22–25 ans")
    OTHER = "other", _("autre âge ou non renseigné")

from django.db import models
from django.utils.translation import gettext_lazy as _

from reperes.privacy.enums import Section
from reperes.registry.enums import Barrier


class Stage(models.IntegerChoices):
    """The five stages of the programme (appel à projets « Perdus de vue »)."""

    SPOTTED = 1, _("repéré·e")
    MOBILISED = 2, _("mobilisé·e")
    IN_ACTION = 3, _("en action de mobilisation")
    PROJECT = 4, _("projet professionnel validé")
    OUTCOME = 5, _("en formation / en emploi")


class ExitReason(models.TextChoices):
    LOST_AGAIN = "lost_again", _("perdu·e de vue à nouveau")
    MOVED = "moved", _("déménagé·e")
    REFUSED = "refused", _("refus de l'accompagnement")
    INELIGIBLE = "ineligible", _("hors critères")
    OTHER = "other", _("autre")


class EventKind(models.TextChoices):
    OPENED = "opened", _("parcours ouvert")
    REOPENED = "reopened", _("retour dans le parcours")
    STAGE = "stage", _("changement d'étape")
    EXIT = "exit", _("sortie du parcours")


class Channel(models.TextChoices):
    PHONE = "phone", _("téléphone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    STREET = "street", _("dans la rue")
    HOME_VISIT = "home_visit", _("visite à domicile")
    PARTNER = "partner", _("par un partenaire")
    MEETING = "meeting", _("entretien en présence")


class ContactOutcome(models.TextChoices):
    """DOMAIN.md's contact-attempt outcomes, and the first real meeting that mobilises the youth."""

    NOT_REACHED = "not_reached", _("pas joint·e")
    REACHED_AGREES = "reached_agrees", _("joint·e, accepte un rendez-vous")
    REACHED_DECLINES = "reached_declines", _("joint·e, décline")
    ALREADY_FOLLOWED = "already_followed", _("déjà accompagné·e ailleurs")
    WRONG_DETAILS = "wrong_details", _("coordonnées erronées")
    MET = "met", _("rencontré·e : entretien réalisé")


# Outcomes that are a real contact with the youth (the « no contact for N days » alert counts from them).
REACHED = {
    ContactOutcome.REACHED_AGREES,
    ContactOutcome.REACHED_DECLINES,
    ContactOutcome.ALREADY_FOLLOWED,
    ContactOutcome.MET,
}
# Outcomes that count against the cap of attempts without an answer.
UNANSWERED = {ContactOutcome.NOT_REACHED, ContactOutcome.WRONG_DETAILS}


class DeclineReason(models.TextChoices):
    NOT_NOW = "not_now", _("pas le moment")
    DISTRUST = "distrust", _("méfiance envers les institutions")
    NO_NEED = "no_need", _("ne voit pas l'intérêt")
    CONSTRAINTS = "constraints", _("contraintes (famille, santé, logement…)")
    OTHER = "other", _("autre")


class ReapproachStatus(models.TextChoices):
    PLANNED = "planned", _("prévue")
    DONE = "done", _("réalisée")
    CANCELLED = "cancelled", _("annulée")


class BarrierStatus(models.TextChoices):
    REPORTED = "reported", _("signalé, à confirmer")
    IDENTIFIED = "identified", _("identifié")
    IN_PROGRESS = "in_progress", _("en cours de traitement")
    RESOLVED = "resolved", _("levé")
    DISMISSED = "dismissed", _("non confirmé")


# The section of the file each barrier belongs to: the sensitive ones need their own grant.
BARRIER_SECTION: dict[str, str] = {
    Barrier.HOUSING: Section.HOUSING,
    Barrier.HEALTH: Section.HEALTH,
    Barrier.ADDICTION: Section.HEALTH,
    Barrier.JUSTICE: Section.JUSTICE,
}


def barrier_section(kind: str) -> str:
    return BARRIER_SECTION.get(kind, Section.PATHWAY)


class OutcomeKind(models.TextChoices):
    QUALIFYING_TRAINING = "training", _("formation qualifiante")
    APPRENTICESHIP = "apprenticeship", _("apprentissage")
    PRO_CONTRACT = "pro_contract", _("contrat de professionnalisation")
    CDI = "cdi", _("CDI")
    CDD_LONG = "cdd_long", _("CDD de 6 mois ou plus")
    CDD_SHORT = "cdd_short", _("CDD de moins de 6 mois")
    TEMPING = "temping", _("intérim")
    CIVIC_SERVICE = "civic_service", _("service civique")
    E2C = "e2c", _("École de la deuxième chance (E2C)")
    EPIDE = "epide", _("EPIDE")
    CEJ = "cej", _("Contrat d'engagement jeune (CEJ)")
    BACK_TO_SCHOOL = "back_to_school", _("retour en formation initiale")
    SELF_EMPLOYED = "self_employed", _("création d'activité")


class NoteScope(models.TextChoices):
    """A partner's note stays in its organisation unless shared with the Mission locale."""

    ORGANISATION = "organisation", _("ma structure seulement")
    SHARED = "shared", _("partagée avec la Mission locale et les partenaires du dossier")

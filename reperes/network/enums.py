from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MISSION_LOCALE = "mission_locale", _("Mission locale")
    PREVENTION = "prevention_specialisee", _("prévention spécialisée")
    PJJ = "pjj", _("protection judiciaire de la jeunesse (PJJ)")
    SPIP = "spip", _("service pénitentiaire d'insertion et de probation (SPIP)")
    CCAS = "ccas", _("CCAS / CIAS")
    SOCIAL_CENTRE = "centre_social", _("centre social")
    CSAPA = "csapa", _("CSAPA / consultation jeunes consommateurs")
    HEALTH = "sante", _("centre de santé / maison des adolescents")
    HOUSING = "hebergement", _("foyer de jeunes travailleurs / hébergement")
    SPORT_CULTURE = "sport_culture", _("association sportive ou culturelle")
    TRAINING = "organisme_formation", _("organisme de formation")
    E2C = "e2c", _("École de la 2e chance")
    EPIDE = "epide", _("EPIDE")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    SCHOOL = "education", _("établissement scolaire / CIO / MLDS")
    EMPLOYER = "employeur", _("employeur")
    OTHER_PARTNER = "autre", _("autre partenaire")
    FUNDER = "funder", _("financeur")
    OPERATOR = "operator", _("exploitant de la plateforme")


# Kinds that are not partners of the mesh: the Mission locale coordinates it, the others stand outside.
NON_PARTNER_KINDS = {OrganisationKind.MISSION_LOCALE, OrganisationKind.FUNDER, OrganisationKind.OPERATOR}
PARTNER_KINDS = [kind for kind in OrganisationKind if kind not in NON_PARTNER_KINDS]


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("conseiller·ère")
    COORDINATOR = "coordinator", _("coordinateur·rice de projet")
    PARTNER_WORKER = "partner_worker", _("professionnel·le partenaire")
    FUNDER_OFFICER = "funder_officer", _("chargé·e de mission Région")
    ADMIN = "admin", _("administrateur·rice")


# Which roles a membership may hold in each kind of organisation.
ROLES_BY_KIND: dict[str, set[str]] = {
    OrganisationKind.MISSION_LOCALE: {Role.COUNSELLOR, Role.COORDINATOR},
    OrganisationKind.FUNDER: {Role.FUNDER_OFFICER},
    OrganisationKind.OPERATOR: {Role.ADMIN},
}
PARTNER_ROLES: set[str] = {Role.PARTNER_WORKER}


class Vocabulary(models.TextChoices):
    """The data·inclusion schema's vocabularies, kept as its codes (PyPI data-inclusion-schema)."""

    THEME = "thematique", _("thématique")
    PUBLIC = "public", _("public")
    SERVICE_TYPE = "type_service", _("type de service")
    NETWORK = "reseau_porteur", _("réseau porteur")


class SchemeAudience(models.TextChoices):
    YOUTH = "youth", _("un jeune")
    PROJECT = "project", _("un projet")


class Situation(models.TextChoices):
    """Situations that open a funding scheme; a counsellor ticks those of the young person."""

    NO_DIPLOMA = "no_diploma", _("sans diplôme")
    NEET = "neet", _("ni en emploi, ni en études, ni en formation")
    JOBSEEKER = "jobseeker", _("demandeur·se d'emploi")
    LOW_INCOME = "low_income", _("ressources faibles")
    HOUSING = "housing", _("difficulté de logement")
    DISABILITY = "disability", _("en situation de handicap")
    QPV = "qpv", _("habitant·e d'un quartier prioritaire")
    APPRENTICE = "apprentice", _("apprenti·e")
    ACCOMPANIED = "accompanied", _("accompagné·e par une Mission locale ou France Travail")

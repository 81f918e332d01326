from django.db import models
from django.utils.translation import gettext_lazy as _

# The programme's public (appel à projets « Perdus de vue »): 16 to 25 years old.
AGE_MIN, AGE_MAX = 16, 25
# Beyond these, a birth date is taken for a typing error rather than a person to follow.
PLAUSIBLE_AGE_MIN, PLAUSIBLE_AGE_MAX = 14, 30


class Sex(models.TextChoices):
    FEMALE = "f", _("femme")
    MALE = "m", _("homme")
    UNKNOWN = "", _("non renseigné")


class BirthPrecision(models.TextChoices):
    DAY = "day", _("date exacte")
    MONTH = "month", _("mois et année")
    YEAR = "year", _("année seulement")
    ESTIMATED = "estimated", _("âge approximatif")
    UNKNOWN = "unknown", _("inconnue")


class SchoolLevel(models.TextChoices):
    """Last class attended (niveaux de formation, nomenclature de 1969 simplified)."""

    COLLEGE = "college", _("collège (avant la 3e)")
    TROISIEME = "3e", _("3e")
    CAP_BEP = "cap_bep", _("CAP / BEP non obtenu")
    LYCEE = "lycee", _("lycée (seconde à terminale)")
    BAC_NOT_OBTAINED = "bac_echec", _("terminale sans le bac")
    UNKNOWN = "", _("non renseigné")


class YouthStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    MERGED = "merged", _("fusionné dans un autre dossier")
    CLOSED = "closed", _("clos")
    # Past its retention period (reperes/privacy/retention.py): no identity left, counted still.
    ANONYMISED = "anonymised", _("anonymisé")


class SignalConsent(models.TextChoices):
    """Graded by what the young person agreed to (DOMAIN.md: consent before sharing a name)."""

    NONE = "none", _("n'a pas donné son accord : la Mission locale passera par le partenaire")
    CONTACT = "contact", _("accepte d'être contacté·e par la Mission locale")


class SignalStatus(models.TextChoices):
    NEW = "new", _("à trier")
    ASSIGNED = "assigned", _("référent·e désigné·e")
    DUPLICATE = "duplicate", _("jeune déjà connu")
    INELIGIBLE = "ineligible", _("hors public")
    OPPORTUNITY = "opportunity", _("occasion de contact via le partenaire")
    # The real outcomes of a signal the Mission locale closes without taking the youth in.
    UNREACHABLE = "unreachable", _("injoignable")
    DECLINED = "declined", _("a décliné")
    ELSEWHERE = "elsewhere", _("orienté·e ailleurs / déjà suivi·e ailleurs")


# Signals still waiting for the Mission locale: to triage, or a contact opportunity to work.
OPEN_SIGNAL_STATUSES = frozenset({SignalStatus.NEW, SignalStatus.OPPORTUNITY})
# How the Mission locale closes an open signal without taking the youth in (a youth already known
# is a merge instead: a label would leave two files of one person).
SIGNAL_CLOSURES = (SignalStatus.UNREACHABLE, SignalStatus.DECLINED, SignalStatus.ELSEWHERE, SignalStatus.INELIGIBLE)

# What the partner who sent a signal reads of its outcome: the same states, told to them. Never
# why the youth declined nor where they went (a CSAPA, a PJJ unit would tell more than the partner
# needs): only that the Mission locale is done, and whether the partner may bring it up again.
PARTNER_OUTCOME = {
    SignalStatus.NEW: _("reçu par la Mission locale, qui va désigner un·e référent·e"),
    SignalStatus.ASSIGNED: _("pris en charge par la Mission locale"),
    SignalStatus.DUPLICATE: _("jeune déjà connu de la Mission locale"),
    SignalStatus.INELIGIBLE: _("hors du public du programme"),
    SignalStatus.OPPORTUNITY: _("sans l'accord du jeune : la Mission locale peut vous contacter pour le rencontrer"),
    SignalStatus.UNREACHABLE: _("la Mission locale n'a pas réussi à joindre le jeune"),
    SignalStatus.DECLINED: _("le jeune ne souhaite pas être accompagné par la Mission locale pour l'instant"),
    SignalStatus.ELSEWHERE: _("le jeune est orienté ou déjà accompagné ailleurs"),
}

# The longest « where » a closure « orienté·e ailleurs » keeps when it is not in the directory.
ELSEWHERE_TEXT_MAX = 100


class MeetingAnswer(models.TextChoices):
    """The sending partner's answer when the Mission locale asked it to propose a meeting to the
    youth of a contact opportunity."""

    ACCEPTED = "accepted", _("rendez-vous proposé : accepté")
    REFUSED = "refused", _("rendez-vous proposé : refusé")
    NOT_SEEN = "not_seen", _("pas revu le jeune")


class Barrier(models.TextChoices):
    """Freins périphériques (GLOSSARY.md). Justice is a coarse need-to-know flag, never an offence."""

    HOUSING = "housing", _("logement")
    HEALTH = "health", _("santé")
    ADDICTION = "addiction", _("addiction")
    JUSTICE = "justice", _("suivi PJJ / SPIP")
    MOBILITY = "mobility", _("mobilité")
    ISOLATION = "isolation", _("isolement familial")
    MONEY = "money", _("ressources")
    CHILDCARE = "childcare", _("garde d'enfant")
    LANGUAGE = "language", _("langue française")
    DIGITAL = "digital", _("numérique")


# Barriers that are special-category data (GDPR art. 9) or a justice flag: a separate grant.
SENSITIVE_BARRIERS = {Barrier.HEALTH, Barrier.ADDICTION, Barrier.JUSTICE}


class InformedHow(models.TextChoices):
    IN_PERSON = "in_person", _("en personne")
    PHONE = "phone", _("par téléphone")
    LETTER = "letter", _("par courrier ou e-mail")
    PARTNER = "partner", _("par le ou la professionnel·le partenaire")


class ListKind(models.TextChoices):
    """Where an imported list comes from (DOMAIN.md: plateformes de suivi et d'appui aux décrocheurs)."""

    DROPOUT = "dropout", _("liste de décrocheurs (SIEI / RIO)")
    PARTNER = "partner", _("liste d'un partenaire")


class ImportStatus(models.TextChoices):
    MAPPING = "mapping", _("colonnes à associer")
    CHECKING = "checking", _("vérification en cours")
    CHECKED = "checked", _("vérifié, prêt à importer")
    INVALID = "invalid", _("lignes à corriger")
    IMPORTING = "importing", _("import en cours")
    DONE = "done", _("importé")
    FAILED = "failed", _("échec, rien n'a été importé")
    CANCELLED = "cancelled", _("abandonné")


class RowOutcome(models.TextChoices):
    CREATED = "created", _("nouveau dossier")
    KNOWN = "known", _("jeune déjà connu : dossier complété")
    REVIEW = "review", _("nouveau dossier, doublon possible à vérifier")
    IN_FILE = "in_file", _("même jeune qu'une ligne précédente du fichier")
    ELSEWHERE = "elsewhere", _("déjà connu d'une autre Mission locale : non importé")
    ALREADY = "already", _("ligne déjà importée")


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("à examiner")
    MERGED = "merged", _("fusionnés")
    DISTINCT = "distinct", _("personnes différentes")

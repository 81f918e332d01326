from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """Parts of a youth's file, granted separately."""

    IDENTITY = "identity", _("identité et coordonnées")
    PATHWAY = "pathway", _("parcours")
    HOUSING = "housing", _("logement")
    HEALTH = "health", _("santé et addictions")
    JUSTICE = "justice", _("suivi PJJ / SPIP")


SENSITIVE_SECTIONS = {Section.HOUSING, Section.HEALTH, Section.JUSTICE}


class AccessAction(models.TextChoices):
    READ = "read", _("consultation du dossier")
    LIST = "list", _("liste de résultats")
    EXPORT = "export", _("export")
    MERGE = "merge", _("fusion")
    UNMERGE = "unmerge", _("annulation de fusion")
    # « Déjà connu·e de la Mission locale » told, without any detail, to someone outside the file.
    LOOKUP = "lookup", _("existence annoncée sans détail")


class WriteAction(models.TextChoices):
    CREATE = "create", _("création")
    UPDATE = "update", _("modification")
    MERGE = "merge", _("fusion")
    UNMERGE = "unmerge", _("annulation de fusion")
    IMPORT = "import", _("import")
    # The retention job's (reperes/privacy/retention.py): a file anonymised, a signal deleted.
    ANONYMISE = "anonymise", _("anonymisation")
    DELETE = "delete", _("suppression")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "reperes.programme"
    verbose_name = _("programme et campagnes")

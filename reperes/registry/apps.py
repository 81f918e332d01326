from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "reperes.registry"
    verbose_name = _("registre des jeunes")

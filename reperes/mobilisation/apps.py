from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobilisationConfig(AppConfig):
    name = "reperes.mobilisation"
    verbose_name = _("actions de mobilisation")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "reperes.web"
    verbose_name = _("pages communes")

import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "reperes.exports"
    verbose_name = _("exports")

    def ready(self) -> None:
        # WeasyPrint tells every step of every document at INFO, from its import on: the web
        # server's and the worker's logs need only its warnings.
        logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

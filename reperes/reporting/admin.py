from django.contrib import admin

from reperes.reporting.models import WomenShareReference


@admin.register(WomenShareReference)
class WomenShareReferenceAdmin(admin.ModelAdmin[WomenShareReference]):
    """The reference of the bilan's gender lens: administrators correct it when INSEE's figures are
    at hand (reporting/data/README.md). The qualitative part is the coordinators' own: not here."""

    list_display = ["__str__", "share", "year", "source"]
    search_fields = ["departement_code", "source"]

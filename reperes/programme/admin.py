from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reperes.programme.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["name", "funder", "starts_on", "ends_on", "status_label"]
    list_select_related = ["funder"]
    search_fields = ["name"]
    autocomplete_fields = ["funder"]
    date_hierarchy = "starts_on"

    @admin.display(description=_("statut"))
    def status_label(self, campaign: Campaign) -> str:
        return str(campaign.status().label)

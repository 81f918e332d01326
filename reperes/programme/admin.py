from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from reperes.programme.models import BudgetLine, Campaign, Project, ProjectPartner


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    list_display = ["name", "funder", "starts_on", "ends_on", "status_label"]
    list_select_related = ["funder"]
    search_fields = ["name"]
    autocomplete_fields = ["funder"]
    date_hierarchy = "starts_on"
    # The rules (rates, ceilings) are set on the programme's pages, with their history.
    fields = ["name", "funder", "starts_on", "ends_on", "description"]

    @admin.display(description=_("statut"))
    def status_label(self, campaign: Campaign) -> str:
        return str(campaign.status().label)


class ReadOnlyInline[T: (ProjectPartner, BudgetLine)](admin.TabularInline[T, Project]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False


class PartnerInline(ReadOnlyInline[ProjectPartner]):
    model = ProjectPartner
    fields = ["organisation", "role", "added_by", "added_at"]


class BudgetLineInline(ReadOnlyInline[BudgetLine]):
    model = BudgetLine
    fields = ["kind", "label", "planned", "requested"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    """Read-only: projects are created and edited on the programme's pages, which keep their
    history and check who may."""

    list_display = ["name", "campaign", "carrier", "lead"]
    list_select_related = ["campaign", "carrier", "lead"]
    list_filter = ["campaign"]
    search_fields = ["name", "carrier__name"]
    inlines = [PartnerInline, BudgetLineInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False

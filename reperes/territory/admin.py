from django.contrib import admin

from reperes.territory.models import Commune, Epci, Territory


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "postcodes", "departement", "epci", "population", "area_class", "is_current"]
    list_filter = ["area_class", "is_current", "departement"]
    search_fields = ["code", "name", "postcodes"]
    list_select_related = ["departement", "epci"]
    readonly_fields = ["search_name"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind"]
    search_fields = ["name", "code"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    autocomplete_fields = ["communes"]

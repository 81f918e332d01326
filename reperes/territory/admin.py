from django import forms
from django.contrib import admin
from django.http import HttpRequest

from reperes.territory.models import Commune, Epci, Territory
from reperes.territory.services import refresh_area_class, refresh_search_name


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin[Commune]):
    list_display = ["name", "code", "postcodes", "departement", "epci", "population", "area_class", "is_current"]
    list_filter = ["area_class", "is_current", "departement"]
    search_fields = ["code", "name", "postcodes"]
    list_select_related = ["departement", "epci"]
    readonly_fields = ["search_name", "area_class"]  # derived from the name and the population

    def save_model(self, request: HttpRequest, obj: Commune, form: forms.ModelForm[Commune], change: bool) -> None:
        refresh_search_name([obj])
        refresh_area_class([obj])
        super().save_model(request, obj, form, change)


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin[Epci]):
    list_display = ["name", "code", "kind"]
    search_fields = ["name", "code"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin[Territory]):
    list_display = ["name"]
    search_fields = ["name"]
    autocomplete_fields = ["communes"]

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from reperes.network.models import FundingScheme, Membership, Organisation, Service, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "is_active", "last_login"]
    search_fields = ["email", "first_name", "last_name"]
    list_filter = ["is_active", "memberships__role"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identité"), {"fields": ("first_name", "last_name", "phone")}),
        (_("Droits"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune"]


@admin.register(FundingScheme)
class FundingSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "audience", "operator", "age_min", "age_max", "checked_on", "is_active"]
    list_filter = ["audience", "is_active"]
    search_fields = ["name", "short_name", "operator"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "updated_on", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation", "commune", "communes"]
    exclude = ["search_text"]

"""The technical administration (is_staff). Administrators create accounts, organisations and the
funder's and their own memberships; they never grant a role that reads youths' files, nor take over
an account holding one (ADR 007). Every account and membership change made here is recorded in
the privacy history like any other (network.services.record_*)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from reperes.network.models import FundingScheme, Membership, Organisation, Service, User
from reperes.network.services import (
    PASSWORD_SET_BY_ADMIN,
    account_snapshot,
    membership_snapshot,
    record_account_change,
    record_membership_change,
    refresh_search_text,
)
from reperes.privacy import audit, policy
from reperes.privacy.enums import WriteAction

# What decides who is masked or reaches which files: its changes in the admin go to the history.
WATCHED_ORGANISATION_FIELDS = ["name", "kind", "territory", "is_active"]

ROLE_REFUSED = _(
    "L'administration de la plateforme n'attribue pas ce rôle : il ouvre les dossiers des jeunes. "
    "C'est le ou la coordinateur·rice de la Mission locale qui ajoute ses membres et ceux des "
    "partenaires de son territoire (page « Membres »)."
)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # the admin site lets only staff in
    return request.user


class MembershipInlineForm(forms.ModelForm[Membership]):
    """A role that reads youths' files is neither given, nor moved, nor given back here: the only
    change allowed to such a membership is its end (is_active unticked)."""

    class Meta:
        model = Membership
        fields = ["organisation", "role", "is_active"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        role = cleaned_data.get("role")
        initial = Membership.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
        if initial is not None and initial.role in policy.FILE_READING_ROLES:
            ends_only = (
                cleaned_data.get("organisation") == initial.organisation
                and role == initial.role
                and (initial.is_active or not cleaned_data.get("is_active"))
            )
            if not ends_only:
                raise ValidationError(ROLE_REFUSED, code="file_role")
        elif role and not policy.admin_may_grant(role):
            self.add_error("role", ValidationError(ROLE_REFUSED, code="file_role"))
        return cleaned_data


class MembershipInline(admin.TabularInline[Membership, User]):
    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["organisation"]
    can_delete = False  # a membership ends (is_active), it is not erased: its history stays


class AccountChangeForm(UserChangeForm[User]):
    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        grants_admin = cleaned_data.get("is_staff") or cleaned_data.get("is_superuser")
        if grants_admin and self.instance.pk and policy.reads_files(self.instance):
            raise ValidationError(
                _(
                    "Ce compte ouvre les dossiers des jeunes : il ne reçoit pas l'accès à l'administration "
                    "technique. Une même personne utilise deux comptes distincts."
                )
            )
        return cleaned_data


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    form = AccountChangeForm
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

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        # A new address and a reset mail would hand the account, and the files it opens, over.
        if obj is not None and policy.reads_files(obj):
            readonly.append("email")
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # an account is deactivated, never erased: its history names it

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool) -> None:
        before = account_snapshot(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        record_account_change(
            obj, acting_user=_actor(request), before=before, password="" if change else PASSWORD_SET_BY_ADMIN
        )

    def save_formset(self, request: HttpRequest, form: forms.ModelForm[User], formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        befores = {m.pk: membership_snapshot(m) for m in Membership.objects.filter(user=form.instance)}
        super().save_formset(request, form, formset, change)
        for membership in Membership.objects.filter(user=form.instance):
            record_membership_change(membership, acting_user=_actor(request), before=befores.get(membership.pk))

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        user = self.get_object(request, id)
        if isinstance(user, User) and policy.reads_files(user):
            self.message_user(
                request,
                _(
                    "Ce compte ouvre les dossiers des jeunes : son mot de passe ne se change pas ici. "
                    "La personne le choisit elle-même avec « Mot de passe oublié »."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:network_user_change", args=[user.pk]))
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and isinstance(user, User):
            user.refresh_from_db()
            record_account_change(
                user, acting_user=_actor(request), before=account_snapshot(user), password=PASSWORD_SET_BY_ADMIN
            )
        return response


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "kind", "commune", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "siret"]
    autocomplete_fields = ["commune"]
    list_select_related = ["commune"]

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and policy.organisation_kind_locked(obj):
            readonly.append("kind")
        return readonly

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: forms.ModelForm[Organisation], change: bool
    ) -> None:
        before = audit.snapshot(Organisation.objects.get(pk=obj.pk), WATCHED_ORGANISATION_FIELDS) if change else {}
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj, WATCHED_ORGANISATION_FIELDS)
        changed = [name for name in WATCHED_ORGANISATION_FIELDS if before.get(name) != after[name]]
        if changed:
            acting = request.user if isinstance(request.user, User) else None
            audit.record_write(
                obj,
                acting_user=acting,
                action=WriteAction.UPDATE if change else WriteAction.CREATE,
                before={name: before.get(name) for name in changed},
                after={name: after[name] for name in changed},
            )

    def save_related(
        self, request: HttpRequest, form: forms.ModelForm[Organisation], formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_text(form.instance.services.all())  # its name is in each of its services' text


@admin.register(FundingScheme)
class FundingSchemeAdmin(admin.ModelAdmin[FundingScheme]):
    list_display = ["name", "short_name", "audience", "operator", "age_min", "age_max", "checked_on", "is_active"]
    list_filter = ["audience", "is_active"]
    search_fields = ["name", "short_name", "operator"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["name", "organisation", "updated_on", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation", "commune", "communes"]
    exclude = ["search_text"]

    def save_related(self, request: HttpRequest, form: forms.ModelForm[Service], formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        refresh_search_text(Service.objects.filter(pk=form.instance.pk))  # with its organisation as saved


# django-otp's admin shows each device's key and recovery codes: an administrator who also sets a
# password there could pass anybody's second factor. Resets go through the coordinator (ADR 012).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

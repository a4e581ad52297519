"""Django admin, for the operator (superusers) only.

Organisation admins manage their organisation in the app's own pages (``administration``: people, channels,
agencies, approval chains, outgoing mail), which meet WCAG; here they get a 403. The model admins still filter
their rows through ``accounts.access`` (a superuser sees every organisation), so the scoping stays one guard
deeper than the site's door.
"""

from functools import update_wrapper

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import hooks, outbox
from core.models import MailStatus, OutgoingMail

from . import access, second_factor, sessions
from .models import Agency, AgencyEngagement, Channel, Membership, Organisation, User


class PlannerAdminSite(admin.AdminSite):
    site_header = _("TikTok Planner administration")
    site_title = _("TikTok Planner administration")
    index_title = _("People, channels and agencies")

    def has_permission(self, request):
        # The operator's tool only: organisation admins have the organisation's settings pages instead.
        return request.user.is_active and request.user.is_superuser

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            # A logged-in user without the role gets a plain 403 rather than the admin's own login form.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, inner)

    def login(self, request, extra_context=None):
        """One login page for the whole product: the admin sends people to it."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", reverse("admin:index")), reverse("login"))


admin_site = PlannerAdminSite(name="admin")


class OrganisationAdminPermissions:
    """Organisation admins (and superusers) may use it; rows are limited by the querysets. Every change made
    here is also handed to the ``admin_changes`` hook (the audit trail records it: audit sits above accounts)."""

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _hand_over(request, [obj], "added", message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _hand_over(request, [obj], "changed", message)
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)  # called before the rows are deleted
        entries = super().log_deletions(request, objects)
        _hand_over(request, objects, "deleted", "")
        return entries

    def has_module_permission(self, request):
        return access.is_organisation_admin_anywhere(request.user, getattr(request, "memberships", None))

    def has_view_permission(self, request, obj=None):
        return access.is_organisation_admin_anywhere(request.user, getattr(request, "memberships", None))

    def has_add_permission(self, request, obj=None):
        return access.is_organisation_admin_anywhere(request.user, getattr(request, "memberships", None))

    def has_change_permission(self, request, obj=None):
        return access.is_organisation_admin_anywhere(request.user, getattr(request, "memberships", None))

    def has_delete_permission(self, request, obj=None):
        return access.is_organisation_admin_anywhere(request.user, getattr(request, "memberships", None))


def _hand_over(request, objects, change: str, message) -> None:
    for hook in hooks.get("admin_changes"):
        hook(request, objects, change, message)


class ScopedChoices:
    """Foreign-key choices limited to the administered organisations and the agencies they work with."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        administered = access.administered_organisations(request.user)
        if db_field.related_model is Organisation:
            kwargs["queryset"] = administered
        elif db_field.related_model is Agency:
            kwargs["queryset"] = Agency.objects.filter(organisations__in=administered).distinct()
        elif db_field.related_model is User:
            # e.g. a topic's owner: only people of the administered organisations, never anyone else's.
            kwargs["queryset"] = User.objects.filter(memberships__organisation__in=administered).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AdministeredOrganisationFilter(admin.SimpleListFilter):
    """Filter by organisation, offering only those the user administers (never another's name)."""

    title = _("organisation")
    parameter_name = "organisation"

    def lookups(self, request, model_admin):
        return [(org.pk, org.name) for org in access.administered_organisations(request.user).order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            path = getattr(admin_site._registry.get(queryset.model), "organisation_path", "organisation")
            return queryset.filter(**{"pk" if path == "pk" else f"{path}__pk": int(value)})
        return queryset


class ScopedAdmin(OrganisationAdminPermissions, ScopedChoices, admin.ModelAdmin):
    """Rows limited to the organisations the user administers."""

    organisation_path = "organisation"

    def get_list_filter(self, request):
        return [
            AdministeredOrganisationFilter if item == "organisation" else item
            for item in super().get_list_filter(request)
        ]

    def administered(self, request):
        return access.administered_organisations(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.filter(**{f"{self.organisation_path}__in": self.administered(request)}).distinct()


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(ScopedAdmin):
    organisation_path = "pk"
    list_display = ["name", "country", "jurisdiction", "language", "time_zone", "currency", "vat_rate"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return self.administered(request)

    # Creating and removing organisations is for the operator (superuser), not for an organisation.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Channel, site=admin_site)
class ChannelAdmin(ScopedAdmin):
    list_display = ["handle", "display_name", "organisation", "is_active"]
    list_filter = ["organisation", "is_active"]
    search_fields = ["handle", "display_name"]


@admin.register(AgencyEngagement, site=admin_site)
class AgencyEngagementAdmin(ScopedAdmin):
    list_display = ["agency", "organisation", "since", "is_active"]
    list_filter = ["organisation", "is_active"]


@admin.register(Agency, site=admin_site)
class AgencyAdmin(ScopedAdmin):
    """Agencies are shared between organisations: organisation admins see the ones they work with."""

    organisation_path = "organisations"
    list_display = ["name"]
    search_fields = ["name"]

    def get_queryset(self, request):
        if request.user.is_superuser:
            return Agency.objects.all()
        return super().get_queryset(request)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(Membership, site=admin_site)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "organisation", "role", "agency", "is_active", "ended_on"]
    list_filter = ["organisation", "role", "is_active"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]

    def has_delete_permission(self, request, obj=None):
        return False  # a leaver's membership is ended, never deleted (Membership.delete refuses too)


class MembershipInline(OrganisationAdminPermissions, ScopedChoices, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["organisation", "role", "agency", "is_active", "ended_on"]
    can_delete = False

    def get_queryset(self, request):
        # Only the memberships in organisations this admin manages; others are not theirs to see.
        return super().get_queryset(request).filter(organisation__in=access.administered_organisations(request.user))

    def get_min_num(self, request, obj=None, **kwargs):
        # A new person must join one of the admin's organisations, or they would vanish from the list.
        return 0 if request.user.is_superuser else 1


@admin.register(User, site=admin_site)
class UserAdmin(OrganisationAdminPermissions, DjangoUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "second_factor"]
    actions = ["reset_second_factor"]

    @admin.display(description=_("second factor"), boolean=True)
    def second_factor(self, user):
        return second_factor.is_enrolled(user)

    @admin.action(description=_("Reset the second factor (a lost phone): they set it up again at the next log-in"))
    def reset_second_factor(self, request, queryset):
        done = 0
        for user in queryset:
            if access.may_administer_user(request.user, user):
                second_factor.reset_devices(user, by=request.user, request=request)
                done += 1
        self.message_user(
            request, _("The second factor of %(count)d account(s) is reset.") % {"count": done}, messages.SUCCESS
        )

    fieldsets_for_org_admin = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "language")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(memberships__organisation__in=access.administered_organisations(request.user)).distinct()

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.fieldsets_for_org_admin

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return access.is_organisation_admin_anywhere(request.user, getattr(request, "memberships", None))
        return access.may_administer_user(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        # Leavers are deactivated (membership or account), so their decisions stay attributable.
        return request.user.is_superuser

    def save_related(self, request, form, formsets, change):
        user = form.instance
        was_active = user.is_active
        super().save_related(request, form, formsets, change)
        # Ending the last membership above switched the account off (accounts.sessions); an account made without
        # any membership goes off here.
        user.refresh_from_db(fields=["is_active"])
        sessions.switch_off_without_membership(user)
        if was_active and not user.is_active:
            self.message_user(
                request,
                _("%(user)s has no active membership, so the account is switched off until they get one.")
                % {"user": user.get_username()},
                messages.WARNING,
            )


@admin.register(OutgoingMail, site=admin_site)
class OutgoingMailAdmin(ScopedAdmin):
    """The outbox, for the operator (organisation admins have it in their settings): what was sent, what waits and
    what could not be sent (with the mail server's answer), and "send again" for the last. Bodies are not shown: a
    reset link is a secret."""

    list_display = ["created_at", "what", "to", "subject", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["to", "subject"]
    fields = ["created_at", "what", "to", "subject", "status", "attempts", "next_attempt_at", "last_error", "sent_at"]
    readonly_fields = fields
    actions = ["send_again"]

    @admin.display(description=_("what"))
    def what(self, mail):
        return outbox.KINDS.get(mail.kind, mail.kind)

    @admin.action(description=_("Send again (mails that could not be sent)"))
    def send_again(self, request, queryset):
        from django.utils import timezone

        failed = list(queryset.filter(status=MailStatus.FAILED))
        count = outbox.send_again(OutgoingMail.objects.filter(pk__in=[mail.pk for mail in failed]), now=timezone.now())
        for mail in failed:
            self.log_change(request, mail, [{"changed": {"fields": ["status"]}}])
        self.message_user(request, _("%(count)d mail(s) will be sent again.") % {"count": count}, messages.SUCCESS)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

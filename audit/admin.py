"""The audit trail in Django's admin, for the operator (superusers): no add, change or delete, for anyone. Every
column is in words (the event's label, the role's name), never a code."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ScopedAdmin, admin_site
from accounts.roles import Role

from .actions import AuditAction
from .models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    title = _("what")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return AuditAction.choices

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["sequence", "created_at", "what", "about", "actor", "role", "result"]
    list_filter = ["organisation", ActionFilter, "result"]
    search_fields = ["object_id", "actor__username", "actor__last_name"]
    list_select_related = ["actor", "organisation"]
    # The trail grows forever: no second count of every event on each page (the filtered count is enough).
    show_full_result_count = False
    readonly_fields = ["sequence", "created_at", "what", "about", "actor", "role", "result", "origin", "details",
                       "organisation", "hash", "previous_hash"]  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("what"), ordering="action")
    def what(self, event):
        text = event.label
        return f"{text}: {event.reason}" if event.reason else text

    @admin.display(description=_("about"))
    def about(self, event):
        from django.apps import apps

        try:
            model = apps.get_model(event.object_type)
        except (LookupError, ValueError):
            return event.object_id
        return f"{model._meta.verbose_name} {event.object_id}"

    @admin.display(description=_("role"))
    def role(self, event):
        if event.actor_role in Role.values:
            return Role(event.actor_role).label
        return _("System") if event.actor_role == "system" else "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

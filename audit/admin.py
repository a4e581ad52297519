"""The audit trail is read by organisation admins in the admin: no add, change or delete, for anyone."""

from django.contrib import admin

from accounts.admin import ScopedAdmin, admin_site

from .models import AuditEvent


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(ScopedAdmin):
    list_display = ["sequence", "created_at", "action", "object_type", "object_id", "actor", "actor_role", "result"]
    list_filter = ["organisation", "action", "result"]
    search_fields = ["action", "object_id", "actor__username"]
    list_select_related = ["actor", "organisation"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

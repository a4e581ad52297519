"""Approval chains are configured, and the audit trail is read, by organisation admins in the admin.

Audit events are read-only here: no add, change or delete, for anyone.
"""

from django.contrib import admin

from accounts.admin import OrganisationAdminPermissions, ScopedAdmin, admin_site

from .models import ApprovalChain, AuditEvent, StepDefinition


class StepInline(OrganisationAdminPermissions, admin.TabularInline):
    model = StepDefinition
    extra = 0
    min_num = 1
    fields = ["position", "name", "role", "mode", "topic_owner_only", "sensitive_only"]


@admin.register(ApprovalChain, site=admin_site)
class ApprovalChainAdmin(ScopedAdmin):
    list_display = ["organisation", "stage"]
    list_filter = ["organisation", "stage"]
    inlines = [StepInline]


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

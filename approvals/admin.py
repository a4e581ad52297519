"""Approval chains in the operator's admin (superusers); organisation admins edit theirs in the settings."""

from django.contrib import admin

from accounts.admin import OrganisationAdminPermissions, ScopedAdmin, admin_site

from .models import ApprovalChain, StepDefinition


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

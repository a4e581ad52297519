from django.contrib import admin

from accounts.admin import ScopedAdmin, admin_site

from .models import Topic


@admin.register(Topic, site=admin_site)
class TopicAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "theme", "owner", "is_sensitive", "is_active"]
    list_select_related = ["organisation", "owner"]  # one query for the page, not one per topic
    list_filter = ["organisation", "theme", "is_sensitive", "is_active"]
    search_fields = ["name", "tags"]

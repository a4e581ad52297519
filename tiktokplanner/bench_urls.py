"""The app's URLs plus the bench's admin site, for ``make bench`` only (never the ROOT_URLCONF of a server)."""

from django.urls import path

from home.bench.pages import bench_admin_site
from tiktokplanner.urls import urlpatterns as app_urlpatterns

urlpatterns = [*app_urlpatterns, path("bench-admin/", bench_admin_site.urls)]

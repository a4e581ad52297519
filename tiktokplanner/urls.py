from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views as accounts_views
from accounts.admin import admin_site
from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("health/", core_views.health_view, name="health"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/settings/", accounts_views.account_settings, name="account_settings"),
    # Django's own authentication views, with our templates.
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("organisation/", accounts_views.organisation_detail, name="organisation_detail"),
    path("organisation/switch/", accounts_views.switch_organisation, name="switch_organisation"),
    path("organisation/channels/<int:pk>/", accounts_views.channel_detail, name="channel_detail"),
    path("admin/", admin_site.urls),
]

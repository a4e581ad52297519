from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views as accounts_views
from accounts.admin import admin_site
from administration import views as administration_views
from approvals import views as approvals_views
from budget import views as budget_views
from content import views as content_views
from content import webcare_views
from core import views as core_views
from disclosure import views as disclosure_views
from home import views as home_views
from scheduling import views as scheduling_views
from stats import follow_up_views
from stats import views as stats_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("health/", core_views.health_view, name="health"),
    path("health/ready/", core_views.health_view, name="health_ready"),
    path("health/live/", core_views.health_live, name="health_live"),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("accounts/settings/", accounts_views.account_settings, name="account_settings"),
    # Django's own authentication views, with our templates.
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/second-factor/", accounts_views.second_factor, name="second_factor"),
    path("accounts/second-factor/setup/", accounts_views.second_factor_setup, name="second_factor_setup"),
    path(
        "accounts/second-factor/recovery-codes/",
        accounts_views.second_factor_recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path("accounts/password_change/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password_reset/", accounts_views.PasswordResetView.as_view(), name="password_reset"),
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
    # The organisation's settings, for its organisation admins (Django's admin is the operator's only).
    path("organisation/settings/", administration_views.index, name="settings_index"),
    path("organisation/settings/people/", administration_views.people, name="settings_people"),
    path("organisation/settings/people/new/", administration_views.person_add, name="settings_person_add"),
    path("organisation/settings/people/<int:pk>/", administration_views.person, name="settings_person"),
    path("organisation/settings/people/<int:pk>/end/", administration_views.person_end, name="settings_person_end"),
    path(
        "organisation/settings/people/<int:pk>/reactivate/",
        administration_views.person_reactivate,
        name="settings_person_reactivate",
    ),
    path(
        "organisation/settings/people/<int:pk>/second-factor/",
        administration_views.person_second_factor,
        name="settings_person_second_factor",
    ),
    path(
        "organisation/settings/people/<int:pk>/password-mail/",
        administration_views.person_password_mail,
        name="settings_person_password_mail",
    ),
    path("organisation/settings/channels/", administration_views.channels, name="settings_channels"),
    path("organisation/settings/channels/new/", administration_views.channel_add, name="settings_channel_add"),
    path("organisation/settings/channels/<int:pk>/", administration_views.channel_edit, name="settings_channel_edit"),
    path("organisation/settings/agencies/", administration_views.agencies, name="settings_agencies"),
    path("organisation/settings/publication/", administration_views.publication_rules, name="settings_publication"),
    path(
        "organisation/settings/agencies/<int:pk>/end/",
        administration_views.engagement_end,
        name="settings_engagement_end",
    ),
    path(
        "organisation/settings/agencies/<int:pk>/resume/",
        administration_views.engagement_resume,
        name="settings_engagement_resume",
    ),
    path("organisation/settings/approval-chains/", administration_views.chains, name="settings_chains"),
    path(
        "organisation/settings/approval-chains/<str:stage>/",
        administration_views.chain_edit,
        name="settings_chain_edit",
    ),
    path("organisation/settings/mail/", administration_views.mail, name="settings_mail"),
    path(
        "organisation/settings/mail/<int:pk>/send-again/",
        administration_views.mail_send_again,
        name="settings_mail_send_again",
    ),
    path("briefs/", content_views.brief_list, name="brief_list"),
    path("briefs/new/", content_views.brief_create, name="brief_create"),
    path("briefs/<int:pk>/", content_views.brief_detail, name="brief_detail"),
    path("briefs/<int:pk>/edit/", content_views.brief_edit, name="brief_edit"),
    path("briefs/<int:pk>/transition/", content_views.brief_transition, name="brief_transition"),
    path("briefs/<int:pk>/scripts/new/", approvals_views.script_create, name="script_create"),
    path("briefs/<int:pk>/videos/new/", approvals_views.video_create, name="video_create"),
    path("briefs/<int:pk>/videos/<int:number>/file/", content_views.video_file, name="video_file"),
    path("briefs/<int:pk>/hand-off/", scheduling_views.handoff_download, name="handoff_download"),
    path("follow-ups/", follow_up_views.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/", follow_up_views.follow_up_detail, name="follow_up_detail"),
    path(
        "briefs/<int:pk>/videos/<int:number>/<str:kind>/",
        content_views.video_accessibility_file,
        name="video_accessibility_file",
    ),
    path("briefs/<int:pk>/comments/", content_views.comment_create, name="comment_create"),
    path("briefs/<int:pk>/attachments/", content_views.attachment_create, name="attachment_create"),
    path(
        "briefs/<int:pk>/attachments/<int:attachment_pk>/",
        content_views.attachment_file,
        name="attachment_file",
    ),
    path("briefs/<int:pk>/post/", content_views.posting_create, name="posting_create"),
    path("briefs/<int:pk>/focus-group/", content_views.focus_group_create, name="focus_group_create"),
    path("briefs/<int:pk>/disclosure/", disclosure_views.brief_disclosure, name="brief_disclosure"),
    path("reviews/<int:pk>/", approvals_views.review, name="review"),
    path("reviews/<int:pk>/decide/", approvals_views.decide, name="decide"),
    path("inbox/", approvals_views.inbox_view, name="inbox"),
    path("disclosure/", disclosure_views.period_disclosure, name="period_disclosure"),
    path("disclosure/packages/", disclosure_views.export_list, name="disclosure_exports"),
    path("disclosure/packages/<int:pk>/", disclosure_views.export_download, name="disclosure_export_download"),
    path("disclosure/packages/<int:pk>/again/", disclosure_views.export_again, name="disclosure_export_again"),
    path("topics/", content_views.topic_list, name="topic_list"),
    path("creators/", content_views.creator_list, name="creator_list"),
    path("webcare/", webcare_views.webcare_list, name="webcare_list"),
    path("webcare/<int:pk>/", webcare_views.webcare_edit, name="webcare_edit"),
    path("webcare/<int:pk>/ask/", webcare_views.webcare_escalate, name="webcare_escalate"),
    path("webcare/questions/<int:pk>/answer/", webcare_views.webcare_answer, name="webcare_answer"),
    path("webcare/replies/", webcare_views.reply_templates, name="reply_templates"),
    path("webcare/replies/<int:pk>/", webcare_views.reply_templates, name="reply_template_edit"),
    path("webcare/replies/<int:pk>/remove/", webcare_views.reply_template_remove, name="reply_template_remove"),
    path("calendar/", scheduling_views.calendar_view, {"mode": "month"}, name="calendar_month"),
    path("calendar/week/", scheduling_views.calendar_view, {"mode": "week"}, name="calendar_week"),
    path("calendar/agenda/", scheduling_views.calendar_view, {"mode": "agenda"}, name="calendar_agenda"),
    path("calendar/export.csv", scheduling_views.calendar_csv, name="calendar_csv"),
    path("calendar/slots/new/", scheduling_views.slot_create, name="slot_create"),
    path("calendar/slots/<int:pk>/", scheduling_views.slot_detail, name="slot_detail"),
    path("calendar/slots/<int:pk>/change/", scheduling_views.slot_action, name="slot_action"),
    path("calendar/cadence/", scheduling_views.cadence_edit, name="cadence_edit"),
    path("calendar/subscribe/", scheduling_views.feed_manage, name="feed_manage"),
    path("calendar/feed/<slug:token>.ics", scheduling_views.calendar_feed, name="calendar_feed"),
    path("budget/", budget_views.dashboard, name="budget_dashboard"),
    path("budget/periods/new/", budget_views.period_form, name="budget_period_create"),
    path("budget/periods/<int:pk>/edit/", budget_views.period_form, name="budget_period_edit"),
    path("budget/periods/<int:pk>/approve/", budget_views.period_approve, name="budget_period_approve"),
    path("budget/periods/<int:pk>/close/", budget_views.period_close, name="budget_period_close"),
    path("budget/periods/<int:pk>/costs/", budget_views.cost_lines, name="budget_costs"),
    path("budget/periods/<int:pk>/plan/", budget_views.allocations, name="budget_allocations"),
    path("budget/periods/<int:pk>/export.csv", budget_views.export_csv, name="budget_export_csv"),
    path("budget/periods/<int:pk>/export.xlsx", budget_views.export_xlsx, name="budget_export_xlsx"),
    path("budget/costs/<int:pk>/advance/", budget_views.cost_line_advance, name="budget_cost_advance"),
    path(
        "budget/costs/<int:pk>/approve-overrun/", budget_views.cost_line_approve_overrun, name="budget_overrun_approve"
    ),
    path("budget/my-costs/", budget_views.agency_costs, name="budget_agency_costs"),
    path("results/", stats_views.channel_stats, name="stats_overview"),
    path("results/channels/<int:pk>/", stats_views.channel_stats, name="stats_channel"),
    path("results/channels/<int:pk>/import/", stats_views.studio_import, name="stats_import"),
    path("results/channels/<int:pk>/report/", stats_views.results_report, name="stats_report"),
    path("results/channels/<int:pk>/report.pdf", stats_views.results_report_pdf, name="stats_report_pdf"),
    path("results/videos/<int:pk>/", stats_views.video_stats, name="stats_video"),
    path("results/channels/<int:pk>/connect/", stats_views.connect, name="stats_connect"),
    path("results/channels/<int:pk>/pull/", stats_views.pull_now, name="stats_pull_now"),
    path("results/channels/<int:pk>/disconnect/", stats_views.disconnect, name="stats_disconnect"),
    path("results/tiktok/callback/", stats_views.callback, name="stats_callback"),
    path("admin/", admin_site.urls),
]

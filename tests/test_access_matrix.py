"""Every URL by every role: the expected status. A new URL without an entry here fails the suite."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.admin import admin_site
from tests.world import ROLE_PERSONAS

PERSONAS = ["anonymous", "no_membership", *ROLE_PERSONAS.values()]
MEMBERS = PERSONAS[2:]
ROLE_OF = {persona: role.value for role, persona in ROLE_PERSONAS.items()}
LOGGED_IN = PERSONAS[1:]


def _failed_export(world):
    """The ministry's failed disclosure package of its first staged period (made once per test)."""
    from disclosure.models import DisclosureExport, ExportStatus
    from tests.world import STAGED_AT

    return DisclosureExport.objects.get_or_create(
        organisation=world.ministry,
        title="bench-of-the-matrix",
        defaults={"requested_by": world.people["team_social"], "language": "en", "created_at": STAGED_AT,
                  "status": ExportStatus.FAILED, "parameters": {"start": "2026-01-01", "end": "2026-01-31"}},
    )[0]  # fmt: skip


def _request(world):
    """A disclosure request of the ministry about its staged posted brief, with a masked passage."""
    from disclosure.models import DisclosureRequest, Masking
    from tests.world import STAGED_AT

    request, created = DisclosureRequest.objects.get_or_create(
        organisation=world.ministry, reference="2026-0001",
        defaults={"jurisdiction": "NL", "requester": "A journalist", "received_on": STAGED_AT.date(),
                  "subject": "The videos", "period_start": STAGED_AT.date(), "period_end": STAGED_AT.date(),
                  "registered_by": world.people["team_social"], "registered_at": STAGED_AT},
    )  # fmt: skip
    if created:
        request.briefs.add(world.stages.posted)
        Masking.objects.create(
            request=request,
            passage="x",
            provision="5.2 Woo",
            reason="y",
            added_by=world.people["team_social"],
            added_at=STAGED_AT,
        )
    return request


def _failed_package(world):
    """A ministry archive package whose build failed (not there to download; offered again)."""
    from archive.models import ArchivePackage, PackageStatus
    from tests.world import STAGED_AT

    return ArchivePackage.objects.get_or_create(
        organisation=world.ministry, topic=world.stages.posted.topic, reason="on_demand",
        defaults={"status": PackageStatus.FAILED, "requested_at": STAGED_AT, "error": "OSError"},
    )[0]  # fmt: skip


def _proposed_list(world):
    """A destruction list of the ministry, proposed by a second organisation admin."""
    from archive.models import DestructionItem, DestructionList
    from tests.world import STAGED_AT

    from .factories import MembershipFactory

    proposer = MembershipFactory(organisation=world.ministry, role="org_admin").user
    proposed = DestructionList.objects.create(organisation=world.ministry, proposed_by=proposer, proposed_at=STAGED_AT)
    DestructionItem.objects.create(destruction_list=proposed, kind="statistics", brief=world.stages.posted,
                                   posting=world.stages.posting, label="B-00005", cutoff=STAGED_AT)  # fmt: skip
    return {"pk": proposed.pk}


def _question(world):
    """A webcare question to the press office (the reviewers) about the staged posted video."""
    from content.models import WebcareEscalation
    from tests.world import STAGED_AT

    return WebcareEscalation.objects.get_or_create(
        task=world.stages.webcare,
        question="May we answer this?",
        defaults={"role": "reviewer", "asked_by": world.people["team_social"], "asked_at": STAGED_AT},
    )[0]


def _reply(world):
    from content.models import ReplyTemplate

    return ReplyTemplate.objects.get_or_create(organisation=world.ministry, title="Thanks", text="Thank you!")[0]


def expect(default, **per_persona):
    table = dict.fromkeys(PERSONAS, default)
    for persona, status in per_persona.items():
        table[persona] = status
    return table


LOGIN_REQUIRED = expect(200, anonymous=302)
VIEWERS = expect(200, anonymous=302, no_membership=404)
# Visible brief, but the action is not the persona's: a plain 403.
NOT_YOURS = dict.fromkeys(PERSONAS, 403) | {"anonymous": 302, "no_membership": 404}


CALENDAR_READERS = expect(403, anonymous=302) | dict.fromkeys(
    ["adviser", "team_social", "campaign_manager", "agency_member", "management"], 200
)
PLANNERS = expect(403, anonymous=302, team_social=200)
# The MT and campaign managers read the budget; only team social changes it.
BUDGET_READERS = expect(403, anonymous=302, team_social=200, campaign_manager=200, management=200)
BUDGET_WRITERS = expect(403, anonymous=302, team_social=200)
RESULTS_READERS = expect(403, anonymous=302) | dict.fromkeys(
    ["adviser", "team_social", "campaign_manager", "management", "org_admin"], 200
)
CONNECTORS = expect(403, anonymous=302, team_social=302, org_admin=302)
RECORDERS = expect(403, anonymous=302, team_social=200, org_admin=200)


def only(status, *personas, default=NOT_YOURS):
    return default | dict.fromkeys(personas, status)


# A page for organisation members: a logged-in person without any organisation may not use it.
MEMBERS_ONLY = expect(200, anonymous=302, no_membership=403)
# The organisation's settings: its organisation admins only (a page, not an object: 403 for everyone else).
SETTINGS = expect(403, anonymous=302, org_admin=200)
SETTINGS_CHANGES = expect(403, anonymous=302, org_admin=302)


def _membership_of(world, persona):
    from accounts.models import Membership

    return Membership.objects.get(user=world.people[persona], organisation=world.ministry)


def _failed_mail(world):
    from core import outbox
    from core.models import MailStatus, OutgoingMail

    mail = outbox.queue(
        kind="calendar.at_risk", to="social@ministry.example", subject="x", body="y", organisation=world.ministry
    )
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED, attempts=outbox.MAX_ATTEMPTS)
    return mail


def _reviewer(world):
    return {"pk": _membership_of(world, "reviewer").pk}


def _follow_up(world):
    from content.models import FollowUp

    follow_up = FollowUp.objects.create(
        organisation=world.ministry, kind="posted_without_approval", tiktok_video_id="7200000000000000001",
        due_at=world.stages.now, created_at=world.stages.now, channel=world.channel,
    )  # fmt: skip
    return {"pk": follow_up.pk}


def _engagement(world):
    return {"pk": world.ministry.agencyengagement_set.get(agency=world.agency).pk}


# url name → (method, kwargs builder, expected status per persona)
MATRIX = {
    "home": ("get", None, LOGIN_REQUIRED),
    "health": ("get", None, expect(200)),
    "health_ready": ("get", None, expect(200)),
    "health_live": ("get", None, expect(200)),
    "set_language": ("post", None, expect(302)),
    "account_settings": ("get", None, LOGIN_REQUIRED),
    "login": ("get", None, expect(302, anonymous=200)),
    "logout": ("post", None, expect(302)),
    # Everyone here has given the second step already: these send them on (to home, or to their settings).
    "second_factor": ("get", None, expect(302)),
    "second_factor_setup": ("get", None, expect(302)),
    "second_factor_recovery_codes": ("get", None, expect(302)),
    "password_change": ("get", None, LOGIN_REQUIRED),
    "password_change_done": ("get", None, LOGIN_REQUIRED),
    "password_reset": ("get", None, expect(200)),
    "password_reset_done": ("get", None, expect(200)),
    "password_reset_confirm": ("get", lambda w: {"uidb64": "MQ", "token": "set-password"}, expect(200)),
    "password_reset_complete": ("get", None, expect(200)),
    "organisation_detail": ("get", None, MEMBERS_ONLY),
    # Switching to an organisation you don't belong to is "not found".
    "switch_organisation": ("post", None, expect(302, no_membership=404)),
    "channel_detail": ("get", lambda w: {"pk": w.channel.pk}, expect(200, anonymous=302, no_membership=404)),
    "inbox": ("get", None, LOGIN_REQUIRED),
    "brief_list": ("get", None, MEMBERS_ONLY),
    "topic_list": ("get", None, MEMBERS_ONLY),
    "brief_create": (
        "get",
        None,
        expect(403, anonymous=302, adviser=200, team_social=200, campaign_manager=200),
    ),
    "brief_detail": ("get", lambda w: {"pk": w.stages.with_agency.pk}, VIEWERS),
    # A draft is the organisation's own: the agency doesn't find it.
    "brief_edit": (
        "get",
        lambda w: {"pk": w.stages.draft.pk},
        only(200, "adviser", "team_social") | {"agency_member": 404},
    ),
    "brief_transition": (
        "post",
        lambda w: {"pk": w.stages.draft.pk},
        only(302, "adviser", "team_social") | {"agency_member": 404},
    ),
    "script_create": ("get", lambda w: {"pk": w.stages.with_agency.pk}, only(200, "agency_member")),
    "video_create": ("get", lambda w: {"pk": w.stages.in_production.pk}, only(200, "agency_member")),
    "video_file": ("get", lambda w: {"pk": w.stages.in_production.pk, "number": 1}, VIEWERS),
    "video_accessibility_file": (
        "get",
        lambda w: {"pk": w.stages.in_production.pk, "number": 1, "kind": "transcript"},
        VIEWERS,
    ),
    "handoff_download": ("get", lambda w: {"pk": w.stages.ready.pk}, VIEWERS),
    "follow_up_list": ("get", None, expect(403, anonymous=302, team_social=200)),
    "follow_up_detail": ("get", _follow_up, expect(403, anonymous=302, team_social=200)),
    "posting_create": ("get", lambda w: {"pk": w.stages.ready.pk}, only(200, "agency_member")),
    "comment_create": (
        "post",
        lambda w: {"pk": w.stages.with_agency.pk},
        only(302, "adviser", "team_social", "campaign_manager", "agency_member", "reviewer"),
    ),
    "attachment_create": (
        "post",
        lambda w: {"pk": w.stages.with_agency.pk},
        # The upload itself is missing in this request: the page comes back with the error (400).
        only(400, "adviser", "team_social", "campaign_manager"),
    ),
    "attachment_file": (
        "get",
        lambda w: {"pk": w.stages.with_agency.pk, "attachment_pk": w.stages.attachment.pk},
        VIEWERS,
    ),
    "focus_group_create": (
        "get",
        lambda w: {"pk": w.stages.with_agency.pk},
        only(200, "adviser", "team_social", "campaign_manager"),
    ),
    "brief_disclosure": ("get", lambda w: {"pk": w.stages.with_agency.pk}, only(200, "team_social", "org_admin")),
    # Everyone who sees the brief may post the form; only the step's approver gets a decision (302),
    # the others get the page back with the reason (400).
    "decide": ("post", lambda w: {"pk": w.stages.run.pk}, only(400, *MEMBERS) | {"adviser": 302}),
    # A version's review page: whoever sees its brief (the run is the script review of the brief with the agency).
    "review": ("get", lambda w: {"pk": w.stages.run.pk}, VIEWERS),
    "period_disclosure": ("get", None, expect(403, anonymous=302, team_social=200, org_admin=200)),
    "disclosure_exports": ("get", None, expect(403, anonymous=302, team_social=200, org_admin=200)),
    # A package that isn't ready is not there to download, even for those who may disclose.
    "disclosure_export_download": (
        "get",
        lambda w: {"pk": _failed_export(w).pk},
        expect(403, anonymous=302, team_social=404, org_admin=404),
    ),
    "disclosure_export_again": (
        "post",
        lambda w: {"pk": _failed_export(w).pk},
        expect(403, anonymous=302, team_social=302, org_admin=302),
    ),
    "disclosure_requests": ("get", None, expect(403, anonymous=302, team_social=200, org_admin=200)),
    "disclosure_request_add": ("get", None, expect(403, anonymous=302, team_social=200, org_admin=200)),
    "disclosure_request": (
        "get",
        lambda w: {"pk": _request(w).pk},
        expect(403, anonymous=302, team_social=200, org_admin=200),
    ),
    # An empty passage is refused with the page back (400), by those who may disclose.
    "disclosure_request_mask": (
        "post",
        lambda w: {"pk": _request(w).pk},
        expect(403, anonymous=302, team_social=400, org_admin=400),
    ),
    "disclosure_request_unmask": (
        "post",
        lambda w: {"pk": _request(w).pk, "masking_pk": _request(w).maskings.get().pk},
        expect(403, anonymous=302, team_social=302, org_admin=302),
    ),
    "disclosure_request_package": (
        "post",
        lambda w: {"pk": _request(w).pk},
        expect(403, anonymous=302, team_social=302, org_admin=302),
    ),
    "disclosure_request_decide": (
        "post",
        lambda w: {"pk": _request(w).pk},
        expect(403, anonymous=302, team_social=302, org_admin=302),
    ),
    # The archive: for those who may disclose; its retention and destruction pages are the organisation admins'.
    "archive_packages": ("get", None, expect(403, anonymous=302, team_social=200, org_admin=200)),
    # Nothing chosen: the page comes back with the error.
    "archive_package_make": ("post", None, expect(403, anonymous=302, team_social=400, org_admin=400)),
    # A package that isn't made is not there to download.
    "archive_package_download": (
        "get",
        lambda w: {"pk": _failed_package(w).pk},
        expect(403, anonymous=302, team_social=404, org_admin=404),
    ),
    "archive_package_again": (
        "post",
        lambda w: {"pk": _failed_package(w).pk},
        expect(403, anonymous=302, team_social=302, org_admin=302),
    ),
    "settings_retention": ("get", None, SETTINGS),
    "settings_destruction": ("get", None, SETTINGS),
    # Nothing is due: back to the page with the reason.
    "settings_destruction_propose": ("post", None, SETTINGS_CHANGES),
    # A refusal without a reason is sent back with the message.
    "settings_destruction_decide": ("post", _proposed_list, SETTINGS_CHANGES),
    # Not approved: refused, back to the page with the reason.
    "settings_destruction_carry_out": ("post", _proposed_list, SETTINGS_CHANGES),
    "creator_list": ("get", None, expect(403, anonymous=302, agency_member=200)),
    "webcare_list": ("get", None, expect(403, anonymous=302, team_social=200)),
    "calendar_month": ("get", None, CALENDAR_READERS),
    "calendar_week": ("get", None, CALENDAR_READERS),
    "calendar_agenda": ("get", None, CALENDAR_READERS),
    "calendar_csv": ("get", None, CALENDAR_READERS),
    "slot_detail": ("get", lambda w: {"pk": w.stages.slot.pk}, CALENDAR_READERS),
    "slot_create": ("get", None, PLANNERS),
    "slot_action": ("post", lambda w: {"pk": w.stages.slot.pk}, PLANNERS | {"team_social": 302}),
    "cadence_edit": ("get", None, PLANNERS),
    "feed_manage": ("get", None, PLANNERS),
    "budget_dashboard": ("get", None, BUDGET_READERS),
    "budget_period_create": ("get", None, BUDGET_WRITERS),
    "budget_period_edit": ("get", lambda w: {"pk": w.stages.period.pk}, BUDGET_WRITERS),
    "budget_period_approve": ("post", lambda w: {"pk": w.stages.period.pk}, expect(403, anonymous=302, management=302)),
    "budget_period_close": ("post", lambda w: {"pk": w.stages.period.pk}, expect(403, anonymous=302, team_social=302)),
    "budget_costs": ("get", lambda w: {"pk": w.stages.period.pk}, BUDGET_READERS),
    "budget_allocations": ("get", lambda w: {"pk": w.stages.period.pk}, BUDGET_READERS),
    "budget_export_csv": ("get", lambda w: {"pk": w.stages.period.pk}, BUDGET_READERS),
    "budget_export_xlsx": ("get", lambda w: {"pk": w.stages.period.pk}, BUDGET_READERS),
    "budget_cost_advance": ("post", lambda w: {"pk": w.stages.cost_line.pk}, BUDGET_WRITERS | {"team_social": 302}),
    "budget_overrun_approve": (
        "post",
        lambda w: {"pk": w.stages.cost_line.pk},
        expect(403, anonymous=302, management=302),
    ),
    "budget_agency_costs": ("get", None, expect(403, anonymous=302, agency_member=200)),
    "stats_overview": ("get", None, RESULTS_READERS),
    "stats_channel": ("get", lambda w: {"pk": w.channel.pk}, RESULTS_READERS),
    "stats_video": ("get", lambda w: {"pk": w.stages.posting.pk}, RESULTS_READERS),
    "stats_report": ("get", lambda w: {"pk": w.channel.pk}, RESULTS_READERS),
    "stats_report_pdf": ("get", lambda w: {"pk": w.channel.pk}, RESULTS_READERS),
    "stats_import": ("get", lambda w: {"pk": w.channel.pk}, RECORDERS),
    # Connecting sends the browser to TikTok (302); others may not.
    "stats_connect": ("post", lambda w: {"pk": w.channel.pk}, CONNECTORS),
    # Without a connection: back to the results page with a message (302); others may not.
    "stats_pull_now": ("post", lambda w: {"pk": w.channel.pk}, CONNECTORS),
    "stats_disconnect": ("post", lambda w: {"pk": w.channel.pk}, CONNECTORS | {"team_social": 404, "org_admin": 404}),
    # Without a pending request of this session, an answer from TikTok is refused.
    "stats_callback": ("get", None, expect(403, anonymous=302)),
    # The secret address is the key: calendar apps fetch it without logging in.
    "calendar_feed": ("get", lambda w: {"token": w.stages.feed.token}, expect(200)),
    # Others see a webcare task only when a question was put to their role (then they answer it there).
    "webcare_edit": (
        "get",
        lambda w: {"pk": w.stages.webcare.pk},
        expect(404, anonymous=302, no_membership=403, team_social=200),
    ),
    # An empty question or answer is sent back to the form (400).
    "webcare_escalate": ("post", lambda w: {"pk": w.stages.webcare.pk}, expect(403, anonymous=302, team_social=400)),
    "webcare_answer": (
        "post",
        lambda w: {"pk": _question(w).pk},
        expect(404, anonymous=302, no_membership=403, team_social=403, reviewer=400),
    ),
    "reply_templates": ("get", None, expect(403, anonymous=302, team_social=200)),
    "reply_template_edit": ("get", lambda w: {"pk": _reply(w).pk}, expect(403, anonymous=302, team_social=200)),
    "reply_template_remove": ("post", lambda w: {"pk": _reply(w).pk}, expect(403, anonymous=302, team_social=302)),
    "settings_index": ("get", None, SETTINGS),
    "settings_people": ("get", None, SETTINGS),
    "settings_person_add": ("get", None, SETTINGS),
    "settings_person": ("get", _reviewer, SETTINGS),
    "settings_person_end": ("post", _reviewer, SETTINGS_CHANGES),
    # Active already: back to the person's page with the reason.
    "settings_person_reactivate": ("post", _reviewer, SETTINGS_CHANGES),
    "settings_person_second_factor": ("get", _reviewer, SETTINGS),
    # Has a password already: back to the person's page with the reason.
    "settings_person_password_mail": ("post", _reviewer, SETTINGS_CHANGES),
    "settings_channels": ("get", None, SETTINGS),
    "settings_channel_add": ("get", None, SETTINGS),
    "settings_channel_edit": ("get", lambda w: {"pk": w.channel.pk}, SETTINGS),
    "settings_agencies": ("get", None, SETTINGS),
    "settings_engagement_end": ("post", _engagement, SETTINGS_CHANGES),
    # Works for the ministry already: back to the list with the reason.
    "settings_engagement_resume": ("post", _engagement, SETTINGS_CHANGES),
    "settings_chains": ("get", None, SETTINGS),
    "settings_chain_edit": ("get", lambda w: {"stage": "video"}, SETTINGS),
    "settings_mail": ("get", None, SETTINGS),
    "settings_publication": ("get", None, SETTINGS),
    "settings_mail_send_again": ("post", lambda w: {"pk": _failed_mail(w).pk}, SETTINGS_CHANGES),
}


def post_data(url_name, world):
    if url_name == "set_language":
        return {"language": "sv", "next": "/"}
    if url_name == "switch_organisation":
        return {"organisation": world.ministry.pk, "next": "/"}
    if url_name == "brief_transition":
        return {"action": "submit"}
    if url_name == "budget_cost_advance":
        return {"status": "committed"}
    if url_name == "slot_action":
        return {"action": "clear"}
    if url_name == "comment_create":
        return {"text": "Please mention the booster location."}
    if url_name == "decide":
        run = world.stages.run
        prefix = f"run{run.pk}-"
        constraints = [str(pk) for pk in run.brief.constraints.values_list("pk", flat=True)]
        return {
            prefix + "version": 1,
            prefix + "step": 1,
            prefix + "verdict": "approve",
            prefix + "constraints": constraints,
        }
    return {}


def _url_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # generated per registered model: covered by test_admin_* below
            yield from _url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            yield prefix + pattern.name


def test_every_url_has_an_entry_in_the_matrix():
    names = set(_url_names(get_resolver().url_patterns))
    assert names - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these MATRIX entries no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access_matrix(db, staged_world, client_for, url_name, persona):
    world = staged_world
    method, kwargs, expected = MATRIX[url_name]
    client = client_for(world.person(persona))
    url = reverse(url_name, kwargs=kwargs(world) if kwargs else None)
    response = getattr(client, method)(url, post_data(url_name, world) if method == "post" else {})
    assert response.status_code == expected[persona], f"{persona} {method.upper()} {url}"


@pytest.mark.parametrize("persona", MEMBERS)
def test_another_organisations_brief_is_not_found(db, staged_world, client_for, persona):
    from .factories import MembershipFactory

    # The same brief, seen by the same role in the other organisation (and, for the agency, another agency).
    role = ROLE_OF[persona]
    agency = staged_world.other_agency if role == "agency" else None
    outsider = MembershipFactory(organisation=staged_world.municipality, role=role, agency=agency).user
    client = client_for(outsider)
    for name, kwargs in [
        ("brief_detail", {"pk": staged_world.stages.with_agency.pk}),
        ("video_file", {"pk": staged_world.stages.in_production.pk, "number": 1}),
        ("handoff_download", {"pk": staged_world.stages.ready.pk}),
        ("brief_disclosure", {"pk": staged_world.stages.with_agency.pk}),
    ]:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404, name


def test_agency_members_see_only_their_own_agencys_briefs(db, staged_world, client_for):
    from .factories import MembershipFactory

    other = MembershipFactory(organisation=staged_world.ministry, role="agency", agency=staged_world.other_agency).user
    staged_world.other_agency.agencyengagement_set.create(organisation=staged_world.ministry, since="2021-01-01")
    client = client_for(other)
    assert client.get(reverse("brief_detail", args=[staged_world.stages.with_agency.pk])).status_code == 404
    assert staged_world.stages.with_agency.title not in client.get(reverse("brief_list")).content.decode()


@pytest.mark.parametrize("persona", MEMBERS)
def test_another_organisations_channel_is_not_found(db, staged_world, client_for, persona):
    client = client_for(staged_world.person(persona))
    response = client.get(reverse("channel_detail", kwargs={"pk": staged_world.other_channel.pk}))
    assert response.status_code == 404


def test_agency_member_of_both_organisations_sees_both_channels(db, staged_world, client_for):
    client = client_for(staged_world.shared_agency_member)
    for channel in (staged_world.channel, staged_world.other_channel):
        assert client.get(reverse("channel_detail", kwargs={"pk": channel.pk})).status_code == 200


def _admin_urls():
    yield "admin:index", None
    for model in admin_site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield "admin:{}_{}_changelist".format(*info), None


# Django's admin is the operator's: organisation admins have their settings pages instead (administration).
ADMIN_EXPECTED = expect(403, anonymous=302)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url_name", "kwargs"), list(_admin_urls()))
def test_admin_is_for_superusers_only(db, staged_world, client_for, url_name, kwargs, persona):
    client = client_for(staged_world.person(persona))
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == ADMIN_EXPECTED[persona]
    if persona == "anonymous":
        assert response.url.startswith(reverse("admin:login")) or response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "kwargs"), list(_admin_urls()))
def test_a_superuser_still_gets_into_the_admin(db, staged_world, client_for, url_name, kwargs):
    from .factories import UserFactory

    operator = UserFactory(username="operator", is_superuser=True, is_staff=True)
    assert client_for(operator).get(reverse(url_name, kwargs=kwargs)).status_code == 200

"""What an organisation admin changes in the organisation's settings: people and their memberships, channels, agency
engagements, approval chains, and mails sent again.

Each service guards itself with ``require_in(actor, <the organisation of what it changes>, MANAGE_ORGANISATION)``,
so another organisation's admin is refused even when handed the object, changes things in one transaction and
records one audit event that says what changed (before and after where that helps). The one exception is the
second factor's reset: ``accounts.second_factor.reset_devices`` tells the audit trail itself (its listener writes
``auth.second_factor_reset``), so a second event here would count the reset twice.
"""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts import access, second_factor
from accounts.access import require_in
from accounts.models import Agency, AgencyEngagement, Channel, Membership, Organisation, User
from accounts.roles import ROLE_CAPABILITIES, Capability, Role
from approvals.models import ApprovalChain, Stage, StepDefinition, StepMode
from approvals.services import DEFAULT_STEPS
from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin
from content.models import PublicationRules
from core import outbox
from core.models import MailStatus, OutgoingMail

MANAGE = Capability.MANAGE_ORGANISATION

# Only roles that review scripts and videos can be a step's approvers (the database refuses the agency and the MT).
APPROVER_ROLES = [role for role in Role if Capability.REVIEW_CONTENT in ROLE_CAPABILITIES[role]]
STEP_FIELDS = ("name", "role", "mode", "topic_owner_only", "sensitive_only")
CHANNEL_FIELDS = ("handle", "display_name", "is_active", "min_video_seconds", "max_video_seconds")


def _require_administers(actor, person) -> None:
    """An account (its second factor, its password mail, switching it on) is changed only by an admin of every
    organisation it works for: otherwise one organisation could take over another's person."""
    if not access.may_administer_user(actor, person):
        raise PermissionDenied(
            _("Only the TikTok Planner operator may change this account: your organisation does not manage it alone.")
        )


# --- People -----------------------------------------------------------------------------------------------------


def _active_admins_locked(organisation_id: int) -> int:
    """How many active organisation admins the organisation has, their rows locked until the transaction ends: two
    admins who end each other at the same moment can't both see the other as "not the last one"."""
    return len(
        Membership.objects.select_for_update()
        .filter(organisation_id=organisation_id, role=Role.ORGANISATION_ADMIN, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked(membership: Membership) -> Membership:
    """The membership as it is now, locked (a change is made to what is, not to what a page showed)."""
    return Membership.objects.select_for_update(of=("self",)).select_related("user", "agency").get(pk=membership.pk)


def _refuse_last_admin(membership: Membership) -> None:
    if (
        membership.is_active
        and membership.role == Role.ORGANISATION_ADMIN
        and _active_admins_locked(membership.organisation_id) <= 1
    ):
        raise ValidationError(
            _(
                "%(name)s is the organisation's last active organisation admin. Make someone else an organisation "
                "admin first, or nobody could manage the organisation any more."
            )
            % {"name": membership.user}
        )


def set_password_link(user) -> str:
    """The address where ``user`` chooses a password: Django's password reset (the link works once, for
    PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL.rstrip("/") + path


def _queue_password_mail(user, organisation: Organisation) -> OutgoingMail | None:
    return outbox.send(
        kind="account.welcome",
        template="administration/email/set_password",
        context={
            "person": user,
            "organisation": organisation,
            "link": set_password_link(user),
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
        person=user,
        organisation=organisation,
    )


@transaction.atomic
def person_add(
    *,
    actor,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    language: str,
    role: str,
    agency: Agency | None = None,
    origin: Origin | None = None,
) -> Membership:
    """A new person with a role in the organisation: an account without a password and a mail (through the outbox)
    with a link to set one. A user name that exists already is refused without saying whose it is."""
    require_in(actor, organisation, MANAGE)
    username = username.strip()
    email = email.strip()
    if not email:
        raise ValidationError({"email": _("Give an e-mail address: the link to set a password is sent there.")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This user name is taken. Choose another one.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("Another account uses this address. Each person needs their own address.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, language=language)
    user.set_unusable_password()  # they choose it themselves, through the link in the mail
    user.full_clean()
    user.save()
    membership = Membership(user=user, organisation=organisation, role=role, agency=agency)
    membership.full_clean()
    membership.save()
    _queue_password_mail(user, organisation)
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.PERSON_ADDED,
        obj=membership,
        origin=origin,
        details={"person": user.username, "role": role, "agency": agency.name if agency else None},
    )
    return membership


@transaction.atomic
def person_send_password_mail(*, actor, membership: Membership, origin: Origin | None = None) -> OutgoingMail | None:
    """The set-your-password mail again, for someone who has not chosen a password yet (the first link expired or
    got lost). Someone with a password asks for a new one on the log-in page themselves."""
    require_in(actor, membership.organisation_id, MANAGE)
    membership = _locked(membership)
    person = membership.user
    _require_administers(actor, person)
    if not membership.is_active or not person.is_active:
        raise ValidationError(_("%(name)s no longer works here: reactivate the membership first.") % {"name": person})
    if person.has_usable_password():
        raise ValidationError(
            _(
                "%(name)s has chosen a password already. If they forgot it, they ask for a new one with “Forgot your "
                "password?” on the log-in page."
            )
            % {"name": person}
        )
    mail = _queue_password_mail(person, membership.organisation)
    trail.record(
        organisation=membership.organisation,
        actor=actor,
        action=AuditAction.PERSON_PASSWORD_MAIL_SENT,
        obj=membership,
        origin=origin,
        details={"person": person.username},
    )
    return mail


@transaction.atomic
def membership_change_role(
    *, actor, membership: Membership, role: str, agency: Agency | None = None, origin: Origin | None = None
) -> bool:
    """Give a person another role here (and, for agency members, their agency). False when nothing changed. The
    organisation's last active organisation admin keeps that role."""
    require_in(actor, membership.organisation_id, MANAGE)
    membership = _locked(membership)
    before_role, before_agency = membership.role, membership.agency
    if (role, getattr(agency, "pk", None)) == (before_role, membership.agency_id):
        return False
    if role != Role.ORGANISATION_ADMIN:
        _refuse_last_admin(membership)
    membership.role = role
    membership.agency = agency
    membership.full_clean()
    membership.save(update_fields=["role", "agency"])
    trail.record(
        organisation=membership.organisation,
        actor=actor,
        action=AuditAction.MEMBERSHIP_ROLE_CHANGED,
        obj=membership,
        origin=origin,
        details={
            "person": membership.user.username,
            "role": {"before": before_role, "after": role},
            "agency": {
                "before": before_agency.name if before_agency else None,
                "after": agency.name if agency else None,
            },
        },
    )
    return True


@transaction.atomic
def membership_end(*, actor, membership: Membership, today: date, origin: Origin | None = None) -> bool:
    """A leaver: the membership ends ``today`` (never deleted: their decisions stay attributable). An account left
    without any active membership is switched off, its sessions end and what the person handed out is revoked
    (``accounts.sessions``). Returns whether the account was switched off. The last active organisation admin can't
    be ended."""
    require_in(actor, membership.organisation_id, MANAGE)
    membership = _locked(membership)
    if not membership.is_active:
        raise ValidationError(_("This membership has ended already."))
    _refuse_last_admin(membership)
    person = membership.user
    was_active = person.is_active
    membership.is_active = False
    membership.ended_on = today
    # Saving it tells accounts.sessions, which switches an account without an active membership off
    # (switch_off_without_membership) and ends its sessions.
    membership.save(update_fields=["is_active", "ended_on"])
    person.refresh_from_db(fields=["is_active"])
    switched_off = was_active and not person.is_active
    trail.record(
        organisation=membership.organisation,
        actor=actor,
        action=AuditAction.MEMBERSHIP_ENDED,
        obj=membership,
        origin=origin,
        details={
            "person": person.username,
            "role": membership.role,
            "ended_on": today.isoformat(),
            "account_switched_off": switched_off,
        },
    )
    return switched_off


@transaction.atomic
def membership_reactivate(*, actor, membership: Membership, origin: Origin | None = None) -> bool:
    """An ended membership active again, in the role it had. An account that was switched off for lack of a
    membership is switched on again (only by an admin who manages the whole account). Returns whether it was."""
    require_in(actor, membership.organisation_id, MANAGE)
    membership = _locked(membership)
    if membership.is_active:
        raise ValidationError(_("This membership is active already."))
    person = membership.user
    if not person.is_active:
        _require_administers(actor, person)
    ended_on = membership.ended_on
    membership.is_active = True
    membership.ended_on = None
    membership.full_clean()  # an agency member's agency must still work for the organisation
    membership.save(update_fields=["is_active", "ended_on"])
    switched_on = not person.is_active
    if switched_on:
        person.is_active = True
        person.save(update_fields=["is_active"])
    trail.record(
        organisation=membership.organisation,
        actor=actor,
        action=AuditAction.MEMBERSHIP_REACTIVATED,
        obj=membership,
        origin=origin,
        details={
            "person": person.username,
            "role": membership.role,
            "ended_on": ended_on.isoformat() if ended_on else None,
            "account_switched_on": switched_on,
        },
    )
    return switched_on


@transaction.atomic
def person_reset_second_factor(*, actor, membership: Membership, request=None) -> int:
    """A lost phone: every device of the person goes, and they set up the authenticator app again at their next
    log-in. Audited by the reset's own signal (``auth.second_factor_reset``, with ``actor`` as who did it).
    ``request``: where it came from, for that event. Returns how many devices were removed."""
    require_in(actor, membership.organisation_id, MANAGE)
    _require_administers(actor, membership.user)
    return second_factor.reset_devices(membership.user, by=actor, request=request)


# --- Channels ---------------------------------------------------------------------------------------------------


def _check_channel(channel: Channel) -> None:
    """The channel as a whole, in words (the database's constraints would only name themselves)."""
    channel.handle = (channel.handle or "").strip().removeprefix("@")
    if Channel.objects.filter(handle__iexact=channel.handle).exclude(pk=channel.pk).exists():
        raise ValidationError({"handle": _("Another channel already has this TikTok handle.")})
    low, high = channel.min_video_seconds, channel.max_video_seconds
    if low is not None and high is not None and low > high:
        raise ValidationError({"max_video_seconds": _("The longest video can't be shorter than the shortest.")})
    channel.full_clean()


@transaction.atomic
def channel_add(*, actor, organisation: Organisation, fields: dict, origin: Origin | None = None) -> Channel:
    """A TikTok channel of the organisation (connecting it to TikTok is done on its results page)."""
    require_in(actor, organisation, MANAGE)
    channel = Channel(organisation=organisation, **{key: fields[key] for key in CHANNEL_FIELDS if key in fields})
    _check_channel(channel)
    channel.save()
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.CHANNEL_ADDED,
        obj=channel,
        origin=origin,
        details={key: getattr(channel, key) for key in CHANNEL_FIELDS},
    )
    return channel


@transaction.atomic
def channel_update(*, actor, channel: Channel, fields: dict, origin: Origin | None = None) -> dict:
    """Change a channel's handle, name, limits or whether it is active; returns what changed (field → before and
    after), empty when nothing did."""
    require_in(actor, channel.organisation_id, MANAGE)
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    before = {key: getattr(channel, key) for key in CHANNEL_FIELDS}
    for key in CHANNEL_FIELDS:
        if key in fields:
            setattr(channel, key, fields[key])
    _check_channel(channel)
    changes = {
        key: {"before": before[key], "after": getattr(channel, key)}
        for key in CHANNEL_FIELDS
        if before[key] != getattr(channel, key)
    }
    if not changes:
        return {}
    channel.save(update_fields=list(changes))
    trail.record(
        organisation=channel.organisation,
        actor=actor,
        action=AuditAction.CHANNEL_CHANGED,
        obj=channel,
        origin=origin,
        details={"handle": channel.handle, "changes": changes},
    )
    return changes


# --- Publication rules ------------------------------------------------------------------------------------------

PUBLICATION_RULE_FIELDS = (
    "disclosure_text",
    "accessibility_required",
    "subtitle_max_chars_per_second",
    "subtitle_max_line_length",
    "subtitle_max_lines",
    "post_day_tolerance",
    "rights_warning_days",
)


@transaction.atomic
def publication_rules_save(*, actor, organisation: Organisation, fields: dict, origin: Origin | None = None) -> dict:
    """Change what the approval requires of what goes out; returns what changed (field → before and after). Applies
    to decisions made afterwards: what was approved stays approved."""
    require_in(actor, organisation, MANAGE)
    rules = PublicationRules.of(organisation)
    rules = PublicationRules.objects.select_for_update().get(pk=rules.pk)
    before = {key: getattr(rules, key) for key in PUBLICATION_RULE_FIELDS}
    for key in PUBLICATION_RULE_FIELDS:
        if key in fields:
            setattr(rules, key, fields[key])
    rules.disclosure_text = rules.disclosure_text.strip()
    rules.full_clean()
    changes = {
        key: {"before": str(before[key]), "after": str(getattr(rules, key))}
        for key in PUBLICATION_RULE_FIELDS
        if before[key] != getattr(rules, key)
    }
    if changes:
        rules.save(update_fields=list(changes))
        trail.record(
            organisation=organisation,
            actor=actor,
            action=AuditAction.PUBLICATION_RULES_CHANGED,
            obj=rules,
            origin=origin,
            details={"changes": changes},
        )
    return changes


# --- Agencies ---------------------------------------------------------------------------------------------------


@transaction.atomic
def agency_engage(
    *, actor, organisation: Organisation, name: str, since: date, origin: Origin | None = None
) -> AgencyEngagement:
    """The organisation starts working with an agency, named exactly. Agencies are shared between organisations and
    an admin sees only those their organisation works with: so the name is typed, and an agency of exactly that name
    is engaged if there is one, else a new agency of that name is made."""
    require_in(actor, organisation, MANAGE)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the agency's name.")})
    agency, created = Agency.objects.get_or_create(name=name)
    engagement = AgencyEngagement.objects.filter(agency=agency, organisation=organisation).first()
    if engagement is not None and engagement.is_active:
        raise ValidationError({"name": _("%(agency)s works for this organisation already.") % {"agency": name}})
    if engagement is not None:
        raise ValidationError(
            {
                "name": _("%(agency)s worked for this organisation before: resume that engagement in the list.")
                % {"agency": name}
            }
        )
    engagement = AgencyEngagement(agency=agency, organisation=organisation, since=since)
    engagement.full_clean()
    engagement.save()
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.AGENCY_ENGAGED,
        obj=engagement,
        origin=origin,
        details={"agency": name, "since": since.isoformat(), "new_agency": created},
    )
    return engagement


def _locked_engagement(engagement: AgencyEngagement) -> AgencyEngagement:
    return (
        AgencyEngagement.objects.select_for_update(of=("self",))
        .select_related("agency", "organisation")
        .get(pk=engagement.pk)
    )


@transaction.atomic
def engagement_end(*, actor, engagement: AgencyEngagement, origin: Origin | None = None) -> int:
    """The agency no longer works for the organisation: it is no longer offered for briefs and new agency members.
    Its people's memberships are left as they are (the admin ends them under People); returns how many are still
    active, so the page can say so."""
    require_in(actor, engagement.organisation_id, MANAGE)
    engagement = _locked_engagement(engagement)
    if not engagement.is_active:
        raise ValidationError(_("This engagement has ended already."))
    engagement.is_active = False
    engagement.save(update_fields=["is_active"])
    still_active = Membership.objects.filter(
        organisation_id=engagement.organisation_id, agency_id=engagement.agency_id, is_active=True
    ).count()
    trail.record(
        organisation=engagement.organisation,
        actor=actor,
        action=AuditAction.AGENCY_ENGAGEMENT_ENDED,
        obj=engagement,
        origin=origin,
        details={"agency": engagement.agency.name, "members_still_active": still_active},
    )
    return still_active


@transaction.atomic
def engagement_resume(*, actor, engagement: AgencyEngagement, origin: Origin | None = None) -> AgencyEngagement:
    """An ended engagement active again (from the date it first started)."""
    require_in(actor, engagement.organisation_id, MANAGE)
    engagement = _locked_engagement(engagement)
    if engagement.is_active:
        raise ValidationError(_("This agency works for the organisation already."))
    engagement.is_active = True
    engagement.save(update_fields=["is_active"])
    trail.record(
        organisation=engagement.organisation,
        actor=actor,
        action=AuditAction.AGENCY_ENGAGEMENT_RESUMED,
        obj=engagement,
        origin=origin,
        details={"agency": engagement.agency.name},
    )
    return engagement


# --- Approval chains --------------------------------------------------------------------------------------------


def default_steps() -> list[dict]:
    """The steps an organisation has until it sets its own (``approvals.services.chain_for`` makes them)."""
    return [
        dict(zip(STEP_FIELDS, (name, str(role), str(mode), owner_only, sensitive_only), strict=True))
        for name, role, mode, owner_only, sensitive_only in DEFAULT_STEPS
    ]


def current_steps(organisation: Organisation, stage: str) -> tuple[list[dict], bool]:
    """The organisation's steps for ``stage`` in order, and whether they are its own (False: the default chain,
    which no review has needed yet). Reads only: the default chain is made by the first review that needs it."""
    chain = ApprovalChain.objects.filter(organisation=organisation, stage=stage).first()
    if chain is None:
        return default_steps(), False
    steps = chain.steps.order_by("position").values(*STEP_FIELDS)
    return [dict(step) for step in steps], True


def check_steps(steps: list[dict]) -> None:
    """A chain every review can go through: at least one step, at least one for every topic (not only sensitive
    ones), approvers who review, and "only the topic's owner" only where the owner's role fits."""
    if not steps:
        raise ValidationError(_("Keep at least one step: every script and video needs someone to approve it."))
    if all(step["sensitive_only"] for step in steps):
        raise ValidationError(
            _(
                "At least one step must apply to every topic, not only to sensitive ones: otherwise a script or "
                "video on another topic would need nobody's approval."
            )
        )
    for step in steps:
        if not step["name"].strip():
            raise ValidationError(_("Every step needs a name."))
        if step["role"] not in APPROVER_ROLES:
            raise ValidationError(
                _("“%(step)s”: choose a role that reviews scripts and videos.") % {"step": step["name"]}
            )
        if step["mode"] not in StepMode.values:
            raise ValidationError(_("“%(step)s”: choose who must approve.") % {"step": step["name"]})
        if step["topic_owner_only"] and step["role"] != Role.COMMUNICATION_ADVISER:
            raise ValidationError(
                _(
                    "“%(step)s”: a topic is owned by a communication adviser, so “only the topic's owner” needs "
                    "that role."
                )
                % {"step": step["name"]}
            )


@transaction.atomic
def approval_chain_save(
    *, actor, organisation: Organisation, stage: str, steps: list[dict], origin: Origin | None = None
) -> ApprovalChain | None:
    """Replace the organisation's approval steps for ``stage`` (script or video) with ``steps``, in their order:
    positions become 1, 2, 3, … Only reviews started afterwards follow them; a review under way keeps the steps it
    started with (each run copies them into its RunSteps). None when nothing changed."""
    require_in(actor, organisation, MANAGE)
    if stage not in Stage.values:
        raise ValidationError(_("There is no such stage."))
    after = [
        {
            "name": " ".join(str(step["name"]).split()),
            "role": str(step["role"]),
            "mode": str(step["mode"]),
            "topic_owner_only": bool(step.get("topic_owner_only")),
            "sensitive_only": bool(step.get("sensitive_only")),
        }
        for step in steps
    ]
    check_steps(after)
    chain = ApprovalChain.objects.select_for_update().filter(organisation=organisation, stage=stage).first()
    if chain is None:
        before = default_steps()  # what the next review would get
    else:
        before = [dict(step) for step in chain.steps.order_by("position").values(*STEP_FIELDS)]
    if after == before:
        return None
    if chain is None:
        chain, _created = ApprovalChain.objects.get_or_create(organisation=organisation, stage=stage)
    chain.steps.all().delete()
    definitions = [StepDefinition(chain=chain, position=position, **step) for position, step in enumerate(after, 1)]
    for definition in definitions:
        definition.full_clean(exclude=["chain"], validate_unique=False)
    StepDefinition.objects.bulk_create(definitions)
    trail.record(
        organisation=organisation,
        actor=actor,
        action=AuditAction.APPROVAL_CHAIN_CHANGED,
        obj=chain,
        origin=origin,
        details={"stage": stage, "before": before, "after": after},
    )
    return chain


# --- Mail -------------------------------------------------------------------------------------------------------


@transaction.atomic
def mail_send_again(*, actor, mail: OutgoingMail, now: datetime, origin: Origin | None = None) -> OutgoingMail:
    """A mail that could not be sent gets a fresh set of attempts, starting ``now`` (``core.outbox.send_again``)."""
    require_in(actor, mail.organisation_id, MANAGE)
    refused = _("Only a mail that could not be sent can be sent again.")
    if mail.status != MailStatus.FAILED:
        raise ValidationError(refused)
    attempts, last_error = mail.attempts, mail.last_error
    if not outbox.send_again(OutgoingMail.objects.filter(pk=mail.pk), now=now):
        raise ValidationError(refused)  # sent again by someone else a moment ago
    trail.record(
        organisation=mail.organisation,
        actor=actor,
        action=AuditAction.MAIL_SENT_AGAIN,
        obj=mail,
        origin=origin,
        details={"kind": mail.kind, "attempts": attempts, "last_error": last_error},
    )
    mail.refresh_from_db()
    return mail

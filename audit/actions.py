"""Every kind of audit event, with the words people read for it (timeline, Woo documents, admin).

The codes are what the chain stores (and hashes), so they never change; the labels are translated when
shown. ``trail.record`` refuses a code that is not listed here, so a new kind of event gets its label
the day it is written.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # Briefs
    BRIEF_CREATED = "brief.created", _("Brief drafted")
    BRIEF_UPDATED = "brief.updated", _("Brief edited")
    BRIEF_SUBMIT = "brief.submit", _("Submitted to team social")
    BRIEF_RETURN = "brief.return", _("Returned to the adviser")
    BRIEF_SEND = "brief.send", _("Sent to the agency")
    BRIEF_CANCEL = "brief.cancel", _("Brief cancelled")
    BRIEF_SCRIPT_APPROVED = "brief.script_approved", _("Script approved: production may start")
    BRIEF_VIDEO_APPROVED = "brief.video_approved", _("Video approved: ready to post")
    BRIEF_POSTED = "brief.posted", _("Posted on TikTok")
    BRIEF_DISCLOSED = "brief.disclosed", _("Disclosure package made")
    REQUEST_REGISTERED = "disclosure.request_registered", _("Disclosure request registered")
    PASSAGE_MASKED = "disclosure.passage_masked", _("Passage masked for a disclosure request")
    PASSAGE_UNMASKED = "disclosure.passage_unmasked", _("Masked passage released again")
    REQUEST_PACKAGED = "disclosure.request_packaged", _("Disclosure package made for a request")
    REQUEST_DECIDED = "disclosure.request_decided", _("Disclosure request decided")
    ATTACHMENT_ADDED = "attachment.added", _("Attachment added")
    COMMENT_ADDED = "comment.added", _("Comment added")
    FOCUS_GROUP_RECORDED = "focus_group.recorded", _("Focus-group test recorded")
    WEBCARE_CREATED = "webcare.created", _("Webcare task created")
    WEBCARE_UPDATED = "webcare.updated", _("Webcare task updated")
    WEBCARE_ESCALATED = "webcare.escalated", _("Webcare question put to another role")
    WEBCARE_ANSWERED = "webcare.answered", _("Webcare question answered")
    REPLY_TEMPLATE_SAVED = "webcare.reply_template_saved", _("Reply template saved")
    REPLY_TEMPLATE_REMOVED = "webcare.reply_template_removed", _("Reply template removed")
    HANDOFF_DOWNLOADED = "handoff.downloaded", _("Hand-off package downloaded")
    POST_CHECKED = "post.checked", _("Live post checked against its approval")
    POST_DIFFERS = "post.differs", _("Live post differs from its approval")
    POSTED_WITHOUT_APPROVAL = "post.without_approval", _("Video on the channel without an approved brief")
    RIGHTS_ENDING = "rights.ending", _("Rights of someone on screen end soon")
    FOLLOW_UP_DONE = "follow_up.done", _("Follow-up closed")
    TOPIC_CREATED = "topic.created", _("Topic created")
    CREATOR_CREATED = "creator.created", _("Creator added")
    # Versions and their review
    SCRIPT_DELIVERED = "script.delivered", _("Script version delivered")
    VIDEO_DELIVERED = "video.delivered", _("Video version delivered")
    APPROVAL_STARTED = "approval.started", _("Review started")
    APPROVAL_CANCELLED = "approval.cancelled", _("Review replaced by a newer version")
    DECISION_APPROVE = "decision.approve", _("Approved")
    DECISION_REQUEST_CHANGES = "decision.request_changes", _("Changes requested")
    DECISION_REJECT = "decision.reject", _("Rejected")
    DECISION_ATTEMPT = "decision.attempt", _("Decision attempt")  # only ever refused: no valid verdict
    # Calendar
    CADENCE_SAVED = "cadence.saved", _("Posting rhythm saved")
    SLOT_ADDED = "slot.added", _("Extra slot added")
    SLOT_SCHEDULED = "slot.scheduled", _("Approved video put in a slot")
    SLOT_RESERVED = "slot.reserved", _("Slot reserved for the brief")
    SLOT_UNSCHEDULED = "slot.unscheduled", _("Slot emptied")
    SLOT_RESCHEDULED = "slot.rescheduled", _("Moved to another slot")
    SLOT_FOLLOWED_POSTING = "slot.followed_posting", _("Slot set to the day the video was posted")
    FEED_REGENERATED = "feed.regenerated", _("New calendar address made")
    FEED_REVOKED = "feed.revoked", _("Calendar address revoked")
    # Budget
    BUDGET_PERIOD_CREATED = "budget.period_created", _("Budget period set up")
    BUDGET_PERIOD_UPDATED = "budget.period_updated", _("Budget period changed")
    BUDGET_PERIOD_APPROVED = "budget.period_approved", _("Budget period approved by the MT")
    BUDGET_PERIOD_CLOSED = "budget.period_closed", _("Budget period closed")
    BUDGET_ALLOCATION_OVERRIDDEN = "budget.allocation_overridden", _("A post's planned amount set by hand")
    BUDGET_COST_ADDED = "budget.cost_added", _("Cost added")
    BUDGET_COST_ADVANCED = "budget.cost_advanced", _("Cost moved on (committed, invoiced, paid)")
    BUDGET_OVERRUN_APPROVED = "budget.overrun_approved", _("Cost over budget approved by the MT")
    # Results
    TIKTOK_CONNECTED = "tiktok.connected", _("Channel connected to TikTok")
    TIKTOK_DISCONNECTED = "tiktok.disconnected", _("Channel disconnected from TikTok")
    TIKTOK_RECONNECT_NEEDED = "tiktok.reconnect_needed", _("TikTok no longer accepts the channel's authorisation")
    STATS_IMPORTED = "stats.imported", _("Figures imported from TikTok Studio")
    STATS_ENTERED = "stats.entered", _("Figures entered by hand")
    # Logging in and the account
    LOGIN = "auth.login", _("Logged in")
    PASSWORD_ACCEPTED = "auth.password_ok", _("Password accepted; the second step is asked")
    LOGOUT = "auth.logout", _("Logged out")
    LOCKED_OUT = "auth.locked_out", _("Locked out after too many failed attempts")
    SECOND_FACTOR = "auth.second_factor", _("Logged in: second step passed")
    RECOVERY_CODE_USED = "auth.recovery_code", _("Logged in with a recovery code")
    SECOND_FACTOR_ENROLLED = "auth.second_factor_enrolled", _("Authenticator app set up")
    SECOND_FACTOR_RESET = "auth.second_factor_reset", _("Second factor reset by an administrator")
    ACCOUNT_CHANGED = "account.changed", _("Own account settings changed")
    PASSWORD_CHANGED = "account.password_changed", _("Password changed")
    PASSWORD_RESET_REQUESTED = "account.password_reset_requested", _("Password reset asked for")
    # Downloads of what leaves the system
    EXPORT_DOWNLOADED = "export.downloaded", _("Export downloaded")
    # The organisation's settings (administration): people, channels, agencies, approval chains, mail
    PERSON_ADDED = "person.added", _("Person added")
    PERSON_PASSWORD_MAIL_SENT = "person.password_mail_sent", _("Set-your-password mail sent again")
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed", _("Role changed")
    MEMBERSHIP_ENDED = "membership.ended", _("Membership ended")
    MEMBERSHIP_REACTIVATED = "membership.reactivated", _("Membership reactivated")
    CHANNEL_ADDED = "channel.added", _("Channel added")
    CHANNEL_CHANGED = "channel.changed", _("Channel changed")
    PUBLICATION_RULES_CHANGED = "organisation.publication_rules_changed", _("Publication rules changed")
    AGENCY_ENGAGED = "agency.engaged", _("Agency engaged")
    AGENCY_ENGAGEMENT_ENDED = "agency.engagement_ended", _("Agency engagement ended")
    AGENCY_ENGAGEMENT_RESUMED = "agency.engagement_resumed", _("Agency engagement resumed")
    APPROVAL_CHAIN_CHANGED = "approval_chain.changed", _("Approval chain changed")
    MAIL_SENT_AGAIN = "mail.sent_again", _("Mail sent again")
    # The archive (records law): packages, retention terms and destruction lists
    ARCHIVE_PACKAGE_ASKED = "archive.package_asked", _("Archive package asked for")
    ARCHIVE_PACKAGED = "archive.packaged", _("Archive package made")
    ARCHIVE_PACKAGE_FAILED = "archive.package_failed", _("Archive package could not be made")
    RETENTION_CHANGED = "archive.retention_changed", _("Retention terms changed")
    DESTRUCTION_PROPOSED = "archive.destruction_proposed", _("Destruction list proposed")
    DESTRUCTION_APPROVED = "archive.destruction_approved", _("Destruction list approved")
    DESTRUCTION_REFUSED = "archive.destruction_refused", _("Destruction list refused")
    DESTRUCTION_CARRIED_OUT = "archive.destruction_carried_out", _("Destruction list carried out")
    # Changes made in Django's admin
    ADMIN_ADDED = "admin.added", _("Added in the administration")
    ADMIN_CHANGED = "admin.changed", _("Changed in the administration")
    ADMIN_DELETED = "admin.deleted", _("Deleted in the administration")


# A refused attempt is never shown as the decision it tried to be.
REFUSED_LABELS = {
    AuditAction.DECISION_APPROVE: _("Approval attempt refused"),
    AuditAction.DECISION_REQUEST_CHANGES: _("Request for changes refused"),
    AuditAction.DECISION_REJECT: _("Rejection attempt refused"),
    AuditAction.DECISION_ATTEMPT: _("Decision attempt refused"),
    AuditAction.LOGIN: _("Log-in refused: wrong user name or password"),
    AuditAction.SECOND_FACTOR: _("Second step refused: wrong code"),
    AuditAction.TIKTOK_CONNECTED: _("Connecting to TikTok refused: another account gave access"),
}


class Result(models.TextChoices):
    OK = "ok", _("Done")
    REFUSED = "refused", _("Refused")


# What was downloaded, in words (details["export"] of an EXPORT_DOWNLOADED event).
EXPORT_LABELS = {
    "budget.csv": _("Budget downloaded (CSV)"),
    "budget.xlsx": _("Budget downloaded (Excel)"),
    "calendar.csv": _("Posting calendar downloaded (CSV)"),
    "results.pdf": _("Results report downloaded (PDF)"),
    "attachment": _("Attachment downloaded: %(name)s"),
    "disclosure.zip": _("Disclosure package downloaded: %(name)s"),
    "archive.zip": _("Archive package downloaded: %(name)s"),
}


def label_for(action: str, result: str = Result.OK, details: dict | None = None) -> str:
    """The words for an event, in the active language; an unknown code (never written by this version)
    is shown as "Other event" rather than as a code."""
    if result == Result.REFUSED:
        label = REFUSED_LABELS.get(action)
        if label is None:
            label = gettext("Attempt refused: %(action)s") % {"action": label_for(action)}
        return str(label)
    if action == AuditAction.EXPORT_DOWNLOADED and details and details.get("export") in EXPORT_LABELS:
        return str(EXPORT_LABELS[details["export"]]) % {"name": details.get("name", "")}
    try:
        return str(AuditAction(action).label)
    except ValueError:
        return gettext("Other event")


def reason_for(details: dict) -> str:
    """The reason a refused attempt gives, in the active language: stored as its English message and
    the values it names, so a reader in another language reads it in theirs."""
    reason = details.get("reason") or ""
    if not reason:
        return ""
    params = details.get("reason_params") or {}
    translated = gettext(reason)
    try:
        return translated % params if params else translated
    except (KeyError, TypeError, ValueError):
        return reason

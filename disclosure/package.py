"""Woo / offentlighetsprincipen disclosure packages: a ZIP with an inventory and the documents.

Every personal name of staff, agency people and creators is removed from the text itself and replaced
by "5.1.2e" (Woo article 5.1.2e). Organisation names, roles and the content stay. The redaction runs
over the finished HTML of each document, so nothing rendered can slip past it.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.models import Agency, AgencyEngagement, Membership
from accounts.roles import Capability, Role
from approvals.models import Decision
from audit import trail
from audit.actions import AuditAction
from audit.timeline import timeline_for
from content.models import Creator, Topic, WebcareTask
from core.spreadsheets import SafeWriter

from . import names
from .redaction import REDACTION_MARK, Person, Redactor


@dataclass(frozen=True)
class Document:
    number: int
    brief_reference: str
    date: str
    title: str
    kind: str
    filename: str
    html: str


def redactor_for(organisations) -> Redactor:
    """Everyone whose name could appear in the organisations' documents, whatever is exported from them, so one
    document reads the same in a package of one brief as in one of a whole period:

    * everyone who ever worked for the organisations (memberships are never deleted, only ended);
    * everyone of every agency that ever worked for them, and those agencies' creators;
    * everyone in the organisations' audit trail (every writer is there, whoever they are now);
    * topic owners and webcare assignees (named, not acting).
    """
    from audit.models import AuditEvent

    organisation_ids = {organisation.pk for organisation in organisations}
    agency_ids = set(
        AgencyEngagement.objects.filter(organisation_id__in=organisation_ids).values_list("agency_id", flat=True)
    )
    user_ids = set(Membership.objects.filter(organisation_id__in=organisation_ids).values_list("user_id", flat=True))
    user_ids |= set(Membership.objects.filter(agency_id__in=agency_ids).values_list("user_id", flat=True))
    user_ids |= set(
        AuditEvent.objects.filter(organisation_id__in=organisation_ids, actor__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )
    user_ids |= set(
        Topic.objects.filter(organisation_id__in=organisation_ids, owner__isnull=False).values_list(
            "owner_id", flat=True
        )
    )
    user_ids |= set(
        WebcareTask.objects.filter(posting__brief__organisation_id__in=organisation_ids, assignee__isnull=False)
        .values_list("assignee_id", flat=True)
        .distinct()
    )
    users = get_user_model().objects.filter(pk__in=user_ids)
    people = [Person(u.first_name, u.last_name, u.username, u.email) for u in users]
    people += [
        Person(first_name=c.display_name, handles=(c.handle,)) for c in Creator.objects.filter(agency_id__in=agency_ids)
    ]
    keep = {str(label) for label in Role.labels}
    for organisation in organisations:
        keep.update(organisation.name.split())
    keep.update(
        word
        for name in Agency.objects.filter(pk__in=agency_ids).values_list("name", flat=True)
        for word in name.split()
    )
    return Redactor(people, keep=keep)


def _role_of(user_id, roles) -> str:
    role = roles.get(user_id)
    return str(Role(role).label) if role in Role.values else _("Person")


def _documents_for(brief, roles, start_number: int, now) -> list[Document]:
    docs = []
    number = start_number

    def add(kind, title, template, context, date):
        nonlocal number
        html = render_to_string(f"disclosure/documents/{template}", {"brief": brief, "mark": REDACTION_MARK, **context})
        filename = f"{brief.reference}/{number:03d}-{kind}.html"
        docs.append(Document(number, brief.reference, date.date().isoformat(), title, kind, filename, html))
        number += 1

    add("brief", _("Brief: %(title)s") % {"title": brief.title}, "brief.html", {}, brief.created_at)
    for version in brief.script_versions.prefetch_related("creators").order_by("number"):
        add(
            f"script-v{version.number}",
            _("Script version %(number)s") % {"number": version.number},
            "script.html",
            {"version": version},
            version.created_at,
        )
    for version in brief.video_versions.order_by("number"):
        add(
            f"video-v{version.number}",
            _("Video version %(number)s (description)") % {"number": version.number},
            "video.html",
            {"version": version},
            version.created_at,
        )
    decisions = list(
        Decision.objects.filter(run__brief=brief)
        .select_related("run__script_version", "run__video_version", "step", "actor")
        .order_by("decided_at")
    )
    if decisions:
        rows = [(d, _role_of(d.actor_id, roles)) for d in decisions]
        add("decisions", _("Decisions and feedback"), "decisions.html", {"rows": rows}, decisions[-1].decided_at)
    comments = list(brief.comments.select_related("author").order_by("created_at"))
    if comments:
        rows = [(c, _role_of(c.author_id, roles)) for c in comments]
        last = comments[-1].created_at
        add("comments", _("Comments and extra information"), "comments.html", {"rows": rows}, last)
    costs = list(brief.cost_lines.select_related("period").order_by("created_at"))
    if costs:
        add("costs", _("Costs"), "costs.html", {"costs": costs}, costs[-1].created_at)
    events = timeline_for(brief)
    rows = [(e, e.label, _role_of(e.actor_id, roles) if e.actor_id else _("System")) for e in events]
    add("timeline", _("Timeline"), "timeline.html", {"rows": rows}, now)  # the timeline as of now
    return docs


def _readme(title: str, finds: list) -> str:
    lines = [
        _(
            "Disclosure package %(title)s. The names of everyone who worked on these documents (the organisation's "
            "staff, former staff included, the agencies' people and their creators) are replaced by %(mark)s "
            "(Woo article 5.1.2e). inventory.csv lists every document."
        )
        % {"title": title, "mark": REDACTION_MARK},
        "",
    ]
    if not names.enabled():
        lines.append(_("No name detector ran: read the documents for names of others (a citizen in a webcare note)."))
    elif finds:
        lines.append(
            _(
                "A name detector found these possible names of others. They are NOT removed: decide for each one "
                "before the package is released."
            )
        )
        lines += [f"- {find.document}: {find.text}" for find in finds]
    else:
        lines.append(_("A name detector found no other names. It can miss some: read the documents before release."))
    return "\n".join(lines) + "\n"


def build_for_briefs(briefs, *, actor, title: str, now):
    """The ZIP as a file object (spooled to disk when large), positioned at its start; ``now`` dates the
    timeline documents, which show the history up to the moment of disclosure."""
    for organisation_id in {brief.organisation_id for brief in briefs}:
        require_in(actor, organisation_id, Capability.DISCLOSE)
    redactor = redactor_for({brief.organisation for brief in briefs})
    roles = dict(
        Membership.objects.filter(organisation_id__in={b.organisation_id for b in briefs}).values_list(
            "user_id", "role"
        )
    )
    documents = []
    with timezone.override(UTC):  # documents state times in UTC, whoever downloads them
        for brief in briefs:
            documents += _documents_for(brief, roles, len(documents) + 1, now)
    # Returned open to the caller (FileResponse closes it), hence no context manager here.
    package = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(package, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        inventory = io.StringIO()
        writer = SafeWriter(inventory)
        writer.writerow([_("number"), _("brief"), _("date"), _("title"), _("type"), _("file")])
        finds = []
        for doc in documents:
            writer.writerow(
                [doc.number, doc.brief_reference, doc.date, redactor.redact(doc.title), doc.kind, doc.filename]
            )
            redacted = redactor.redact_html(doc.html)
            archive.writestr(doc.filename, redacted)
            finds += names.possible_names(doc.filename, names.plain_text(redacted), redactor.kept_words)
        archive.writestr("inventory.csv", inventory.getvalue())
        archive.writestr("README.txt", _readme(title, finds))
    for brief in briefs:
        trail.record(
            organisation=brief.organisation,
            actor=actor,
            action=AuditAction.BRIEF_DISCLOSED,
            obj=brief,
            subject=brief,
            details={"package": title, "documents": sum(d.brief_reference == brief.reference for d in documents)},
        )
    package.seek(0)
    return package

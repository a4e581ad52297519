"""Woo / offentlighetsprincipen disclosure packages: a ZIP with an inventory and the documents.

Every personal name of staff, agency people and creators is removed from the text itself and replaced
by "5.1.2e" (Woo article 5.1.2e). Organisation names, roles and the content stay. The redaction runs
over the finished HTML of each document, so nothing rendered can slip past it.

Building costs a fixed number of queries, not a number per brief (issue 14: it was 14 per brief, and a busy
channel's year of 1,664 briefs outlived the web server's timeout). Everything the documents read is fetched for
``CHUNK`` briefs at a time with one query per kind (constraints, versions and their creators, decisions, comments,
costs, the audit timelines), grouped in Python; each document is written to the ZIP as soon as it is rendered, so
memory holds one chunk's rows, never the whole package (a package of more than ``CHUNK`` briefs costs the same
queries again per further chunk). The disclosure itself goes on record with one event per brief, written
in one transaction under one lock (``auditing.record_disclosed``). Periods are made by a worker
(``exports``, ``tasks.build_export``); one brief's package is made in the request, on the same path.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import require_in
from accounts.models import Agency, AgencyEngagement, Jurisdiction, Membership
from accounts.roles import Capability, Role
from approvals.models import Decision
from audit.timeline import timelines_for
from budget.models import CostLine
from content.models import Comment, Creator, FocusGroupTest, ScriptVersion, Topic, VideoVersion, WebcareTask
from core.spreadsheets import SafeWriter

from . import auditing, names, provisions, woo_web
from .masking import Masker
from .redaction import REDACTION_MARK, Person, Redactor, rewrite_html

# Briefs whose documents are fetched together: a fixed number of queries per chunk, and memory for one chunk only.
CHUNK = 500


@dataclass(frozen=True)
class Document:
    number: int
    brief_reference: str
    date: str
    title: str
    kind: str
    filename: str
    html: str


def _known(organisations) -> tuple[list[Person], set[str]]:
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
    return people, keep


def redactor_for(organisations) -> Redactor:
    """Replaces the names of everyone ``_known`` to have worked on the organisations' documents."""
    people, keep = _known(organisations)
    return Redactor(people, keep=keep)


def _known_words(organisations) -> set[str]:
    """Under offentlighetsprincipen names stay; the name detector looks for others' names (a citizen in a webcare
    note), so the names of everyone known to have worked on the documents are no finds."""
    people, keep = _known(organisations)
    words = {word for word in keep for word in word.split()}
    for person in people:
        words.update(f"{person.first_name} {person.last_name}".split())
    return words


def _role_of(user_id, roles) -> str:
    role = roles.get(user_id)
    return str(Role(role).label) if role in Role.values else _("Person")


def _fetch(chunk: list) -> tuple[dict, dict]:
    """Everything the documents of ``chunk`` (briefs) read, in one query per kind: the related objects are put on
    the briefs (``brief.script_versions.all()`` etc. read no more), decisions and timelines come back per brief."""
    prefetch_related_objects(
        chunk,
        "created_by",
        "channel",
        "agency",
        "topic",
        "constraints",
        "posting",
        Prefetch("script_versions", queryset=ScriptVersion.objects.order_by("number").prefetch_related("creators")),
        Prefetch("video_versions", queryset=VideoVersion.objects.order_by("number")),
        Prefetch("comments", queryset=Comment.objects.select_related("author").order_by("created_at", "pk")),
        Prefetch(
            "focus_group_tests",
            queryset=FocusGroupTest.objects.select_related("recorded_by").order_by("tested_on", "pk"),
        ),
        Prefetch("cost_lines", queryset=CostLine.objects.select_related("period").order_by("created_at", "pk")),
    )
    decisions: dict[int, list] = {}
    for decision in (
        Decision.objects.filter(run__brief_id__in=[brief.pk for brief in chunk])
        .select_related("run__script_version", "run__video_version", "step", "actor")
        .order_by("decided_at", "pk")
    ):
        decisions.setdefault(decision.run.brief_id, []).append(decision)
    return decisions, timelines_for(chunk)


def _forget(chunk: list) -> None:
    """Let the chunk's prefetched rows go before the next chunk is fetched."""
    for brief in chunk:
        getattr(brief, "_prefetched_objects_cache", {}).clear()


def _documents_for(brief, decisions: list, events: list, roles, start_number: int, now, law: str) -> list[Document]:
    """The documents of one brief, from what ``_fetch`` put on it (no query of its own)."""
    docs = []
    number = start_number

    def add(kind, title, template, context, date):
        nonlocal number
        html = render_to_string(
            f"disclosure/documents/{template}", {"brief": brief, "mark": REDACTION_MARK, "law": law, **context}
        )
        filename = f"{brief.reference}/{number:03d}-{kind}.html"
        day = timezone.localdate(date) if isinstance(date, datetime) else date
        docs.append(Document(number, brief.reference, day.isoformat(), title, kind, filename, html))
        number += 1

    add("brief", _("Brief: %(title)s") % {"title": brief.title}, "brief.html", {}, brief.created_at)
    for version in brief.script_versions.all():
        add(
            f"script-v{version.number}",
            _("Script version %(number)s") % {"number": version.number},
            "script.html",
            {"version": version},
            version.created_at,
        )
    for version in brief.video_versions.all():
        add(
            f"video-v{version.number}",
            _("Video version %(number)s (description)") % {"number": version.number},
            "video.html",
            {"version": version},
            version.created_at,
        )
    if decisions:
        rows = [(d, _role_of(d.actor_id, roles)) for d in decisions]
        add("decisions", _("Decisions and feedback"), "decisions.html", {"rows": rows}, decisions[-1].decided_at)
    comments = list(brief.comments.all())
    if comments:
        rows = [(c, _role_of(c.author_id, roles)) for c in comments]
        last = comments[-1].created_at
        add("comments", _("Comments and extra information"), "comments.html", {"rows": rows}, last)
    tests = list(brief.focus_group_tests.all())
    if tests:
        rows = [(t, _role_of(t.recorded_by_id, roles)) for t in tests]
        add("focus-groups", _("Focus-group tests"), "focus_groups.html", {"rows": rows}, tests[-1].recorded_at)
    costs = list(brief.cost_lines.all())
    if costs:
        add("costs", _("Costs"), "costs.html", {"costs": costs}, costs[-1].created_at)
    rows = [(e, e.label, _role_of(e.actor_id, roles) if e.actor_id else _("System")) for e in events]
    add("timeline", _("Timeline"), "timeline.html", {"rows": rows}, now)  # the timeline as of now
    return docs


def _readme(title: str, finds: list, *, law: str, woo_web_form: bool = False, request=None) -> str:
    if law == Jurisdiction.WOO:
        lines = [
            _(
                "Disclosure package %(title)s. The names of everyone who worked on these documents (the "
                "organisation's staff, former staff included, the agencies' people and their creators) are replaced "
                "by %(mark)s (Woo article 5.1.2e). inventory.csv lists every document."
            )
            % {"title": title, "mark": REDACTION_MARK},
            "",
        ]
    else:
        lines = [
            _(
                "Disclosure package %(title)s: public records (allmänna handlingar) released under the principle of "
                "public access (offentlighetsprincipen). Names of the organisation's staff are not masked; what is "
                "masked is masked under the provision of the Public Access to Information and Secrecy Act (OSL) "
                "shown in its place. inventory.csv lists every document."
            )
            % {"title": title},
            "",
        ]
    if request is not None:
        lines += [
            _(
                "request.html is the request as it was registered; decision.html lists every masked passage with "
                "its provision, the reason and where it was masked."
            ),
            "",
        ]
    if woo_web_form:
        lines += [
            _(
                "woo-web/ holds the same documents as PDF, each named by its ID, and productierapport.xlsx in the "
                "columns of the government's Woo platform (woo-web), so the dossier can be uploaded there as it is. "
                "Posted TikToks are listed as already public (Reeds openbaar) with their link."
            ),
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


def law_of(briefs, request=None) -> str:
    """The law a package follows: its request's; else its organisations' (the Woo's, names removed, if they
    differ: the stricter)."""
    if request is not None:
        return request.jurisdiction
    laws = {brief.organisation.records_law for brief in briefs}
    return laws.pop() if len(laws) == 1 else Jurisdiction.WOO


def masked_mark(code: str) -> str:
    """What stands in a masked passage's place: the provision it rests on."""
    return _("[masked: %(provision)s]") % {"provision": code}


def _request_documents(request, maskings, places, where, *, law, now) -> dict[str, str]:
    """request.html (as registered) and decision.html (what was masked, under which provision, why, where)."""
    labels = {p.code: p.label for p in provisions.for_law(law)}
    rows = [
        {
            "masking": masking,
            "label": labels.get(masking.provision, ""),
            "places": places[masking.pk],
            "documents": sorted(where.get(masking.pk, ())),
        }
        for masking in maskings
    ]
    with timezone.override(request.organisation.zone):
        context = {"request": request, "rows": rows, "law": law, "today": timezone.localdate(now), "now": now}
        return {
            "request.html": render_to_string("disclosure/documents/request.html", context),
            "decision.html": render_to_string("disclosure/documents/decision.html", context),
        }


def document_texts(briefs, *, now) -> Iterator[str]:
    """Each brief's documents as one plain text, as they are before anything is masked: where a passage to mask is
    looked for. Rendered one brief at a time as they are asked for, so a search that finds the passage early (a
    request of a year's briefs) stops rendering there."""
    briefs = list(briefs)
    prefetch_related_objects(briefs, "organisation")
    roles = dict(
        Membership.objects.filter(organisation_id__in={b.organisation_id for b in briefs}).values_list(
            "user_id", "role"
        )
    )
    for start in range(0, len(briefs), CHUNK):
        chunk = briefs[start : start + CHUNK]
        decisions, timelines = _fetch(chunk)
        for brief in chunk:
            with timezone.override(brief.organisation.zone):
                docs = _documents_for(
                    brief, decisions.get(brief.pk, []), timelines[brief], roles, 1, now, brief.organisation.records_law
                )
            yield "\n".join(names.plain_text(doc.title + "\n" + doc.html) for doc in docs)
        _forget(chunk)


def write_package(
    briefs: Iterable,
    *,
    title: str,
    now,
    out,
    progress: Callable[[int, int], None] | None = None,
    request=None,
) -> dict[int, int]:
    """Write the package of ``briefs`` as a ZIP into ``out`` (a binary file); returns each brief's number of
    documents (brief pk → count). ``now`` dates the timeline documents, which show the history up to the moment of
    disclosure. ``progress(briefs_done, documents_done)`` is called after each brief.

    The package follows the law of its request, or of its organisations (``law_of``): under the Woo every name of
    the people who worked on the documents is replaced by 5.1.2e; under offentlighetsprincipen names stay. Either
    way the request's masked passages (``request.maskings``) are replaced by their provision, and the request and
    its decision document go in with the package.

    Guards nothing and records nothing: callers check that the actor may disclose and put the disclosure on
    record (``build_for_briefs``, ``exports``)."""
    briefs = list(briefs)
    prefetch_related_objects(briefs, "organisation")
    law = law_of(briefs, request)
    redactor = redactor_for({brief.organisation for brief in briefs}) if law == Jurisdiction.WOO else None
    maskings = list(request.maskings.all()) if request is not None else []
    places: dict[int, int] = dict.fromkeys((m.pk for m in maskings), 0)
    provision_of = {m.pk: m.provision for m in maskings}
    where: dict[int, set[str]] = {}
    keep = redactor.kept_words if redactor is not None else _known_words({brief.organisation for brief in briefs})
    roles = dict(
        Membership.objects.filter(organisation_id__in={b.organisation_id for b in briefs}).values_list(
            "user_id", "role"
        )
    )
    documents: dict[int, int] = {}
    # Dutch organisations' packages also come in the form the government's Woo platform reads (woo_web).
    report = woo_web.ProductionReport(title) if law == Jurisdiction.WOO else None
    inventory = io.StringIO()
    writer = SafeWriter(inventory)
    writer.writerow([_("number"), _("brief"), _("date"), _("title"), _("type"), _("file")])
    finds = []
    written = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(briefs), CHUNK):
            chunk = briefs[start : start + CHUNK]
            decisions, timelines = _fetch(chunk)
            for brief in chunk:
                masker = Masker([m for m in maskings if m.brief_id in (None, brief.pk)], masked_mark)

                def rewrite(text: str, masker=masker) -> str:
                    text = masker.mask(text)
                    return redactor.redact(text) if redactor is not None else text

                # Times as the organisation lives them (and as the app shows them), each labelled with its zone
                # ("CET"), whoever downloads the package.
                with timezone.override(brief.organisation.zone):
                    docs = _documents_for(
                        brief, decisions.get(brief.pk, []), timelines[brief], roles, written + 1, now, law
                    )
                first = woo_web.document_id(brief, docs[0].number) if docs else ""
                for doc in docs:
                    before = dict(masker.places)
                    doc_title = rewrite(doc.title)
                    writer.writerow([doc.number, doc.brief_reference, doc.date, doc_title, doc.kind, doc.filename])
                    redacted = rewrite_html(doc.html, rewrite)
                    archive.writestr(doc.filename, redacted)
                    finds += names.possible_names(doc.filename, names.plain_text(redacted), keep)
                    masked_here = [pk for pk, count in masker.places.items() if count > before.get(pk, 0)]
                    for pk in masked_here:
                        where.setdefault(pk, set()).add(doc.filename)
                    if report is not None:
                        grounds = ([woo_web.NAMES_GROUND] if REDACTION_MARK in redacted else []) + [
                            provision_of[pk] for pk in masked_here
                        ]
                        name = report.add_document(
                            brief, doc, title=doc_title, grounds=grounds, explanation=doc.kind, related=first
                        )
                        archive.writestr(name, woo_web.pdf(redacted))
                for pk, count in masker.places.items():
                    places[pk] += count
                if report is not None and hasattr(brief, "posting"):
                    report.add_posting(brief, brief.posting, title=_("The TikTok as posted"), related=first)
                documents[brief.pk] = len(docs)
                written += len(docs)
                if progress is not None:
                    progress(len(documents), written)
            del decisions, timelines
            _forget(chunk)
        archive.writestr("inventory.csv", inventory.getvalue())
        if report is not None:
            archive.writestr(woo_web.REPORT, report.xlsx())
        if request is not None:
            for name, html in _request_documents(request, maskings, places, where, law=law, now=now).items():
                archive.writestr(name, redactor.redact_html(html) if redactor is not None else html)
        readme = _readme(title, finds, law=law, woo_web_form=report is not None, request=request)
        archive.writestr("README.txt", readme)
    if request is not None:
        request.masked_places = places  # for the caller's audit event
    return documents


def build_for_briefs(briefs, *, actor, title: str, now, origin=None):
    """The ZIP as a file object (spooled to disk when large), positioned at its start, with the disclosure on
    record (one event per brief, on its timeline); ``now`` dates the timeline documents and the events.

    For a package made in the request (one brief's). A period's is made by a worker: ``exports``."""
    briefs = list(briefs)
    for organisation_id in {brief.organisation_id for brief in briefs}:
        require_in(actor, organisation_id, Capability.DISCLOSE)
    # Returned open to the caller (FileResponse closes it), hence no context manager here.
    package = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115
    try:
        documents = write_package(briefs, title=title, now=now, out=package)
        auditing.record_disclosed(briefs, documents, actor=actor, title=title, now=now, origin=origin)
    except BaseException:
        package.close()
        raise
    package.seek(0)
    return package

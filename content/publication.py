"""What must hold before the words and pictures that go out can be approved: one place, read by the review page (to
say it before anyone decides) and by the approval (to refuse).

- Advertising disclosure: the Dutch Reclamecode Social Media & Influencer Marketing asks for it in the video itself
  and in the description; Konsumentverket for the word "reklam", visible at once. So when a paid creator appears,
  the caption must start with the organisation's disclosure text, and the reviewer ticks that the video shows it.
- Accessibility: prerecorded video of a public body must be accessible (digitoegankelijk.nl; DIGG, webbriktlinjer
  R117): subtitles, as a checked file or burned into the picture (which the reviewer checks by eye), and a
  transcript with the sounds that matter.
- Consent: everyone recognisable on screen has signed a release; a parent for someone under 16.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils.translation import gettext, gettext_noop, override

from audit import trail
from audit.actions import AuditAction
from audit.trail import Origin

from .models import Brief, FollowUp, FollowUpKind, OnScreenPerson, PublicationRules, VideoVersion

_WHITESPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    """Runs of whitespace (new lines included) as one space: how a caption reads, whatever the typing."""
    return _WHITESPACE.sub(" ", text or "").strip()


@dataclass(frozen=True)
class Problem:
    """Why a version can't be approved yet: an English message (marked for the catalogues) and what it names, so
    the reader gets it in their language and the audit trail keeps it for readers in theirs."""

    message: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


def has_paid_creator(version) -> bool:
    """Influencers are paid to appear; the other makers (staff, firefighters) are not creators for hire."""
    return any(creator.is_influencer for creator in version.creators.all())


def disclosure_required(version, rules: PublicationRules) -> bool:
    return bool(rules.disclosure_text.strip()) and has_paid_creator(version)


def caption_problems(version, rules: PublicationRules) -> list[Problem]:
    caption = normalised(version.caption)
    if not caption:
        return [Problem(gettext_noop("Write the caption that goes out with the video: it is approved with it."))]
    disclosure = normalised(rules.disclosure_text)
    found = []
    if disclosure_required(version, rules) and not caption.startswith(disclosure):
        found.append(
            Problem(
                gettext_noop("A paid creator appears, so the caption must start with the disclosure “%(disclosure)s”."),
                {"disclosure": disclosure},
            )
        )
    if disclosure_required(version, rules) and not version.paid_partnership:
        found.append(Problem(gettext_noop("A paid creator appears: turn on TikTok's “Paid partnership” label.")))
    return found


def accessibility_problems(version: VideoVersion, rules: PublicationRules) -> list[Problem]:
    if not rules.accessibility_required:
        return []
    found = []
    if not (version.subtitle_file or version.has_subtitles):
        found.append(
            Problem(gettext_noop("Subtitles are missing: add a subtitle file, or say they are burned into the video."))
        )
    if not version.transcript.strip():
        found.append(Problem(gettext_noop("The transcript is missing: what is said, and the sounds that matter.")))
    return found


def consent_problems(version: VideoVersion, today=None) -> list[Problem]:
    """Everyone on the register needs a release (and a minor a parent's consent) whose rights have not ended by
    ``today``; a creator in the video who is not on it is covered by their contract's consent date, if there is
    one."""
    people = list(version.people_on_screen.all())
    found = []
    for person in people:
        if today is not None and person.rights_end is not None and person.rights_end < today:
            found.append(
                Problem(
                    gettext_noop("The rights of %(name)s ended on %(day)s: the video can't be used any more."),
                    {"name": person.name, "day": person.rights_end.isoformat()},
                )
            )
            continue
        if not person.has_release:
            found.append(
                Problem(
                    gettext_noop("%(name)s is on screen without a signed release: add it under “People on screen”."),
                    {"name": person.name},
                )
            )
        elif person.needs_parental_consent:
            found.append(
                Problem(gettext_noop("%(name)s is under 16: a parent's consent is needed too."), {"name": person.name})
            )
    registered = {person.creator_id for person in people if person.creator_id}
    for creator in version.creators.all():
        if creator.pk not in registered and creator.consent_date is None:
            found.append(
                Problem(
                    gettext_noop("%(name)s is in the video, but no release or contract date is on record."),
                    {"name": creator.display_name},
                )
            )
    return found


def problems(version, rules: PublicationRules, today=None) -> list[Problem]:
    """Everything that stands in the way of approving ``version`` (a script or a video version) on ``today`` (the
    organisation's date; None: rights that end are not looked at)."""
    found = caption_problems(version, rules)
    if isinstance(version, VideoVersion):
        found += accessibility_problems(version, rules)
        found += consent_problems(version, today)
    return found


# What the reviewer checks by eye, as ticks beside the brief's constraints (the files can't tell).
DISCLOSURE_IN_VIDEO = "disclosure_in_video"
SUBTITLES_BURNED_IN = "subtitles_burned_in"
CHECK_LABELS = {
    DISCLOSURE_IN_VIDEO: gettext_noop(
        "The video itself shows the disclosure (at the start, during the promotion or throughout)"
    ),
    SUBTITLES_BURNED_IN: gettext_noop(
        "The subtitles burned into the video are complete and readable, and describe the sounds that matter"
    ),
}


def required_checks(version, rules: PublicationRules) -> list[str]:
    if not isinstance(version, VideoVersion):
        return []
    checks = []
    if disclosure_required(version, rules):
        checks.append(DISCLOSURE_IN_VIDEO)
    if version.has_subtitles:
        checks.append(SUBTITLES_BURNED_IN)
    return checks


CREATOR_CONTRACT = gettext_noop("Creator contract")


def register_creators(version: VideoVersion) -> None:
    """The creators in a new version go on its consent register: a row the agency filled in under the creator's
    name becomes theirs; otherwise they are covered by their contract's consent date where there is one."""
    rows = {row.name.strip().lower(): row for row in version.people_on_screen.filter(creator=None)}
    with override(version.brief.organisation.language):  # kept in the organisation's words, as a typed reference is
        contract = gettext(CREATOR_CONTRACT)
    listed = set(version.people_on_screen.exclude(creator=None).values_list("creator_id", flat=True))
    new = []
    for creator in version.creators.all():
        if creator.pk in listed:
            continue
        row = rows.get(creator.display_name.strip().lower())
        if row is not None:
            OnScreenPerson.objects.filter(pk=row.pk).update(creator=creator)
            continue
        new.append(
            OnScreenPerson(
                video_version=version,
                creator=creator,
                name=creator.display_name,
                release_reference=contract if creator.consent_date else "",
                release_date=creator.consent_date,
            )
        )
    OnScreenPerson.objects.bulk_create(new)


def follow_up_rights_ending(*, now) -> int:
    """A follow-up for team social for each person on screen in an approved or posted video whose rights end within
    the organisation's warning days (once per person): the video must come down, or the release be extended, before
    then."""
    made = 0
    rules_of = {}  # per organisation, read once
    people = (
        OnScreenPerson.objects.filter(rights_end__isnull=False, rights_end__gte=now.date())
        .filter(
            Q(video_version__posting__isnull=False)
            | Q(video_version__in=Brief.objects.exclude(approved_video=None).values("approved_video"))
        )
        .exclude(follow_ups__kind=FollowUpKind.RIGHTS_ENDING)
        .select_related("video_version__brief__organisation")
    )
    for person in people:
        brief = person.video_version.brief
        if brief.organisation_id not in rules_of:
            rules_of[brief.organisation_id] = PublicationRules.of(brief.organisation)
        rules = rules_of[brief.organisation_id]
        if person.rights_end > now.date() + timedelta(days=rules.rights_warning_days):
            continue
        due = datetime.combine(person.rights_end, time.min, tzinfo=brief.organisation.zone)
        follow_up = FollowUp.objects.create(
            organisation=brief.organisation,
            kind=FollowUpKind.RIGHTS_ENDING,
            brief=brief,
            person=person,
            channel_id=brief.channel_id,
            details=[{"name": person.name, "rights_end": person.rights_end.isoformat()}],
            created_at=now,
            due_at=due,
        )
        trail.record_about(
            brief,
            actor=None,
            action=AuditAction.RIGHTS_ENDING,
            obj=follow_up,
            origin=Origin.system("consent-register"),
            rights_end=person.rights_end.isoformat(),
            version=person.video_version.number,
        )
        made += 1
    return made

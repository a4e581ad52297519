import re
from decimal import Decimal
from functools import partial

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, Channel
from core import dates
from core.forms import DateInput

from . import media, progress, subtitles
from .models import (
    CAPTION_MAX_LENGTH,
    PUBLICATION_FIELDS,
    REPLY_MAX_LENGTH,
    Brief,
    Creator,
    FocusGroupTest,
    MusicSource,
    OnScreenPerson,
    PublicationRules,
    ReplyTemplate,
    Topic,
    VideoVersion,
    WebcareEscalation,
    WebcareTask,
)
from .services import BRIEF_FIELDS


class BriefForm(forms.ModelForm):
    source_url = forms.URLField(
        label=_("Source link"),
        required=False,
        assume_scheme="https",
        help_text=_("The reliable public source: the government's or the municipality's own page on it."),
    )
    constraints = forms.CharField(
        label=_("Constraints (randvoorwaarden)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line, e.g. “Subtitles on”, “Refers to the official source”. Approvers tick each one."),
    )

    class Meta:
        model = Brief
        # The order people fill them in; the same set the service accepts.
        fields = ["topic", *(f for f in BRIEF_FIELDS if f != "topic")]
        widgets = {
            "key_message": forms.Textarea(attrs={"rows": 3}),
            "posting_window_start": DateInput,
            "posting_window_end": DateInput,
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation, is_active=True)
        self.fields["channel"].queryset = Channel.objects.filter(organisation=organisation, is_active=True)
        self.fields["agency"].queryset = Agency.objects.filter(
            agencyengagement__organisation=organisation, agencyengagement__is_active=True
        )
        if not self.instance.pk:
            # Most organisations have one channel and one agency: choose them already.
            for name in ("channel", "agency"):
                choices = list(self.fields[name].queryset[:2])
                if len(choices) == 1:
                    self.initial.setdefault(name, choices[0].pk)
        if self.instance.pk and not self.is_bound:
            self.initial["constraints"] = "\n".join(self.instance.constraints.values_list("text", flat=True))

    def constraint_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("constraints", "").splitlines() if line.strip()]

    def clean_constraints(self):
        lines = [line.strip() for line in self.cleaned_data["constraints"].splitlines() if line.strip()]
        if not lines:
            raise ValidationError(_("Give at least one constraint."))
        too_long = [line for line in lines if len(line) > 200]
        if too_long:
            raise ValidationError(_("Keep each constraint under 200 characters."))
        return self.cleaned_data["constraints"]


class CreatorChoiceMixin:
    def limit_creators(self, agency):
        self.fields["creators"].queryset = Creator.objects.filter(agency=agency, is_active=True)


class PublicationMixin:
    """The publication text (caption, hashtags, TikTok settings) of a new version, from the model's fields. A new
    version starts from the last one's; a first video from the approved script's; a first script from the
    organisation's disclosure, which a paid creator's video needs first in its caption."""

    def add_publication_fields(self, brief, previous):
        self.fields.update(forms.fields_for_model(VideoVersion, fields=PUBLICATION_FIELDS))
        self.fields["caption"].widget = forms.Textarea(attrs={"rows": 4, "maxlength": CAPTION_MAX_LENGTH})
        rules = PublicationRules.of(brief.organisation)
        self.fields["caption"].help_text = _(
            "The text under the video on TikTok. With a paid creator it must start with “%(disclosure)s”."
        ) % {"disclosure": rules.disclosure_text}
        if previous is not None:
            self.initial.update({name: getattr(previous, name) for name in PUBLICATION_FIELDS})
        else:
            self.initial.update(caption=rules.disclosure_text + " ", paid_partnership=True)

    def publication(self) -> dict:
        return {name: self.cleaned_data[name] for name in PUBLICATION_FIELDS}

    def clean_hashtags(self):
        """Hashtags as TikTok reads them: each with its #, one space apart ("vaccinatie, #gezond" → "#vaccinatie
        #gezond")."""
        words = re.split(r"[\s,]+", self.cleaned_data.get("hashtags", ""))
        tags = ["#" + word.lstrip("#") for word in words if word.strip("#")]
        bad = [tag for tag in tags if not re.fullmatch(r"#\w+", tag)]
        if bad:
            raise ValidationError(
                _("A hashtag is one word of letters, digits or _: %(tags)s") % {"tags": " ".join(bad)}
            )
        return " ".join(tags)


class ScriptForm(PublicationMixin, CreatorChoiceMixin, forms.Form):
    creators = forms.ModelMultipleChoiceField(
        label=_("Creators"), queryset=Creator.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    text = forms.CharField(label=_("Script"), widget=forms.Textarea(attrs={"rows": 10}))
    shot_list = forms.CharField(label=_("Shot list"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    duration_target = forms.IntegerField(label=_("Target duration (seconds)"), min_value=1, max_value=600)

    def __init__(self, *args, brief, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit_creators(brief.agency)
        self.fields["duration_target"].initial = brief.channel.max_video_seconds // 2
        previous = brief.script_versions.order_by("-number").prefetch_related("creators").first()
        self.add_publication_fields(brief, previous)
        if previous is not None:
            # A new version is a change to the last one: it starts from its text and creators, not from empty.
            self.initial.update(
                text=previous.text,
                shot_list=previous.shot_list,
                duration_target=previous.duration_target,
                creators=[creator.pk for creator in previous.creators.all()],
            )


class OnScreenPersonForm(forms.ModelForm):
    """Someone recognisable in the video besides the creators (who are on the register through their contract)."""

    use_required_attribute = False  # an empty row is fine: it adds nobody

    class Meta:
        model = OnScreenPerson
        fields = ["name", "release_reference", "release_date", "is_minor", "parental_consent_reference", "rights_end"]
        widgets = {"release_date": DateInput, "rights_end": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A row may stay empty (nobody); a row with anything in it needs the name, said in clean().
        self.fields["name"].required = False

    def clean(self):
        cleaned = super().clean()
        filled = any(cleaned.get(name) for name in self.Meta.fields if name != "name")
        if filled and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Give the name, or a description, of the person on screen."))
        start, end = cleaned.get("release_date"), cleaned.get("rights_end")
        if start and end and end < start:
            self.add_error("rights_end", _("The rights end before the release was signed."))
        return cleaned


OnScreenPeople = forms.formset_factory(OnScreenPersonForm, extra=2, max_num=30, validate_max=True, can_delete=True)


class VideoForm(PublicationMixin, CreatorChoiceMixin, forms.Form):
    creators = forms.ModelMultipleChoiceField(
        label=_("Creators in the video"), queryset=Creator.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    same_video = forms.BooleanField(
        label=_("The same video as the last version: only what goes out with it changes"), required=False
    )
    file = forms.FileField(
        label=_("Video file"),
        required=False,
        help_text=_("MP4, MOV or WebM."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/quicktime,video/webm"}),
    )
    preview_url = forms.URLField(
        label=_("Or a private preview link"),
        required=False,
        assume_scheme="https",
        help_text=_("Only if you don't upload a file."),
    )
    subtitle_file = forms.FileField(
        label=_("Subtitle file"),
        required=False,
        help_text=_("SRT or WebVTT. Checked against the video: every cue within it, none overlapping, readable."),
        widget=forms.ClearableFileInput(attrs={"accept": ".srt,.vtt,text/vtt"}),
    )
    has_subtitles = forms.BooleanField(
        label=_("The subtitles are burned into the video"),
        required=False,
        help_text=_("The reviewer checks them in the video itself."),
    )
    transcript = forms.CharField(
        label=_("Transcript"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Everything said, and the sounds that matter: [music], [laughter]."),
    )
    cover_seconds = forms.DecimalField(
        label=_("Cover frame at (seconds)"), required=False, min_value=0, max_digits=7, decimal_places=2
    )
    music_source = forms.ChoiceField(
        label=_("Music"),
        choices=MusicSource.choices,
        widget=forms.RadioSelect,
        help_text=_("A business account may only use music cleared for commercial use."),
    )

    def __init__(self, *args, brief, **kwargs):
        super().__init__(*args, **kwargs)
        self.brief = brief
        self.info = None
        self.subtitles = None
        self.limit_creators(brief.agency)
        self.last_video = brief.video_versions.order_by("-number").first()
        # The creators of the last video, else of the last (the approved) script: who is in it rarely changes.
        previous = self.last_video or brief.script_versions.order_by("-number").first()
        self.add_publication_fields(brief, previous)
        people = []
        if previous is not None:
            self.initial["creators"] = [creator.pk for creator in previous.creators.all()]
        if self.last_video is not None:
            last = self.last_video
            self.initial.update(
                has_subtitles=last.has_subtitles,
                transcript=last.transcript,
                cover_seconds=last.cover_seconds,
                music_source=last.music_source,
            )
            people = [
                {name: getattr(person, name) for name in OnScreenPersonForm.Meta.fields}
                for person in last.people_on_screen.filter(creator=None)
            ]
        else:
            del self.fields["same_video"]
        self.people = OnScreenPeople(self.data or None, initial=people, prefix="people")

    def is_valid(self):
        return all([super().is_valid(), self.people.is_valid()])

    def people_on_screen(self) -> list[dict]:
        # Everyone carried over from the last version stays unless ticked for removal; an empty extra row adds nobody.
        return [
            {name: form.cleaned_data[name] for name in OnScreenPersonForm.Meta.fields}
            for form in self.people
            if form.cleaned_data.get("name") and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        cleaned = super().clean()
        upload, link = cleaned.get("file"), cleaned.get("preview_url")
        duration = None
        if cleaned.get("same_video"):
            if upload or link:
                raise ValidationError(_("Keep the same video, or deliver a new one: not both."))
            duration = self.last_video.duration
        elif bool(upload) == bool(link):
            raise ValidationError(_("Upload a video file or give a private preview link (one of the two)."))
        if upload:
            channel = self.brief.channel
            try:
                self.info = media.inspect_video(
                    upload,
                    max_bytes=settings.VIDEO_MAX_UPLOAD_MB * 1024 * 1024,
                    min_seconds=channel.min_video_seconds,
                    max_seconds=channel.max_video_seconds,
                )
                duration = self.info.duration
            except ValidationError as error:
                self.add_error("file", error)
        if cleaned.get("subtitle_file"):
            # Without the file's own duration (a preview link) the channel's longest video bounds the cues.
            duration = duration or Decimal(self.brief.channel.max_video_seconds)
            rules = PublicationRules.of(self.brief.organisation)
            try:
                limits = subtitles.SubtitleLimits(
                    max_chars_per_second=rules.subtitle_max_chars_per_second,
                    max_line_length=rules.subtitle_max_line_length,
                    max_lines=rules.subtitle_max_lines,
                )
                self.subtitles = subtitles.validate(cleaned["subtitle_file"], duration=duration, limits=limits)
            except ValidationError as error:
                self.add_error("subtitle_file", error)
        cover = cleaned.get("cover_seconds")
        if cover is not None and duration is not None and cover > duration:
            self.add_error("cover_seconds", _("The cover frame lies after the end of the video."))
        return cleaned


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attachment"), help_text=_("PDF, PNG, JPEG or an Office document, at most 20 MB."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.content_type = media.inspect_attachment(upload, max_bytes=ATTACHMENT_MAX_BYTES)
        return upload


ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


class CommentForm(forms.Form):
    # Shown on every brief page: an empty box must not look like an error before anyone typed.
    use_required_attribute = False

    text = forms.CharField(label=_("Comment or extra information"), widget=forms.Textarea(attrs={"rows": 3}))


class PostingForm(forms.Form):
    tiktok_url = forms.URLField(
        label=_("TikTok URL of the posted video"),
        assume_scheme="https",
        help_text=_("The full address, e.g. https://www.tiktok.com/@account/video/7077642457847991554"),
    )
    posted_at = forms.DateTimeField(
        label=_("Posted at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args, now, planned=None, **kwargs):
        """``planned``: the slot's start. The form proposes it once it has come (the usual case: posted at the
        slot, recorded after), else now (a video posted early)."""
        super().__init__(*args, **kwargs)
        moment = planned if planned is not None and planned <= now else now
        self.fields["posted_at"].initial = timezone.localtime(moment).replace(second=0, microsecond=0)
        if planned is not None:
            self.fields["posted_at"].help_text = _("Planned for %(when)s.") % {"when": dates.moment(planned)}


class FocusGroupForm(forms.ModelForm):
    class Meta:
        model = FocusGroupTest
        fields = ["tested_on", "group_description", "participants", "outcome"]
        widgets = {"tested_on": DateInput, "outcome": forms.Textarea(attrs={"rows": 3})}


class WebcareForm(forms.ModelForm):
    done = forms.BooleanField(label=_("Done"), required=False)
    ends_at = forms.DateTimeField(
        label=_("Due by"),
        help_text=_("Watch and answer the comments until then; after that an open task is overdue."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = WebcareTask
        fields = ["assignee", "notes"]
        labels = {"assignee": _("Assigned to")}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"notes": _("What came up and what you answered; shown in the list.")}

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        self.fields["assignee"].empty_label = _("Nobody yet")
        self.fields["done"].initial = self.instance.done_at is not None
        self.fields["ends_at"].initial = timezone.localtime(self.instance.ends_at).replace(second=0, microsecond=0)


class EscalationForm(forms.ModelForm):
    class Meta:
        model = WebcareEscalation
        fields = ["role", "question", "comment_url"]
        labels = {"role": _("Ask")}
        widgets = {"question": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"comment_url": partial(forms.URLField, assume_scheme="https")}
        help_texts = {
            "question": _("Quote the comment and say what you need: an answer to give, or whether to answer at all."),
            "comment_url": _("Optional: TikTok's link to the comment (Share → Copy link on the comment)."),
        }


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}))


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": REPLY_MAX_LENGTH})}

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["name", "theme", "audience_min_age", "audience_max_age", "owner", "is_sensitive", "tags"]

    def __init__(self, *args, organisation, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.fields["owner"].queryset = owners

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("audience_min_age"), cleaned.get("audience_max_age")
        if low is not None and high is not None and low > high:
            self.add_error("audience_max_age", _("The upper age lies below the lower age."))
        return cleaned


class CreatorForm(forms.ModelForm):
    class Meta:
        model = Creator
        fields = ["handle", "display_name", "follower_count", "is_influencer", "maker_group", "consent_date"]
        widgets = {"consent_date": DateInput}


IN_REVIEW = "in_review"
REFERENCE = re.compile(r"^(?:b-?)?0*(\d{1,9})$", re.IGNORECASE)


class BriefFilterForm(forms.Form):
    """Search and filters of the brief list; every field optional, an unknown value is ignored, not an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("Reference, title or message."))
    status = forms.ChoiceField(label=_("Status"), required=False)
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    channel = forms.ModelChoiceField(label=_("Channel"), queryset=Channel.objects.none(), required=False)
    posting_from = forms.DateField(label=_("Posting window from"), required=False, widget=DateInput)
    posting_until = forms.DateField(label=_("Posting window until"), required=False, widget=DateInput)

    def __init__(self, *args, organisation, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("All")),
            (IN_REVIEW, _("A version in review")),
            *Brief._meta.get_field("status").choices,
        ]
        self.fields["topic"].queryset = Topic.objects.filter(organisation=organisation).order_by("name")
        self.fields["agency"].queryset = Agency.objects.filter(organisations=organisation).order_by("name")
        self.fields["channel"].queryset = Channel.objects.visible_to(membership).order_by("handle")
        for name in ("topic", "agency", "channel"):
            self.fields[name].empty_label = _("All")

    def filter(self, briefs):
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            found = Q(title__icontains=text) | Q(key_message__icontains=text)
            number = REFERENCE.match(text)
            if number:  # "B-00026", "b-26" or "26": the brief with that number
                found |= Q(number=int(number[1]))
            briefs = briefs.filter(found)
        if data.get("status") == IN_REVIEW:
            briefs = progress.in_review(briefs)
        elif data.get("status"):
            briefs = briefs.filter(status=data["status"])
        for name in ("topic", "agency", "channel"):
            if data.get(name):
                briefs = briefs.filter(**{name: data[name]})
        # A window that overlaps the one asked for (a brief without a window is always a match).
        if data.get("posting_from"):
            briefs = briefs.filter(Q(posting_window_end__isnull=True) | Q(posting_window_end__gte=data["posting_from"]))
        if data.get("posting_until"):
            briefs = briefs.filter(
                Q(posting_window_start__isnull=True) | Q(posting_window_start__lte=data["posting_until"])
            )
        return briefs

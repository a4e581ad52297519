"""Demo content: the ministry's 15 pilot TikToks (posted, with their review history), its posts of the
last two weeks and briefs at every stage, plus Nykvarn's dist-dancing campaign with its focus-group
test. Everything goes through the real services, so the timelines and the audit chain are genuine.
Runs once per organisation.

Figures follow the seeds: 15 pilot videos since November 2020, two posts a week, 3 to 60 seconds. The
pilot is history; what is recent or coming is placed relative to ``now``, the moment the demo is made,
so the demo is alive on any day.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F

from accounts.models import Agency, Organisation, User
from accounts.roles import Role
from approvals import services as approval_services
from approvals.models import ApprovalRun, Verdict
from audit.trail import Origin
from content import publication, services
from content.models import Creator, PublicationRules, Topic, WebcareTask
from content.states import BriefAction
from core import outbox
from disclosure import requests
from disclosure.exports import Period
from stats import post_checks
from stats.postcheck import Live
from stats.simulator import DEMO_DISCLOSURE, DEMO_LIVE_CAPTIONS, DEMO_RECENT_CAPTIONS

VWS_TOPICS = [
    # name, corona?, sensitive?, tags
    ("Vaccinatie", True, False, "corona, prik"),
    ("Testen", True, False, "corona, GGD"),
    ("Handen wassen", True, False, "corona, hygiëne"),
    ("Afstand houden", True, False, "corona, 1,5 meter"),
    ("Alcohol", False, True, "leefstijl"),
    ("Gezonde leefstijl", False, False, "leefstijl, voeding"),
    ("Sport", False, False, "bewegen"),
    ("Drugs", False, True, "uitgaan"),
    ("Eenzaamheid", False, True, "mentale gezondheid"),
    ("Depressie", False, True, "mentale gezondheid"),
]

CREATORS = [
    # handle, display name, followers, influencer?, group
    ("dansmetdaan", "Daantje Danst", 412_000, True, ""),
    ("lotte.lacht", "Lotte Lacht", 268_000, True, ""),
    ("sportiefsem", "Sportieve Sem", 155_000, True, ""),
    ("thuiszorgteam.west", "Thuiszorgteam West", 3_200, False, "thuiszorg"),
    ("brandweer.vlog", "Brandweer Vlog", 12_800, False, "brandweer"),
]

PILOT = [
    # topic, title, key message, target duration in seconds
    ("Vaccinatie", "Waarom ik me laat vaccineren", "Vaccineren beschermt jou en je omgeving.", 30),
    ("Testen", "Klachten? Laat je testen", "Bij klachten: blijf thuis en laat je testen bij de GGD.", 25),
    ("Handen wassen", "De 20-seconden-challenge", "Was je handen 20 seconden met zeep.", 20),
    ("Afstand houden", "1,5 meter is een dansje", "Houd 1,5 meter afstand, ook met vrienden.", 15),
    ("Vaccinatie", "Mythes over het vaccin", "Check feiten op Rijksoverheid.nl, niet in de groepsapp.", 45),
    ("Alcohol", "Feestje zonder kater", "Minder drinken is ook gezellig.", 30),
    ("Gezonde leefstijl", "Lunch in 1 minuut", "Gezond eten kan snel en goedkoop.", 35),
    ("Sport", "Thuis sporten met Sem", "Elke dag een half uur bewegen.", 40),
    ("Eenzaamheid", "Even bellen?", "Een berichtje kan eenzaamheid doorbreken.", 30),
    ("Testen", "Zo werkt een sneltest", "Een sneltest doe je zo, en bij twijfel naar de GGD.", 50),
    ("Handen wassen", "Handen wassen in de thuiszorg", "Hygiëne beschermt kwetsbare mensen.", 25),
    ("Afstand houden", "Brandweer houdt afstand", "Afstand houden doen we samen.", 20),
    ("Depressie", "Praat erover", "Praten helpt; hulp vind je via 113 of je huisarts.", 45),
    ("Drugs", "Wat zit er in je pil?", "Laat je drugs testen; de veiligste keuze is niet gebruiken.", 30),
    ("Vaccinatie", "De prik en je vrienden", "Samen weer naar festivals: haal je prik.", 25),
]

SHOT_LIST = {
    "nl": "1. Hook in de eerste 2 seconden\n2. Boodschap\n3. Verwijzing naar de bron",
    "sv": "1. Krok under de första 2 sekunderna\n2. Budskap\n3. Hänvisning till källan",
}
TRANSCRIPT = {
    "nl": "[muziek] Maker: Check de feiten op Rijksoverheid.nl voordat je iets deelt. [gelach]",
    "sv": "[musik] Skapare: Läs mer på nykvarn.se innan du delar något. [skratt]",
}
CONSTRAINTS = ["Ondertiteling aan", "Verwijst naar Rijksoverheid.nl", "Geen alcohol in beeld", "Duur 3 tot 60 seconden"]
FIRST_PILOT_POST = datetime(2020, 11, 10, 15, 0, tzinfo=UTC)  # a Tuesday; then Tuesdays and Thursdays
PILOT_VIDEO_IDS = 7_000_000_000_000_000_001
# The ministry's posts of the last two weeks; stats/simulator.py's demo account has these ids too.
RECENT_VIDEO_IDS = range(7_000_000_000_000_000_051, 7_000_000_000_000_000_055)
RECENT = [
    # topic, title, key message, script
    (
        "Vaccinatie",
        "Griepprik: waarom nu?",
        "Haal je griepprik als je in de zorg werkt.",
        "Zorgmedewerker over de prik.",
    ),
    ("Gezonde leefstijl", "Ontbijt op de fiets", "Een gezond ontbijt kan ook onderweg.", "Student maakt een wrap."),
    ("Eenzaamheid", "Stuur eens een appje", "Een berichtje kan iemands dag maken.", "Opa krijgt een appje."),
    ("Sport", "Traplopen telt ook", "Elke dag een beetje bewegen helpt.", "Sem neemt de trap, elke dag."),
]
POSTING_DAYS = (1, 3)  # Tuesday and Thursday
POSTING_TIME = time(16)
ZONE = ZoneInfo("Europe/Amsterdam")


def _pilot_post_time(index: int) -> datetime:
    week, second_post = divmod(index, 2)
    return FIRST_PILOT_POST + timedelta(weeks=week, days=2 * second_post)


def recent_post_times(now: datetime, count: int = len(RECENT)) -> list[datetime]:
    """The last ``count`` posting moments (Tuesday and Thursday 16:00 in The Hague) at least an hour before
    ``now``, oldest first: the ministry posted on each of them."""
    moments = []
    day = now.astimezone(ZONE).date()
    while len(moments) < count:
        if day.weekday() in POSTING_DAYS:
            moment = datetime.combine(day, POSTING_TIME, tzinfo=ZONE)
            if moment <= now - timedelta(hours=1):
                moments.append(moment)
        day -= timedelta(days=1)
    return sorted(moments)


class _Demo:
    def __init__(self, organisation: Organisation, agency: Agency, slug: str):
        self.organisation = organisation
        self.agency = agency
        self.adviser = User.objects.get(username=f"{slug}-adviser")
        self.social = User.objects.get(username=f"{slug}-social")
        self.reviewer = User.objects.get(username=f"{slug}-reviewer")
        self.agency_user = User.objects.get(username="agency")
        self.channel = organisation.channels.order_by("pk").first()
        self.creators = list(Creator.objects.filter(agency=agency).order_by("pk"))

    def brief(self, topic: Topic, title: str, key_message: str, window_start: date | None = None):
        return services.brief_create(
            actor=self.adviser,
            organisation=self.organisation,
            fields={
                "channel": self.channel,
                "agency": self.agency,
                "topic": topic,
                "title": title,
                "key_message": key_message,
                "target_audience": "15-25",
                "call_to_action": "Meer info op Rijksoverheid.nl" if self.organisation.country == "NL" else "",
                "source_url": "https://www.rijksoverheid.nl/" if self.organisation.country == "NL" else "",
                "posting_window_start": window_start,
                "posting_window_end": window_start + timedelta(days=14) if window_start else None,
            },
            constraints=CONSTRAINTS if self.organisation.country == "NL" else ["Undertexter", "Visar avstånd"],
        )

    def to_agency(self, brief):
        services.brief_transition(actor=self.adviser, brief=brief, action=BriefAction.SUBMIT)
        services.brief_transition(actor=self.social, brief=brief, action=BriefAction.SEND)

    def script(self, brief, n: int, text: str, seconds: int = 30, caption: dict | None = None):
        return approval_services.script_version_add(
            actor=self.agency_user,
            brief=brief,
            text=text,
            shot_list=SHOT_LIST[self.organisation.language],
            duration_target=seconds,
            creators=[self.creators[n % len(self.creators)]],
            publication=caption or self.publication(brief),
        )

    def publication(self, brief, *, disclosure: bool = True) -> dict:
        """The caption the agency drafts: the organisation's disclosure first, then the call to action."""
        first = PublicationRules.of(self.organisation).disclosure_text if disclosure else ""
        text = brief.call_to_action or brief.title
        hashtags = "#gezondheid #rijksoverheid" if self.organisation.country == "NL" else "#nykvarn"
        return {"caption": f"{first} {text}".strip(), "hashtags": hashtags, "paid_partnership": disclosure}

    def video(self, brief, n: int, label: str, caption: dict | None = None):
        return approval_services.video_version_add(
            actor=self.agency_user,
            brief=brief,
            creators=[self.creators[n % len(self.creators)]],
            has_subtitles=True,
            preview_url=f"https://preview.example.org/{self.organisation.slug}/{label}",
            publication=caption or self.publication(brief),
            transcript=TRANSCRIPT[self.organisation.language],
            music_source="commercial_library",
        )

    def decide(self, actor, version, verdict=Verdict.APPROVE, comment=""):
        run = ApprovalRun.objects.get(pk=version.approval_run.pk)
        approval_services.decide(
            actor=actor,
            run_id=run.pk,
            version_number=version.number,
            step_position=run.current_position,
            verdict=verdict,
            comment=comment,
            checked_constraint_ids=list(run.brief.constraints.values_list("pk", flat=True)),
            checked_checks=publication.required_checks(run.version, PublicationRules.of(self.organisation)),
        )

    def approve(self, version):
        run = ApprovalRun.objects.get(pk=version.approval_run.pk)
        approvers = {"adviser": self.adviser, "team_social": self.social, "reviewer": self.reviewer}
        for step in run.steps.order_by("position"):
            self.decide(approvers[step.role], version)

    def post(self, brief, video_id: int, posted_at: datetime, now: datetime):
        return services.posting_record(
            actor=self.agency_user,
            brief=brief,
            tiktok_url=f"https://www.tiktok.com/@{self.channel.handle}/video/{video_id}",
            posted_at=posted_at,
            now=now,
        )

    def webcare_done(self, posting, notes: str, now: datetime):
        task = posting.webcare_tasks.get()
        services.webcare_update(
            actor=self.social,
            task=task,
            assignee=self.social,
            notes=notes,
            done=True,
            now=min(task.starts_at + timedelta(days=1), now),
        )


def _topics(organisation, owner, specs):
    topics = {}
    for name, corona, sensitive, tags in specs:
        topics[name], _ = Topic.objects.get_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "theme": "corona" if corona else "other",
                "owner": owner,
                "is_sensitive": sensitive,
                "tags": tags,
            },
        )
    return topics


def seed_ministry(organisation: Organisation, agency: Agency, *, now: datetime) -> None:
    # The ministry's own disclosure, as its admin set it (the default names the organisation in full).
    PublicationRules.objects.update_or_create(organisation=organisation, defaults={"disclosure_text": DEMO_DISCLOSURE})
    for handle, name, followers, influencer, group in CREATORS:
        Creator.objects.get_or_create(
            agency=agency,
            handle=handle,
            defaults={
                "display_name": name,
                "follower_count": followers,
                "is_influencer": influencer,
                "maker_group": group,
                "consent_date": date(2020, 10, 15),
            },
        )
    demo = _Demo(organisation, agency, "vws")
    topics = _topics(organisation, demo.adviser, VWS_TOPICS)
    for index, (topic, title, message, seconds) in enumerate(PILOT):
        brief = demo.brief(topics[topic], title, message)
        demo.to_agency(brief)
        script = demo.script(brief, index, f"{title}: de creator vertelt in eigen woorden: {message}", seconds)
        if index % 3 == 0:  # a third of the pilot needed a second script
            demo.decide(demo.adviser, script)
            demo.decide(demo.social, script, Verdict.REQUEST_CHANGES, "Sneller beginnen en de bron noemen.")
            script = demo.script(brief, index, f"{title} (korter): {message} Meer op Rijksoverheid.nl.", seconds)
        demo.approve(script)
        video = demo.video(brief, index, f"pilot-{index + 1:02d}")
        demo.approve(video)
        posting = demo.post(brief, PILOT_VIDEO_IDS + index, _pilot_post_time(index), now)
        demo.webcare_done(posting, "Vragen beantwoord, verwezen naar Rijksoverheid.nl.", now)

    # The posts of the last two weeks, young enough for the three-hourly and daily pulls (the simulator
    # that `make run` starts knows these ids); the newest one's webcare is still open.
    for index, ((topic, title, message, script), video_id, posted_at) in enumerate(
        zip(RECENT, RECENT_VIDEO_IDS, recent_post_times(now), strict=True)
    ):
        brief = demo.brief(topics[topic], title, message, posted_at.date() - timedelta(days=7))
        demo.to_agency(brief)
        caption = {"caption": DEMO_RECENT_CAPTIONS[index], "hashtags": "", "paid_partnership": True}
        demo.approve(demo.script(brief, index, script, 30, caption=caption))
        video = demo.video(brief, index, f"recent-{index + 1}", caption=caption)
        demo.approve(video)
        # As it happened: approved two days before it went live (the demo makes the decisions now).
        ApprovalRun.objects.filter(video_version=video).update(finished_at=posted_at - timedelta(days=2))
        posting = demo.post(brief, video_id, posted_at, now)
        if index < 2:
            # The first matches its approval; the second went live without its disclosure (the simulator says so
            # too, when a pull asks).
            live = Live(caption=DEMO_LIVE_CAPTIONS[index], duration=None, create_time=posted_at.replace(microsecond=0))
            post_checks.record(posting, live, now=min(posted_at + timedelta(hours=1), now), trigger="recorded")
        if index < len(RECENT) - 1:
            demo.webcare_done(posting, "Reacties gelezen en beantwoord.", now)
        else:
            # The newest one: a question for the press office, still waiting for its answer.
            services.webcare_escalate(
                actor=demo.social,
                task=posting.webcare_tasks.get(),
                role=Role.REVIEWER,
                question=(
                    "Iemand die zich journalist noemt vraagt onder de video hoeveel de campagne heeft gekost. "
                    "Geven we zelf antwoord of verwijzen we naar de persvoorlichting?"
                ),
                now=min(posted_at + timedelta(hours=3), now),
            )
    _reply_templates(organisation, demo.social, VWS_REPLIES)

    # Briefs at every stage, so a new user sees a living system.
    soon = now.astimezone(ZONE).date() + timedelta(days=10)
    demo.brief(topics["Sport"], "Sportschool-tips voor beginners", "Begin rustig en bouw op.", soon)
    submitted = demo.brief(topics["Gezonde leefstijl"], "Water is de beste dorstlesser", "Drink water.", soon)
    services.brief_transition(actor=demo.adviser, brief=submitted, action=BriefAction.SUBMIT)
    with_agency = demo.brief(topics["Eenzaamheid"], "Samen de feestdagen door", "Je bent niet alleen.", soon)
    demo.to_agency(with_agency)
    in_review = demo.brief(topics["Vaccinatie"], "Boosterprik: zo werkt het", "Haal je booster.", soon)
    demo.to_agency(in_review)
    demo.script(in_review, 1, "Creator laat zien hoe je een afspraak maakt voor de booster.")
    second_round = demo.brief(topics["Testen"], "Zelftest voor het feest", "Test voor je gaat.", soon)
    demo.to_agency(second_round)
    first = demo.script(second_round, 2, "Eerste versie: lange uitleg over de zelftest.")
    demo.decide(demo.adviser, first, Verdict.REQUEST_CHANGES, "Te lang; maximaal 30 seconden.")
    second = demo.script(second_round, 2, "Tweede versie: in 25 seconden van doos tot uitslag.", 25)
    demo.decide(demo.adviser, second)
    video_review = demo.brief(topics["Alcohol"], "NIX18 op festivals", "Onder de 18 drink je niet.", soon)
    demo.to_agency(video_review)
    demo.approve(demo.script(video_review, 3, "Festivalgangers vertellen waarom ze niet drinken."))
    demo.video(video_review, 3, "nix18-v1")
    ready = demo.brief(topics["Handen wassen"], "Handen wassen na de kerstmarkt", "Was je handen.", soon)
    demo.to_agency(ready)
    demo.approve(demo.script(ready, 4, "Brandweer laat zien hoe je handen wast."))
    demo.approve(demo.video(ready, 4, "kerstmarkt-v1"))


VWS_REPLIES = [
    ("Bedankt", "Dank je voor je reactie! Meer weten? Kijk op rijksoverheid.nl."),
    ("Vaccinatievraag", "Goede vraag! Alles over de vaccinatie en je afspraak vind je op rijksoverheid.nl/vaccinatie."),
    ("Persoonlijke vraag", "Over je eigen situatie kunnen we hier niets zeggen. Bel je huisarts of de GGD."),
    ("Respect", "We houden het hier netjes: reacties die anderen kwetsen verwijderen we."),
]
NYKVARN_REPLIES = [
    ("Tack", "Tack för din kommentar! Mer information finns på nykvarn.se."),
    ("Personlig fråga", "Vi kan inte svara på personliga frågor här. Kontakta kommunens kundcenter."),
    ("Respekt", "Vi håller en god ton här: kommentarer som kränker andra tar vi bort."),
]


def _reply_templates(organisation, actor, replies) -> None:
    for title, text in replies:
        services.reply_template_save(actor=actor, organisation=organisation, template=None, title=title, text=text)


def seed_municipality(organisation: Organisation, agency: Agency, *, now: datetime) -> None:
    demo = _Demo(organisation, agency, "nykvarn")
    topics = _topics(
        organisation,
        demo.adviser,
        [("Social distansering", True, False, "corona, ungdomar"), ("Psykisk hälsa", False, True, "unga")],
    )
    brief = demo.brief(topics["Social distansering"], "Dist-dancing till Dancing on my own", "Dansa, men på avstånd.")
    services.focus_group_record(
        actor=demo.adviser,
        brief=brief,
        tested_on=date(2020, 5, 4),
        group_description="Ungdomsråd, 15-19 år",
        participants=8,
        outcome="Gillade idén; ville ha kortare klipp och fler dansare.",
    )
    demo.to_agency(brief)
    demo.approve(demo.script(brief, 0, "Två dansare, två meter isär, samma koreografi.", 20))
    demo.approve(demo.video(brief, 0, "distdans-v1"))
    services.posting_record(
        actor=demo.agency_user,
        brief=brief,
        tiktok_url=f"https://www.tiktok.com/@{demo.channel.handle}/video/{PILOT_VIDEO_IDS + 100}",
        posted_at=datetime(2020, 5, 6, 14, 0, tzinfo=UTC),
        now=now,
    )
    _reply_templates(organisation, demo.social, NYKVARN_REPLIES)
    services.comment_add(actor=demo.social, brief=brief, text=f"Webbvård: {NYKVARN_VIEWER_HEALTH}; vi svarade privat.")
    next_brief = demo.brief(topics["Psykisk hälsa"], "Prata med någon", "Det är okej att inte må bra.")
    demo.to_agency(next_brief)
    demo.script(next_brief, 1, "Hemtjänstpersonal berättar hur de pratar om känslor.")
    _disclosure_request(organisation, demo.social, now=now)


# What a viewer wrote about her health: the demo's request masks it under OSL 21 kap. 1 §.
NYKVARN_VIEWER_HEALTH = "en tittare skrev att hon går i terapi för ångest"


def _disclosure_request(organisation, social, *, now: datetime) -> None:
    """A local paper's request for public records, registered yesterday, with the viewer's health masked: to try
    the request page, and to see the age the law asks to keep short."""
    request = requests.register_request(
        actor=social,
        organisation=organisation,
        requester="Nykvarns Tidning",
        requester_contact="redaktion@example.se",
        received_on=(now - timedelta(days=1)).astimezone(organisation.zone).date(),
        subject="Alla handlingar om Dist-dancing-videon.",
        period=Period((now - timedelta(days=30)).date(), (now + timedelta(days=1)).date()),
        origin=Origin(),
        now=now,
    )
    requests.mask_passage(
        actor=social,
        request=request,
        passage=NYKVARN_VIEWER_HEALTH,
        provision="21 kap. 1 § OSL",
        reason="Uppgift om en enskild tittares hälsa.",
        origin=Origin(),
        now=now,
    )


@transaction.atomic
def seed_demo_content(*, now: datetime) -> None:
    """Once per organisation: an organisation that already has briefs is left as it is."""
    agency = Agency.objects.get(name__endswith="(demo)")
    with outbox.muted():
        vws = Organisation.objects.get(slug="vws")
        if not vws.briefs.exists():
            seed_ministry(vws, agency, now=now)
        nykvarn = Organisation.objects.get(slug="nykvarn")
        if not nykvarn.briefs.exists():
            seed_municipality(nykvarn, agency, now=now)
    # The pilot's posts are history: their webcare was done long ago (recent ones stay open, to try it). The note
    # is in the organisation's language, as its team would have written it.
    for slug, note in (("vws", "Afgerond (demogeschiedenis)."), ("nykvarn", "Klart (demohistorik).")):
        WebcareTask.objects.filter(
            posting__brief__organisation__slug=slug, ends_at__lt=now - timedelta(days=7), done_at=None
        ).update(done_at=F("ends_at"), notes=note)

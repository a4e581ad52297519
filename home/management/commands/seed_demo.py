from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from home.demo.budget import seed_demo_budget
from home.demo.calendar import seed_demo_calendar
from home.demo.content import seed_demo_content
from home.demo.stats import seed_demo_stats
from home.demo.world import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo_world


class Command(BaseCommand):
    help = "Create or update the demo organisations, agency, channels and one demo user per role (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo creates users with a published password; it never runs in production.")
        # The pilot of 2020-21 is history; recent posts, the running budget period and the calendar are
        # placed around now, so the demo is alive whatever day it is made.
        now = timezone.now()
        logins = seed_demo_world()
        seed_demo_content(now=now)
        seed_demo_calendar(now=now)
        seed_demo_budget(now=now)
        seed_demo_stats(now=now)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(f"Demo logins, all with the password {DEMO_PASSWORD}:")
        self.stdout.write(
            f"Demo TOTP secret: {DEMO_TOTP_SECRET}  (add it once to an authenticator app: its codes are every demo "
            "user's second step)"
        )
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role} · {login.organisations}")

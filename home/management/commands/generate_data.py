import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from home.bench.generate import PASSWORD, describe, generate


class Command(BaseCommand):
    help = (
        "Generate history at the pilot's pace (two posts a week, figures every 3 hours then daily, budget, audit "
        "trail) for N organisations over Y years, in bulk; for measuring the app at scale (make bench)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=1)
        parser.add_argument("--years", type=int, default=5)
        parser.add_argument("--scale", type=int, default=1, help="times the pilot's two posts a week")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, organisations, years, scale, seed, **options):
        if settings.PRODUCTION:
            raise CommandError("generate_data creates users with a published password; it never runs in production.")
        if organisations < 1 or years < 1 or scale < 1:
            raise CommandError("--organisations, --years and --scale are whole numbers of at least 1.")
        started = time.monotonic()
        result = generate(organisations=organisations, years=years, scale=scale, now=timezone.now(), seed=seed)
        self.stdout.write(f"{describe(result)} seconds={time.monotonic() - started:.1f}")
        first = result.organisations[0].slug.removeprefix("bench-")
        self.stdout.write(
            f"Log in as bench{first}-adviser, bench{first}-social, bench{first}-mt, … with the password {PASSWORD}."
        )

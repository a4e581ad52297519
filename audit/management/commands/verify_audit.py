"""Verify each organisation's audit chain: exit 0 when intact, 1 (with the problems) when not."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from audit.models import AuditEvent
from audit.trail import verify_chain


class Command(BaseCommand):
    help = "Check that no audit event was changed, removed or inserted after it was written."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Short name (slug) of one organisation; default: all.")

    def handle(self, *args, organisation=None, **options):
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with short name {organisation!r}.")
        broken = False
        chains = [(org.slug, org) for org in organisations]
        if not organisation:
            chains.append(("(platform)", None))  # events of no organisation, e.g. a superuser's
        for name, org in chains:
            problems = verify_chain(org)
            count = AuditEvent.objects.filter(organisation=org).count()
            if problems:
                broken = True
                self.stdout.write(self.style.ERROR(f"{name}: {len(problems)} problem(s) in {count} events"))
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{name}: {count} events, chain intact"))
        if broken:
            raise CommandError("The audit trail has been tampered with.")

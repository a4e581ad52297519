"""Verify each organisation's audit chain: exit 0 when intact, 1 (with the problems) when not."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from approvals.audit import verify_chain
from approvals.models import AuditEvent


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
        for org in organisations:
            problems = verify_chain(org)
            count = AuditEvent.objects.filter(organisation=org).count()
            if problems:
                broken = True
                self.stdout.write(self.style.ERROR(f"{org.slug}: {len(problems)} problem(s) in {count} events"))
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{org.slug}: {count} events, chain intact"))
        if broken:
            raise CommandError("The audit trail has been tampered with.")

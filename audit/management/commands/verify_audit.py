"""Verify the audit trail: each chain (nothing changed, removed or inserted), its signed checkpoints (nothing
rewritten, cut or emptied), optionally against checkpoints kept outside the database, and the database's
append-only triggers. Exit 0 when all is intact, 1 (naming what broke) when not."""

import json
from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Organisation
from audit import checkpoints
from audit.models import AuditEvent
from audit.trail import verify_chain


class Command(BaseCommand):
    help = "Check that no audit event was changed, removed or inserted after it was written."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Short name (slug) of one organisation; default: all.")
        parser.add_argument(
            "--checkpoints",
            dest="outside_file",
            metavar="FILE",
            help="Checkpoints kept outside the database (lines from the log or the mails) to check against.",
        )
        parser.add_argument("--write-checkpoint", action="store_true", help="Sign a checkpoint of every chain now.")

    def handle(self, *args, organisation=None, outside_file=None, write_checkpoint=False, **options):
        if write_checkpoint:
            for checkpoint in checkpoints.write(now=timezone.now()):
                self.stdout.write(f"checkpoint {checkpoints.as_line(checkpoint)}")
        organisations = Organisation.objects.order_by("slug")
        if organisation:
            organisations = organisations.filter(slug=organisation)
            if not organisations.exists():
                raise CommandError(f"No organisation with short name {organisation!r}.")
        outside = _read_outside(outside_file) if outside_file else {}
        broken = False
        chains = [(org.slug, org) for org in organisations]
        if not organisation:
            chains.append(("(platform)", None))  # events of no organisation, e.g. a superuser's
        for name, org in chains:
            key = org.slug if org else None
            problems = verify_chain(org) + checkpoints.verify(org, outside.get(key, []))
            count = AuditEvent.objects.filter(organisation=org).count()
            if problems:
                broken = True
                self.stdout.write(self.style.ERROR(f"{name}: {len(problems)} problem(s) in {count} events"))
                for problem in problems:
                    self.stdout.write(f"  {problem}")
            else:
                self.stdout.write(self.style.SUCCESS(f"{name}: {count} events, chain and checkpoints intact"))
        for problem in checkpoints.trigger_problems():
            broken = True
            self.stdout.write(self.style.ERROR(problem))
        if broken:
            raise CommandError("The audit trail has been tampered with.")


def _read_outside(path: str) -> dict:
    """Checkpoint lines as the log or the mail has them: any line holding a JSON object with a signature."""
    found = defaultdict(list)
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            start = line.find("{")
            if start == -1:
                continue
            try:
                data = json.loads(line[start:])
            except json.JSONDecodeError:
                continue
            if "signature" in data:
                found[data.get("organisation")].append(data)
    return found

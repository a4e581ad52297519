"""Check and compile the gettext catalogues (Dutch and Swedish; English is the source language).

    manage.py catalogues            compile locale/*/LC_MESSAGES/django.po into .mo files
    manage.py catalogues --check    also fail when a catalogue has a fuzzy or untranslated entry, or
                                    when the code has a string that no catalogue holds yet

The check runs in `make test`, so a new user-visible string without a translation fails CI.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANGUAGES = ["nl", "sv"]
IGNORE = [".venv", "node_modules", "data", "staticfiles", "tests", ".git"]


class Command(BaseCommand):
    help = "Compile the gettext catalogues; with --check, fail on fuzzy, untranslated or missing entries."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="Fail on fuzzy, untranslated or missing entries.")

    def handle(self, *args, check=False, **options):
        locale_dir = Path(settings.LOCALE_PATHS[0])
        problems = []
        if check:
            problems += self._missing_entries(locale_dir)
        for language in LANGUAGES:
            po_path = locale_dir / language / "LC_MESSAGES" / "django.po"
            if not po_path.exists():
                problems.append(f"{po_path}: missing catalogue")
                continue
            catalogue = polib.pofile(str(po_path))
            if check:
                for entry in catalogue.fuzzy_entries():
                    problems.append(f"{po_path}:{entry.linenum}: fuzzy: {entry.msgid!r}")
                for entry in catalogue.untranslated_entries():
                    problems.append(f"{po_path}:{entry.linenum}: untranslated: {entry.msgid!r}")
                if shutil.which("msgfmt"):
                    result = subprocess.run(  # noqa: S603 - fixed arguments, our own file
                        ["msgfmt", "--check-format", "-o", "/dev/null", str(po_path)],  # noqa: S607
                        capture_output=True,
                        text=True,
                        check=False,
                    )
                    if result.returncode:
                        problems.append(f"{po_path}: msgfmt --check-format: {result.stderr.strip()}")
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        if problems:
            raise CommandError("Catalogue problems:\n  " + "\n  ".join(problems))
        self.stdout.write(f"Catalogues compiled: {', '.join(LANGUAGES)}.")

    def _missing_entries(self, locale_dir: Path) -> list[str]:
        """Strings in the code that the catalogues don't hold: extract afresh, compare, put files back."""
        if not shutil.which("xgettext"):
            return ["xgettext (gettext) is not installed: cannot check the catalogues for missing strings"]
        before = {lang: self._msgids(locale_dir / lang / "LC_MESSAGES" / "django.po") for lang in LANGUAGES}
        with tempfile.TemporaryDirectory() as backup:
            shutil.copytree(locale_dir, Path(backup) / "locale")
            try:
                call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORE, verbosity=0)
                after = {lang: self._msgids(locale_dir / lang / "LC_MESSAGES" / "django.po") for lang in LANGUAGES}
            finally:
                shutil.rmtree(locale_dir)
                shutil.copytree(Path(backup) / "locale", locale_dir)
        problems = []
        for language in LANGUAGES:
            for msgid in sorted(after[language] - before[language]):
                problems.append(f"{language}: not in the catalogue (run `make messages`): {msgid!r}")
        return problems

    @staticmethod
    def _msgids(path: Path) -> set[str]:
        if not path.exists():
            return set()
        return {entry.msgid for entry in polib.pofile(str(path)) if not entry.obsolete}

"""A password check beyond Django's: no words an attacker tries first at a public body. The organisations' own
names, and the words of the season and the welcome mail ("Welkom2026!", "Zomer2026", "Sommar2026"), whatever
digits and signs surround them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SEASONAL_WORDS = {
    "welkom", "welcome", "valkommen", "välkommen", "zomer", "sommar", "summer", "winter", "vinter", "lente",
    "herfst", "hosten", "hösten", "voorjaar", "password", "wachtwoord", "losenord", "lösenord", "tiktok",
    "planner", "ministerie", "gemeente",
}  # fmt: skip


def _words(text: str) -> set[str]:
    return {word for word in re.split(r"[^\w]+|_", text.lower()) if len(word) >= 4}


class ContextWordsValidator:
    """Refuses a password that holds an organisation's name (or a word of it) or a seasonal or welcome word."""

    def validate(self, password, user=None):
        from .models import Organisation

        words = set(SEASONAL_WORDS)
        for name, slug in Organisation.objects.values_list("name", "slug"):
            words |= _words(name) | _words(slug)
        lowered = password.lower()
        found = sorted(word for word in words if word in lowered)
        if found:
            raise ValidationError(
                _("Your password holds “%(word)s”, one of the first words an attacker tries here. Choose another."),
                code="password_context_word",
                params={"word": found[0]},
            )

    def get_help_text(self):
        return _("Your password can't hold the organisation's name or words such as “welkom” or “zomer”.")

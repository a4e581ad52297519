"""The provisions a discloser may cite for a masked passage, per public-records law (``Jurisdiction``).

The product prepares, people decide: the discloser picks the provision and writes why; the package shows the
provision at each masked place and the decision document lists them. The lists hold the grounds that come up in
a social team's documents (a citizen's health in a webcare note, an agency's prices, an account's security), not
the whole law; the README says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import Jurisdiction


@dataclass(frozen=True)
class Provision:
    code: str  # as cited in the documents, in the law's own language ("21 kap. 7 § OSL", "5.1.2e Woo")
    label: object  # what it protects, translatable


PROVISIONS: dict[str, tuple[Provision, ...]] = {
    Jurisdiction.OFFENTLIGHETSPRINCIPEN: (
        Provision("21 kap. 1 § OSL", _("a private person's health or sexual life")),
        Provision("21 kap. 3 § OSL", _("the address or whereabouts of a private person at risk")),
        Provision("21 kap. 7 § OSL", _("personal data that would be processed against the GDPR once released")),
        Provision("26 kap. 1 § OSL", _("a private person's affairs in the social services")),
        Provision("31 kap. 16 § OSL", _("the business affairs of a company dealing with the municipality")),
        Provision("19 kap. 3 § OSL", _("the municipality's own business interests (a procurement under way)")),
        Provision("18 kap. 8 § OSL", _("security measures (accounts, access, equipment)")),
    ),
    Jurisdiction.WOO: (
        Provision("5.1.1d Woo", _("special categories of personal data (health, religion, ...)")),
        Provision("5.1.2e Woo", _("privacy of a person")),
        Provision("5.1.2f Woo", _("business and manufacturing data given in confidence")),
        Provision("5.1.2i Woo", _("the proper functioning of the State")),
        Provision("5.1.5 Woo", _("disproportionate harm")),
        Provision("5.2 Woo", _("personal policy views in internal deliberation")),
    ),
}

ALL_CODES = tuple(dict.fromkeys(p.code for provisions in PROVISIONS.values() for p in provisions))


def for_law(law: str) -> tuple[Provision, ...]:
    return PROVISIONS[law]


def choices(law: str) -> list[tuple[str, str]]:
    return [(p.code, f"{p.code}: {p.label}") for p in PROVISIONS[law]]

"""Money arithmetic: Decimal only, explicit rounding, no floats anywhere.

VAT is computed per line and rounded half up to the cent; totals are sums of rounded lines, so a
total always equals what the lines show (and what finance adds up in Excel).
"""

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_on(amount: Decimal, rate_percent: Decimal) -> Decimal:
    """VAT on ``amount`` at ``rate_percent`` (21 for 21%), rounded half up to the cent."""
    return (Decimal(amount) * Decimal(rate_percent) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def allocate(total: Decimal, parts: int) -> list[Decimal]:
    """Split ``total`` into ``parts`` amounts that add up to it exactly and differ by at most a cent.

    Every part gets the total divided and rounded down to the cent; the cents left over go one each
    to the first parts, so the result is the same every time (5,125.00 over 52: 40 posts of 98.56 and 12 of 98.55).
    """
    if parts < 1:
        raise ValueError("parts must be at least 1")
    total = to_cents(total)
    if total < 0:
        raise ValueError("total must not be negative")
    base = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    left_over = int((total - base * parts) / CENT)
    return [base + CENT if index < left_over else base for index in range(parts)]

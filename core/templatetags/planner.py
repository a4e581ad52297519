"""Template helpers: locale-aware money, numbers and percentages, and NL Design System form widgets."""

import logging
import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency, format_percent, parse_pattern
from django import forms, template
from django.templatetags.cache import CacheNode, do_cache
from django.utils import timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext
from redis.exceptions import RedisError

from core import dates

register = template.Library()
logger = logging.getLogger(__name__)


def _locale() -> str:
    return translation.to_locale(translation.get_language() or "en")


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def moment(value, style="long"):
    """``{{ slot.starts_at|moment }}`` → "dinsdag 8 december 2026, 16:00" (``core.dates``: CLDR, the current zone)."""
    return dates.moment(value, style)


@register.simple_tag
def waiting(since, now=None):
    """How long an item has waited: "for 3 hours", or "just now" under a minute (not "for 0 minutes")."""
    now = now or timezone.now()
    if now - since < timedelta(minutes=1):
        return gettext("just now")
    return gettext("for %(since)s") % {"since": timesince(since, now)}


@register.filter
def moment_code(seconds):
    """A moment of a video as minutes:seconds: 3 → "0:03", 80 → "1:20"."""
    if seconds is None or seconds == "":
        return ""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


@register.filter
def ldate(value, cldr):
    """``{{ month|ldate:"LLL" }}`` → "okt" in Dutch (Django's ``date:"M"`` gives "Okt"); ``LLLL y`` → "oktober
    2026"."""
    return dates.pattern(value, cldr)


@register.filter
def money(amount, currency):
    """``{{ amount|money:"EUR" }}`` → "€ 5.125,00" in Dutch, "5 125,00 kr" in Swedish (SEK)."""
    value = _decimal(amount)
    if value is None or not currency:
        return ""
    return format_currency(value, currency, locale=_locale())


@lru_cache(maxsize=16)
def _precise_money_format(locale: str):
    pattern = parse_pattern(Locale.parse(locale).currency_formats["standard"].pattern)
    pattern.frac_prec = (2, 4)
    return pattern, Locale.parse(locale)


@register.filter
def money_precise(amount, currency):
    """Small amounts (a cost per engagement) with up to four decimals: "€ 0,0123", not "€ 0,01"."""
    value = _decimal(amount)
    if value is None or not currency:
        return ""
    pattern, locale = _precise_money_format(_locale())
    return pattern.apply(value, locale, currency=currency, currency_digits=False)


@lru_cache(maxsize=64)
def _number_format(locale: str, decimals: int):
    """The parsed pattern and locale of ``number``, once per language and precision: a results page prints
    thousands of numbers, and parsing both for each was a third of the page's time."""
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else "")), Locale.parse(locale)


@register.filter
def number(value, decimals=0):
    """``{{ views|number }}`` → "146.904" in Dutch, "146 904" in Swedish (what babel's format_decimal gives)."""
    amount = _decimal(value)
    if amount is None:
        return ""
    pattern, locale = _number_format(_locale(), int(decimals))
    return pattern.apply(amount, locale)


@register.filter
def percent(value, decimals=None):
    """A rate stored as a percentage (21.00) shown per locale: "21%", "21 %". ``percent:1`` rounds to one
    decimal: "4,9%" in Dutch, "4,9 %" in Swedish."""
    amount = _decimal(value)
    if amount is None:
        return ""
    if decimals is None:
        return format_percent(amount / 100, locale=_locale(), decimal_quantization=False)
    pattern = Locale.parse(_locale()).percent_formats[None].pattern
    if int(decimals):
        # The locale's own pattern ("#,##0%", "#,##0 %") with the decimals asked for.
        pattern = re.sub(r"0(?=\s*%)", "0." + "0" * int(decimals), pattern, count=1)
    return format_percent(amount / 100, format=pattern, locale=_locale())


_WIDGET_CLASSES = {
    # Subclasses before their bases: CheckboxSelectMultiple is a RadioSelect.
    forms.CheckboxSelectMultiple: "utrecht-checkbox utrecht-checkbox--html-input",
    # Native radios: the Utrecht radio styling assumes its own markup and overlaps Django's labels.
    forms.RadioSelect: "planner-radio",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.SelectMultiple: "utrecht-select utrecht-select--html-select",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
}


@register.simple_tag
def planner_widget(field):
    """Render a bound field's widget with the design system's classes and ARIA links to its texts."""
    widget = field.field.widget
    css = next(
        (css for cls, css in _WIDGET_CLASSES.items() if isinstance(widget, cls)),
        "utrecht-textbox utrecht-textbox--html-input",
    )
    described_by = []
    if field.use_fieldset:
        # A group: its fieldset carries the description; each option is labelled by its own text.
        return field.as_widget(attrs={"class": css})
    if field.help_text:
        described_by.append(f"{field.auto_id}_helptext")
    invalid = " utrecht-textbox--invalid" if field.errors and "textbox" in css else ""
    attrs = {"class": css + invalid}
    if field.errors:
        described_by.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return field.as_widget(attrs=attrs)


class _CacheUnlessDownNode(CacheNode):
    """Django's ``{% cache %}``, except that a cache that can't be reached (Redis down) renders the fragment
    instead of failing the page."""

    def render(self, context):
        try:
            return super().render(context)
        except (RedisError, OSError) as error:
            logger.warning("A cached fragment is rendered without the cache (%s)", error)
            return self.nodelist.render(context)


@register.tag
def cache_unless_down(parser, token):
    """``{% cache_unless_down 600 name key %}…{% endcache %}``: the arguments and end tag of ``{% cache %}``."""
    node = do_cache(parser, token)
    node.__class__ = _CacheUnlessDownNode
    return node

"""How a number is written in each language: decimals, percentages, thousands, seconds.

Every number a text shows goes through here, so that a German chat reads ``7,9 s``,
``0,412`` and ``92 %`` where an English one reads ``7.9 s``, ``0.412`` and ``92%``.
``t()`` writes whole numbers (``int`` values) with ``whole`` by itself; the rest are
formatted by the caller with the function that says what the number is. Input goes the
other way through ``parse_decimal``, which takes a decimal comma in every language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from bot.texts.languages import DEFAULT_LANGUAGE, base_language
from model.job import whole_percent

__all__ = [
    "STYLES",
    "NumberStyle",
    "decimal",
    "number",
    "parse_decimal",
    "percent",
    "seconds",
    "style",
    "whole",
]

# German puts a space between a number and its per cent sign (DIN 5008: "92 %"). A no-break
# space keeps "92" and "%" on one line of a narrow phone screen. Not the narrow U+202F:
# every font has U+00A0, while older phones' fonts and some chart fonts lack U+202F and
# would draw a box instead.
NO_BREAK_SPACE = "\u00a0"
SECONDS_PLACES = 1  # a training takes seconds to minutes: tenths are enough to compare two


@dataclass(frozen=True)
class NumberStyle:
    """How one language writes numbers."""

    decimal_mark: str
    thousands_separator: str
    percent_suffix: str  # what follows a percentage, its space included


STYLES: dict[str, NumberStyle] = {
    "en": NumberStyle(decimal_mark=".", thousands_separator=",", percent_suffix="%"),
    # A thousands point, as in the German everyday texts pupils read (1.234 Bilder).
    "de": NumberStyle(
        decimal_mark=",", thousands_separator=".", percent_suffix=NO_BREAK_SPACE + "%"
    ),
}


def style(language: str | None) -> NumberStyle:
    """Return how ``language`` (a Telegram ``language_code``) writes numbers; English if unknown."""
    return STYLES.get(base_language(language), STYLES[DEFAULT_LANGUAGE])


def _written(plain: str, language: str | None) -> str:
    """Return ``plain`` (digits, "-" and "." as Python writes them) in ``language``'s style."""
    numbers = style(language)
    sign, digits = ("-", plain[1:]) if plain.startswith("-") else ("", plain)
    whole_part, point, fraction = digits.partition(".")
    groups = f"{int(whole_part):,}".replace(",", numbers.thousands_separator)
    return sign + groups + (numbers.decimal_mark + fraction if point else "")


def whole(value: int, language: str | None) -> str:
    """Return a whole number with thousands grouped: ``1,234`` (en), ``1.234`` (de)."""
    return _written(str(value), language)


def decimal(value: float, language: str | None, places: int = 1) -> str:
    """Return ``value`` with exactly ``places`` decimals: ``0.412`` (en), ``0,412`` (de)."""
    return _written(f"{value:.{places}f}", language)


def number(value: float, language: str | None) -> str:
    """Return ``value`` as short as it is exact, never in exponent form: 0.00001, 0.2, 50."""
    if not math.isfinite(value):
        return str(value)
    plain = format(Decimal(repr(float(value))), "f")
    if "." in plain:
        plain = plain.rstrip("0").rstrip(".")
    return _written(plain, language)


def percent(fraction: float, language: str | None) -> str:
    """Return a fraction (0..1) as a whole percentage: ``92%`` (en), ``92 %`` (de).

    Only what is exactly all or nothing shows as 100 % or 0 %: 0.999 shows 99 %, 0.001
    shows 1 %, so a prediction that is almost sure never reads as certain.
    """
    return _written(str(whole_percent(fraction)), language) + style(language).percent_suffix


def seconds(value: float, language: str | None) -> str:
    """Return a duration's seconds to a tenth (the text writes the unit): ``7.9``, ``7,9``."""
    return decimal(value, language, SECONDS_PLACES)


def parse_decimal(raw: str) -> float:
    """Return the number ``raw`` stands for, with a decimal point or comma in any language.

    Raises ValueError for anything else, thousands separators included: "1,5" is 1.5, and
    "1,000.5" is refused rather than guessed at.
    """
    text = raw.strip()
    if "," in text:
        if "." in text or text.count(",") > 1:
            raise ValueError(raw)
        text = text.replace(",", ".")
    return float(text)

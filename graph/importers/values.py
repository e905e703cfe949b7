"""Cell values as real data throws them at us: amounts with either decimal mark, dates in several
formats, names with odd spacing. Each parser returns a value or raises ``ValueError`` with a reason.

Examples
--------
>>> amount("491873,75"), amount("1.087.963,75"), amount("1,250,000.5"), amount("125000")
(Decimal('491873.75'), Decimal('1087963.75'), Decimal('1250000.5'), Decimal('125000'))
>>> date("15/03/2013"), date("2013-03-15"), date("2013")
('2013-03-15', '2013-03-15', '2013')
>>> tidy("  MINISTERE DE L'ENSEIGNEMENT  SUPERIEUR ")
"MINISTERE DE L'ENSEIGNEMENT SUPERIEUR"
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal, InvalidOperation

#: Date formats tried in order when a mapping names none: ISO first, then the European day-first forms.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m", "%Y")


def tidy(text: str) -> str:
    """Collapse runs of white space and trim: the spelling a label is stored with."""
    return " ".join(text.split())


class AmbiguousAmount(ValueError):
    """An amount whose one mark may separate thousands or decimals (``125,000``, ``2.500``): not guessed."""


#: One mark, once, followed by exactly three digits: ``125,000`` is 125000 in English and 125 in French.
_AMBIGUOUS = re.compile(r"[+-]?\d+[.,]\d{3}")


def amount(text: str, decimal: str | None = None, thousands: str | None = None) -> Decimal:
    """A decimal number written with ``.`` or ``,`` as decimal mark, with or without thousands marks.

    ``decimal`` and ``thousands`` (pandas' names) say which mark is which; given one of ``.`` and
    ``,``, the other is the other one. Without them: with both marks, the last one is the decimal
    mark; a mark that occurs more than once separates thousands (``1,250,000``); a single mark is
    the decimal mark, unless exactly three digits follow it (``125,000``, ``2.500``): that amount is
    ambiguous and raises :class:`AmbiguousAmount`. Spaces (thin or not) always separate thousands.

    >>> amount("125,000", thousands=","), amount("125,000", decimal=","), amount("2.500", decimal=",")
    (Decimal('125000'), Decimal('125.000'), Decimal('2500'))
    >>> amount("125000.5", decimal=",")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: not an amount: '125000.5' (a thousands mark '.' not between groups of three digits: ...)
    >>> try:
    ...     amount("125,000")
    ... except AmbiguousAmount as error:
    ...     print(error)
    ambiguous amount '125,000': set decimal or thousands in the mapping's [source]
    """
    given = text
    text = "".join(text.split()).replace("\u202f", "")
    if not text:
        raise ValueError("empty amount")
    if decimal or thousands:
        marks = {".": ",", ",": "."}
        decimal = decimal or marks.get(thousands, ".")
        thousands = thousands or marks.get(decimal, "")
        _check_thousands(text, given, thousands, decimal)
        text = text.replace(thousands, "") if thousands else text
        if text.count(decimal) > 1:
            raise ValueError(f"not an amount: {given!r} (decimal mark {decimal!r} twice)")
        text = text.replace(decimal, ".")
    elif "," in text and "." in text:
        decimal_mark, thousands_mark = (",", ".") if text.rfind(",") > text.rfind(".") else (".", ",")
        _check_thousands(text, given, thousands_mark, decimal_mark)
        text = text.replace(thousands_mark, "").replace(decimal_mark, ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        _check_thousands(text, given, "," if "," in text else ".", "")
        text = text.replace(",", "").replace(".", "")
    elif _AMBIGUOUS.fullmatch(text):
        raise AmbiguousAmount(f"ambiguous amount {given.strip()!r}: set decimal or thousands in the mapping's [source]")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {given!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {given!r}")
    return value


def _check_thousands(text: str, given: str, thousands: str, decimal: str) -> None:
    """Refuse thousands marks anywhere but between groups of three digits (``125000.5`` read with the decimal
    mark ``,`` is not 1,250,005; ``1.5.2020`` is a date)."""
    if not thousands or thousands not in text:
        return
    whole, _, fraction = text.partition(decimal) if decimal else (text, "", "")
    groups = whole.lstrip("+-").split(thousands)
    if thousands in fraction or not 1 <= len(groups[0]) <= 3 or any(len(group) != 3 for group in groups[1:]):
        raise ValueError(f"not an amount: {given!r} (a thousands mark {thousands!r} not between groups of three "
                         "digits: set decimal or thousands in the mapping's [source])")


def coordinates(latitude: str, longitude: str) -> tuple[Decimal, Decimal]:
    """A place in WGS84 degrees; ``0,0`` (in the sea off Africa) is how exports write "unknown".

    >>> coordinates("48.8473434", " 2.3487498")
    (Decimal('48.8473434'), Decimal('2.3487498'))
    """
    try:
        lat, lon = Decimal(latitude.strip()), Decimal(longitude.strip())
    except InvalidOperation:
        raise ValueError(f"not a place: {latitude!r}, {longitude!r}") from None
    if not (lat.is_finite() and lon.is_finite() and -90 <= lat <= 90 and -180 <= lon <= 180) or lat == lon == 0:
        raise ValueError(f"not a place: {latitude!r}, {longitude!r}")
    return lat, lon


def date(text: str, formats: tuple[str, ...] = DATE_FORMATS) -> str:
    """A date as ISO text at the precision the source gives: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``."""
    text = text.strip()
    for form in formats:
        try:
            parsed = datetime.strptime(text, form)
        except ValueError:
            continue
        if form == "%Y":
            return f"{parsed.year:04d}"
        if form == "%Y-%m":
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return parsed.date().isoformat()
    raise ValueError(f"not a date in a known format: {text!r}")


def name_key(name: str) -> str:
    """A name reduced for matching: no accents, case, punctuation or spacing differences.

    >>> name_key("UMEA  UNIVERSITET") == name_key("Umeå universitet")
    True
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())

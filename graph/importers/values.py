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


def amount(text: str) -> Decimal:
    """A decimal number written with ``.`` or ``,`` as decimal mark, with or without thousands marks.

    With both marks, the last one is the decimal mark. With one kind only, it is the decimal mark,
    unless it occurs more than once (``1,250,000``): then it separates thousands.
    """
    given, text = text, text.strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        raise ValueError("empty amount")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_mark == "," else ",", "").replace(decimal_mark, ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        text = text.replace(",", "").replace(".", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"not an amount: {given!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {given!r}")
    return value


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

"""Tables for people in a terminal: columns sized to their content, and never a number or a word split.

A terminal table is for reading, so it may shorten: long text ends in ``…`` (csv and json give it whole),
IRIs are written as prefixed names (``id:project/cordis/101052200``), and only the first rows are shown
(with how many more there are). Numbers keep their full width, right-aligned, to a fixed precision. The lines
are laid out here (widths measured in terminal cells, as rich measures them): 30,000 rows print in a second.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

from rich.cells import cell_len, set_cell_size

from coopgraph.vocab import PREFIXES

#: Rows a terminal table shows unless told otherwise.
DEFAULT_LIMIT = 50
#: Spaces between two columns.
GAP = 2
#: A shortened text column keeps at least this many characters (its header's length if longer).
NARROWEST_TEXT = 6
#: A column of prose (descriptions, messages) wraps between words, and keeps at least this many characters.
NARROWEST_PROSE = 24

_NAMESPACES = sorted(((str(namespace), prefix) for prefix, namespace in PREFIXES.items()),
                     key=lambda pair: len(pair[0]), reverse=True)


def readable(value: object) -> str:
    """A value as people read it in a table or a tooltip: thousands separated, fractions to three decimals."""
    return f"{value:,.3f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)


def prefixed(iri: str) -> str:
    """An IRI written with the longest prefix coopgraph declares that fits (``nuts:SE332``), else whole.

    For reading only: a local name with ``/`` (``id:project/cordis/1``) is not valid SPARQL or Turtle.

    >>> prefixed("http://data.europa.eu/nuts/code/SE332"), prefixed("https://example.org/x")
    ('nuts:SE332', 'https://example.org/x')
    """
    for namespace, prefix in _NAMESPACES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def numeric_columns(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> frozenset[str]:
    """The columns whose values are all numbers (and not all missing): they are right-aligned, never shortened."""
    return frozenset(header for i, header in enumerate(headers)
                     if any(row[i] is not None for row in rows)
                     and all(isinstance(row[i], (int, float)) for row in rows if row[i] is not None))


def limited(rows: Iterable, limit: int | None) -> tuple[list, int]:
    """The first ``limit`` rows (all when None) and how many there are in all."""
    kept, total = [], 0
    for total, row in enumerate(rows, start=1):
        if limit is None or total <= limit:
            kept.append(row)
    return kept, total


@dataclass(frozen=True)
class Listing:
    """Rows for a terminal table: ``numeric`` names the columns of numbers, ``prose`` those that wrap between
    words rather than end in ``…``; ``total`` counts the rows there are, of which ``rows`` are the first (None:
    all are here).

    >>> listing = Listing(("region", "projects"), [("Région de Bruxelles-Capitale", 665)], frozenset({"projects"}))
    >>> print("\\n".join(listing.lines(24)))
    region          projects
    ────────────────────────
    Région de Bru…       665
    >>> listing.footer()
    '1 row'
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    numeric: frozenset[str] = frozenset()
    prose: frozenset[str] = frozenset()
    title: str | None = None
    total: int | None = None
    more: str = "--limit N or --format csv"
    counted: bool = True

    def footer(self) -> str:
        """How many rows there are, and how to see the rest when not all are shown ('' when not counted)."""
        shown, total = len(self.rows), len(self.rows) if self.total is None else self.total
        if not self.counted:
            return ""
        return f"{total:,} row{'s' if total != 1 else ''}" + (
            f"; … and {total - shown:,} more: {self.more}" if total > shown else "")

    def lines(self, width: int) -> Iterator[str]:
        """The table's lines, at most ``width`` cells wide when its numbers and headers fit in it: the title,
        the headers, a rule, then each row (a row of prose may take several lines)."""
        if self.title:
            yield _shortened(self.title, width)
        if not self.headers:
            return
        prose = [header in self.prose for header in self.headers]
        right = [header in self.numeric for header in self.headers]
        cells = [[_text(value, wraps) for value, wraps in zip(row, prose, strict=True)] for row in self.rows]
        widths = _widths(self.headers, cells, right, prose, width)
        if any(self.headers):
            yield _line([[header] for header in self.headers], widths, right)
        yield "─" * (sum(widths) + GAP * (len(widths) - 1))
        for row in cells:
            yield from _row_lines(row, widths, right, prose)


def _text(value: object, prose: bool) -> str:
    """A cell's text on one line (prose keeps its own line breaks): a line break in data would break the row,
    and a control character (an escape sequence) would reach the terminal."""
    if value is None:
        return ""
    text = "".join(character if unicodedata.category(character) != "Cc" or character in "\n\t" else " "
                   for character in readable(value))
    return "\n".join(" ".join(line.split()) for line in text.splitlines()) if prose else " ".join(text.split())


def _widths(headers: Sequence[str], cells: list[list[str]], numeric: list[bool], prose: list[bool],
            width: int) -> list[int]:
    """Each column's width: as wide as its content and header; the widest columns above their floor (a number
    has none below its content) shortened first until the table fits in ``width``. Identifiers (IRIs, codes,
    dates: cells without spaces) are shortened only when shortening the text columns is not enough."""
    natural = [max([cell_len(header), *(cell_len(line) for row in cells for line in row[i].splitlines())])
               for i, header in enumerate(headers)]
    floors = [natural[i] if numeric[i] else
              min(natural[i], max(NARROWEST_PROSE if prose[i] else NARROWEST_TEXT, cell_len(header)))
              for i, header in enumerate(headers)]
    room = width - GAP * (len(headers) - 1)
    identifiers = [not numeric[i] and not prose[i] and all(" " not in row[i] for row in cells)
                   for i in range(len(headers))]
    kept = [natural[i] if identifiers[i] else floors[i] for i in range(len(headers))]
    return _shrunk(natural, kept if sum(kept) <= room else floors, room)


def _shrunk(natural: list[int], floors: list[int], room: int) -> list[int]:
    """``natural`` widths, the widest above its floor narrowed one cell at a time until they sum to ``room``."""
    widths = list(natural)
    while sum(widths) > room:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not shrinkable:
            break  # wider than the terminal: the terminal wraps lines, but no cell is cut mid-token
        widths[max(shrinkable, key=lambda i: widths[i])] -= 1
    return widths


def _shortened(text: str, width: int) -> str:
    """``text`` in ``width`` cells: whole, or cut with ``…`` at the end."""
    return text if cell_len(text) <= width else set_cell_size(text, width - 1).rstrip() + "…"


def _row_lines(row: list[str], widths: list[int], right: list[bool], prose: list[bool]) -> Iterator[str]:
    """A row's lines: prose wrapped between words (a word longer than its column shortened), the rest on one."""
    parts = []
    for text, width, wraps in zip(row, widths, prose, strict=True):
        if wraps:
            wrapped = [piece for line in text.splitlines() or [""] for piece in _wrapped(line, width)]
            parts.append([_shortened(piece, width) for piece in wrapped])
        else:
            parts.append([_shortened(text, width)])
    depth = max(len(part) for part in parts)
    for number in range(depth):
        yield _line([[part[number]] if number < len(part) else [""] for part in parts], widths, right)


def _wrapped(line: str, width: int) -> list[str]:
    """A line of prose in pieces of at most ``width`` cells, broken between words (a longer word alone)."""
    pieces: list[str] = []
    for word in line.split():
        if pieces and cell_len(pieces[-1]) + 1 + cell_len(word) <= width:
            pieces[-1] += " " + word
        else:
            pieces.append(word)
    return pieces or [""]


def _line(cells: list[list[str]], widths: list[int], right: list[bool]) -> str:
    """One line of a table, each cell padded to its column (numbers to the right); no trailing spaces."""
    padded = [set_cell_size(text, width) if not flush else " " * (width - cell_len(text)) + text
              for (text,), width, flush in zip(cells, widths, right, strict=True)]
    return (" " * GAP).join(padded).rstrip()

"""Tables for people in a terminal: columns sized to their content, and never a number or a word split.

A terminal table is for reading, so it may shorten: long text ends in ``…`` (csv and json give it whole),
IRIs are written as prefixed names (``id:project/cordis/101052200``), and only the first rows are shown
(with how many more there are). Numbers keep their full width, right-aligned, to a fixed precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from rich import box
from rich.table import Table

from coopgraph.vocab import PREFIXES

#: Rows a terminal table shows unless told otherwise.
DEFAULT_LIMIT = 50
#: Spaces between two columns (the table's padding and rule).
GAP = 2
#: A shortened text column keeps at least this many characters (its header's length if longer).
NARROWEST_TEXT = 8
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


@dataclass(frozen=True)
class Listing:
    """Rows for a terminal table: ``numeric`` names the columns of numbers, ``prose`` those that wrap between
    words rather than end in ``…``; ``total`` counts the rows there are, of which ``rows`` are the first (None:
    all are here)."""

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

    def table(self, width: int) -> Table:
        """A rich table at most ``width`` characters wide when its numbers and headers fit in it."""
        cells = [[_text(value, header in self.prose) for header, value in zip(self.headers, row, strict=True)]
                 for row in self.rows]
        floors = [_floor(header, [row[i] for row in cells], header in self.numeric, header in self.prose)
                  for i, header in enumerate(self.headers)]
        widths = _widths(self.headers, cells, floors, width)
        table = Table(title=self.title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                      title_justify="left")
        for header, size in zip(self.headers, widths, strict=True):
            table.add_column(header, width=size, no_wrap=header not in self.prose, overflow="ellipsis",
                             justify="right" if header in self.numeric else "left")
        for row in cells:
            table.add_row(*row)
        return table


def limited(rows: Iterable, limit: int | None) -> tuple[list, int]:
    """The first ``limit`` rows (all when None) and how many there are in all."""
    kept, total = [], 0
    for total, row in enumerate(rows, start=1):
        if limit is None or total <= limit:
            kept.append(row)
    return kept, total


def _text(value: object, prose: bool) -> str:
    """A cell's text on one line (prose keeps its own line breaks): a line break in data would break the row."""
    if value is None:
        return ""
    text = readable(value)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()) if prose else " ".join(text.split())


def _floor(header: str, cells: list[str], numeric: bool, prose: bool) -> int:
    """The narrowest a column may get: numbers never shrink; text keeps its header and a few characters."""
    natural = max([len(header), *(len(line) for cell in cells for line in cell.splitlines())])
    if numeric:
        return natural
    return min(natural, max(NARROWEST_PROSE if prose else NARROWEST_TEXT, len(header)))


def _widths(headers: Sequence[str], cells: list[list[str]], floors: list[int], width: int) -> list[int]:
    """Each column's width: as wide as its content and header; the widest columns above their floor shortened
    first until the table fits in ``width``."""
    natural = [max([len(header), *(len(line) for row in cells for line in row[i].splitlines())])
               for i, header in enumerate(headers)]
    widths = list(natural)
    room = width - GAP * (len(headers) - 1)
    while sum(widths) > room:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floors[i]]
        if not shrinkable:
            break  # wider than the terminal: the terminal wraps lines, but no cell is cut mid-token
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths

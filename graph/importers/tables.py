"""Rows of a table file: CSV (any common dialect, optionally gzipped) or a sheet of an XLSX workbook.

Each row comes with the line it starts on, so that a rejected row can be found in the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from pathlib import Path
from typing import IO, Callable, Iterator, NamedTuple

from python_calamine import CalamineError, CalamineWorkbook

#: Separators the sniffer may choose from.
DELIMITERS = ",;\t|"
#: The default encoding: UTF-8, with or without the byte order mark spreadsheet programs write.
ENCODING = "utf-8-sig"

csv.field_size_limit(1 << 24)  # cells of up to 16 MB (the default, 128 kB, fails a whole file)


class TableError(Exception):
    """A table cannot be read; the message says why in one line."""


class Row(NamedTuple):
    """One data row: its line (1-based, counting the header) and its cells by column name.

    ``problem`` says why the row cannot be used (too many cells, no project row to join...): it is
    rejected with that reason.
    """

    line: int
    cells: dict[str, str]
    problem: str | None = None


def _is_gzip(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(2) == b"\x1f\x8b"


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(4) == b"PK\x03\x04"


class Table:
    """A table file's header and rows; ``progress(rows, done, total)`` is told how far reading has got
    (``done`` of ``total`` bytes of a CSV file, rows of a sheet)."""

    def __init__(self, path: Path, *, delimiter: str | None = None, sheet: str | None = None,
                 encoding: str = ENCODING) -> None:
        if not path.is_file():
            raise TableError(f"cannot read {path}: no such file")
        self.path, self.delimiter, self.sheet, self.encoding = path, delimiter, sheet, encoding
        self.size = path.stat().st_size
        self.kind = "xlsx" if _is_xlsx(path) else "csv"
        self.separator: str | None = None  # the one given, else the one sniffed, once the header is read
        self._sniffed = False

    def describe(self) -> str:
        """The file as an error message names it: with the separator it was read with (given, sniffed, or the
        default when sniffing found none)."""
        if self.kind == "xlsx":
            return f"{self.path.name} (sheet {self.sheet or 'the first'})"
        self.header()
        how = "given" if self.delimiter else "sniffed" if self._sniffed else "the default: sniffing found none"
        return f"{self.path.name} (read with the separator {self.separator!r}, {how})"

    def rows(self, progress: Callable[[int, int, int], None] | None = None) -> Iterator[Row]:
        """The data rows; ``self.columns`` is set once the header is read."""
        reader = self._xlsx_rows if self.kind == "xlsx" else self._csv_rows
        yield from reader(progress or (lambda rows, done, total: None))

    def header(self) -> list[str]:
        """The column names (reads only the header, and only once)."""
        if hasattr(self, "columns"):
            return self.columns
        rows = self.rows()
        try:
            next(rows, None)
        finally:
            rows.close()
        return self.columns

    def _set_columns(self, header: list[str]) -> None:
        columns = [str(c).strip().lstrip("\ufeff") if c is not None else "" for c in header]
        doubled = sorted({c for c in columns if c and columns.count(c) > 1})
        if doubled:
            raise TableError(f"{self.path.name} names column(s) {', '.join(doubled)} twice")
        self.columns = columns

    def _open_text(self) -> tuple[IO[bytes], io.TextIOWrapper]:
        """The raw file (for progress by bytes) and its decompressed, decoded text (closing it closes both)."""
        binary = gzip.open(self.path, "rb") if _is_gzip(self.path) else self.path.open("rb")
        raw = binary.fileobj if isinstance(binary, gzip.GzipFile) else binary
        return raw, io.TextIOWrapper(binary, encoding=self.encoding, newline="")

    def _csv_rows(self, progress: Callable[[int, int, int], None]) -> Iterator[Row]:
        raw, text = self._open_text()
        try:
            with text, self._open_text()[1] as sample_text:
                dialect = self._dialect(sample_text.read(65536))
                self.separator = dialect.delimiter
                reader = csv.reader(text, dialect)
                header = next(reader, None)
                if header is None:
                    raise TableError(f"{self.path.name} is empty")
                self._set_columns(header)
                width = len(self.columns)
                start, count = reader.line_num + 1, 0
                for count, cells in enumerate(reader, start=1):
                    if cells:
                        problem = (None if len(cells) == width else
                                   f"{len(cells)} cells where the header has {width} (a stray separator?)")
                        yield Row(start, dict(zip(self.columns, cells, strict=False)), problem)
                    start = reader.line_num + 1
                    if count % 2000 == 0:
                        progress(count, raw.tell(), self.size)
                progress(count, self.size, self.size)
        except LookupError:
            raise TableError(f"unknown encoding {self.encoding!r}") from None
        except UnicodeDecodeError as error:
            raise TableError(f"{self.path.name} is not {self.encoding} text ({error.reason}); convert it to "
                             "UTF-8, or give its encoding in a table mapping") from None
        except (EOFError, gzip.BadGzipFile, zlib.error) as error:
            raise TableError(f"{self.path.name} is a damaged gzip file ({error})") from None
        except csv.Error as error:
            raise TableError(f"{self.path.name}: {error}") from None

    def _dialect(self, sample: str) -> type[csv.Dialect] | csv.Dialect:
        if self.delimiter:
            class Given(csv.excel):
                delimiter = self.delimiter
            return Given
        try:
            dialect = csv.Sniffer().sniff("\n".join(sample.splitlines()[:20]), delimiters=DELIMITERS)
        except csv.Error:
            return csv.excel
        self._sniffed = True
        return dialect

    def _xlsx_rows(self, progress: Callable[[int, int, int], None]) -> Iterator[Row]:
        try:
            with CalamineWorkbook.from_path(str(self.path)) as workbook:
                if self.sheet is not None and self.sheet not in workbook.sheet_names:
                    raise TableError(f"{self.path.name} has no sheet {self.sheet!r} (sheets: "
                                     f"{', '.join(workbook.sheet_names)})")
                sheet = workbook.get_sheet_by_name(self.sheet) if self.sheet is not None \
                    else workbook.get_sheet_by_index(0)
                rows = enumerate(sheet.iter_rows(), start=1)  # (line, cells)
                # the header is the first row that holds anything (exports put a title or empty rows above it)
                first, header = next(((line, cells) for line, cells in rows if any(str(c).strip() for c in cells)),
                                     (0, None))
                if header is None:
                    raise TableError(f"sheet {sheet.name!r} of {self.path.name} is empty")
                self._set_columns([_cell(name) for name in header])  # a year as a name: 2021, not 2021.0
                total = (sheet.end or (0, 0))[0] + 1  # the last line
                for line, values in rows:
                    if any(str(value).strip() for value in values):
                        yield Row(line, {c: _cell(v) for c, v in zip(self.columns, values, strict=False)})
                    if line % 2000 == 0:
                        progress(line - first, line, total)
                progress(total - first, total, total)
        except CalamineError as error:
            raise TableError(f"cannot read {self.path.name} as a workbook: {error}") from None


def _cell(value) -> str:
    """An XLSX cell as the text a CSV would hold (dates as ISO, whole floats without .0)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

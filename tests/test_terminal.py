"""Terminal tables read well at 80 columns: no number or word split, long text shortened, rows limited.

The commands run in a real pseudo-terminal 80 columns wide (so rich sizes its tables as it does for a user),
and what they print is compared with the same answers as CSV or JSON.
"""

from __future__ import annotations

import csv
import doctest
import fcntl
import io
import json
import os
import pty
import re
import shutil
import struct
import sys
import termios
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from coopgraph import terminal
from coopgraph.terminal import DEFAULT_LIMIT, NARROWEST_TEXT, Listing, prefixed, readable

NETWORK = FIXTURES / "network"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
NUMBER = re.compile(r"(?<![\w.,])-?\d[\d,]*(?:\.\d+)?(?![\w.,])")


def in_terminal(*arguments: str, store: Path, columns: int = 80) -> tuple[int, list[str]]:
    """Exit code and the lines ``coopgraph`` prints to a pseudo-terminal ``columns`` wide (stderr discarded)."""
    pid, terminal = pty.fork()
    if pid == 0:  # the child: its stdout is the terminal, sized before the command starts
        try:
            fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
            os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
            environment = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
            os.execve(sys.executable, [sys.executable, "-m", "coopgraph", "--store", str(store), *arguments],
                      environment)
        finally:
            os._exit(127)  # never back into pytest
    output = bytearray()
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    text = ANSI.sub("", output.decode("utf-8"))
    return os.waitstatus_to_exitcode(status), text.replace("\r\n", "\n").rstrip("\n").split("\n")


@pytest.fixture(scope="module")
def store(initialised_store, tmp_path_factory) -> Path:
    """The seed with the network fixture's CORDIS and Interreg tables imported."""
    path = tmp_path_factory.mktemp("terminal") / "store"
    shutil.copytree(initialised_store, path)
    run_cli("import", "cordis", str(NETWORK / "organization.csv"), "--legal-basis", str(NETWORK / "legalBasis.csv"),
            store=path, check=True)
    run_cli("import", "interreg-se", str(NETWORK / "partners.csv"), store=path, check=True)
    return path


def numbers_in(lines: list[str]) -> set[str]:
    return {number for line in lines for number in NUMBER.findall(line)}


def fits(lines: list[str], columns: int = 80) -> None:
    assert lines and max(len(line) for line in lines) <= columns, "\n".join(
        line for line in lines if len(line) > columns)


def test_regions_top_shows_every_number_whole_at_80_columns(store):
    code, lines = in_terminal("regions", "top", "--level", "3", "--top", "8", store=store)
    assert code == 0
    fits(lines)
    rows = json.loads(run_cli("regions", "top", "--level", "3", "--top", "8", "-f", "json", store=store,
                              check=True).stdout)
    expected = {readable(row[column]) for row in rows for column in ("projects", "fractional", "association",
                                                                    "jaccard")}
    shown = numbers_in(lines[3:-1])  # the rows: after title, header and rule, before the count
    assert expected <= shown and shown <= expected | {str(rank) for rank in range(1, 9)}
    for row, line in zip(rows, lines[3:-1], strict=True):  # one line per pair, each region by its code
        assert line.split()[1] == row["region_a"] and f" {row['region_b']} " in line
    assert lines[-1] == "8 rows"


REGIONS = ("SELECT ?region ?name ?level WHERE { ?region a coop:Region ; skos:prefLabel ?name ; "
           "coop:nutsLevel ?level } ORDER BY DESC(STRLEN(?name)) ?region")


def test_query_tables_shorten_text_and_iris_and_stop_at_the_limit(store):
    code, lines = in_terminal("query", REGIONS, store=store)
    assert code == 0
    fits(lines)
    answer = list(csv.DictReader(io.StringIO(run_cli("query", REGIONS, "-f", "csv", store=store, check=True).stdout)))
    assert len(answer) > DEFAULT_LIMIT
    body = lines[2:-1]
    assert len(body) == DEFAULT_LIMIT
    assert lines[-1] == f"{len(answer):,} rows; … and {len(answer) - DEFAULT_LIMIT:,} more: --limit N or --format csv"
    shortened = 0
    for row, line in zip(answer, body, strict=False):
        iri, name, level = re.split(r" {2,}", line.strip())  # columns: 2 spaces apart
        assert iri == prefixed(row["region"]) and iri.startswith("nuts:")
        assert level == row["level"]
        assert name == row["name"] or (name.endswith("…") and row["name"].startswith(name[:-1]))
        shortened += name != row["name"]
    assert shortened > 0  # the longest names do not fit in 80 columns
    code, everything = in_terminal("query", REGIONS, "--limit", "0", store=store)
    assert code == 0 and len(everything) == len(answer) + 3 and everything[-1] == f"{len(answer):,} rows"


def test_listings_fit_with_their_numbers_whole(store):
    for command, expected in ((("stats",), json.loads(run_cli("stats", "-f", "json", store=store).stdout)),
                              (("sources",), None)):
        code, lines = in_terminal(*command, store=store)
        assert code == 0
        fits(lines)
        if expected:
            assert {f"{value:,}" for part in expected.values() for value in part.values()} <= numbers_in(lines)
        if command == ("sources",):
            assert any(line.startswith("cordis/organization.csv ") for line in lines)  # a source's name whole


def test_prose_wraps_between_words(store):
    """`queries` and the SHACL report wrap their descriptions and problems between words, never inside one."""
    code, lines = in_terminal("queries", store=store)
    assert code == 0
    fits(lines)
    words = set(run_cli("queries", env={"COLUMNS": "1000"}, store=store).stdout.split())
    assert {word for line in lines for word in line.split()} - {"─" * n for n in range(200)} <= words
    code, lines = in_terminal("validate", str(FIXTURES / "broken.ttl"), store=store)
    assert code == 1
    fits(lines)
    wide = run_cli("validate", str(FIXTURES / "broken.ttl"), env={"COLUMNS": "1000"}, store=store).stdout
    shortened = {word for line in lines for word in line.split() if word.endswith("…") or set(word) == {"─"}}
    assert {word for line in lines for word in line.split()} - shortened <= set(wide.split())


def test_a_listing_keeps_numbers_and_headers_whole_in_any_width():
    name = "Région de Bruxelles-Capitale"
    listing = Listing(("name", "projects", "fractional"), [(name, 665, 67.8359), ("Attiki", 12_345, 0.5)],
                      frozenset({"projects", "fractional"}))
    for width in (20, 30, 40, 80):
        header, rule, *rows = listing.lines(width)
        room = max(NARROWEST_TEXT, width - 2 * 2 - len("projects") - len("fractional"))
        assert header.split() == ["name", "projects", "fractional"]
        assert rows[0].split("  ")[0].rstrip() == (name if room >= len(name) else name[:room - 1].rstrip() + "…")
        assert rows[0].endswith("    665      67.836") and rows[1].endswith(" 12,345       0.500")
        assert len(rule) == max(len(line) for line in (header, *rows)) == min(len(name), room) + 22
    assert listing.footer() == "2 rows"
    assert Listing(("a",), [(1,)], total=3).footer() == "3 rows; … and 2 more: --limit N or --format csv"
    prose = Listing(("name", "text"), [("x", "one two three four five six seven eight nine ten eleven")],
                    prose=frozenset({"text"}))
    _, _, *wrapped = prose.lines(30)
    assert [line[len("name  "):] for line in wrapped] == [  # 30 cells: 24 for the text
        "one two three four five", "six seven eight nine ten", "eleven"]


def test_the_layout_examples_hold():
    assert doctest.testmod(terminal).failed == 0


def test_data_cannot_move_the_cursor_or_cut_a_wide_word():
    wide = "大阪府大阪府 大阪府大阪府 大阪府"  # two cells a character
    listing = Listing(("name", "note"), [("\x1b[2Jwiped", wide)], prose=frozenset({"note"}))
    _, _, *lines = listing.lines(8 + 2 + 25)
    assert "\x1b" not in "".join(lines) and lines[0].startswith("[2Jwiped  ")
    assert [line[len("[2Jwiped  "):] for line in lines] == ["大阪府大阪府 大阪府大阪府", "大阪府"]  # 25 cells a line


@pytest.mark.parametrize("command", [(), ("import",), ("query",), ("regions", "top"), ("regions", "profile"),
                                     ("network",), ("serve",), ("validate",), ("export",)])
def test_help_wraps_between_words_at_80_columns(command):
    def words(columns: str) -> set[str]:
        shown = run_cli(*command, "-h", env={"COLUMNS": columns}, check=True).stdout
        return {word.strip("│╭╮╰╯─*") for word in shown.split()} - {""}

    assert words("80") <= words("1000")

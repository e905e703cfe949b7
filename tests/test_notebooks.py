"""The notebooks run from top to bottom, and are committed without outputs."""

import html
import json
import re
from collections import Counter, defaultdict
from html.parser import HTMLParser
from itertools import combinations, pairwise

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from conftest import FIXTURES, ROOT
from coopgraph.network.html import ASSETS

pytestmark = pytest.mark.slow
NOTEBOOK = ROOT / "notebooks" / "01-quickstart.ipynb"
REGIONS_NOTEBOOK = ROOT / "notebooks" / "02-which-regions-collaborate-most.ipynb"
PARTNERS_NOTEBOOK = ROOT / "notebooks" / "03-partner-network-of-a-region.ipynb"
#: How the regions notebook shows each weight: 'CODE-CODE (value)' with this many decimals.
DECIMALS = {"projects": 0, "fractional": 2, "association": 2, "jaccard": 3}
SHOWN_PAIR = re.compile(r"\b([A-Z]{2}[A-Z0-9]{2})-([A-Z]{2}[A-Z0-9]{2}) \((\d+(?:\.\d+)?)\)")
ISO = {"EL": "GR", "UK": "GB"}  # CORDIS writes EU country codes; the networks use ISO 3166


def test_quickstart_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in notebook.cells if cell.cell_type == "code")


def test_quickstart_runs_and_shows_the_seed(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(output.get("data", {}).get("text/plain", "") for cell in notebook.cells
                     if cell.cell_type == "code" for output in cell.outputs)
    assert "'projects': 8" in text
    assert "Kommunförbundet Västernorrland" in text        # partners of PIKE
    assert "NO07" in text and "SK04" in text                # region pairs at level 2
    assert "Sundsvall" in text                              # an event
    assert "000_64c9dda7ea82cb2e.txt" in text               # provenance
    assert not list(tmp_path.iterdir())                     # nothing written to disk



def _committed_without_outputs(path) -> bool:
    notebook = nbformat.read(path, as_version=4)
    return all(not cell.get("outputs") and cell.get("execution_count") is None
               for cell in notebook.cells if cell.cell_type == "code")


def _texts(notebook) -> list[str]:
    """Every text the notebook printed or showed, one per output."""
    return [output.get("text", "") if output.output_type == "stream" else output.get("data", {}).get("text/plain", "")
            for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]


def test_regions_notebook_is_committed_without_outputs():
    assert _committed_without_outputs(REGIONS_NOTEBOOK)


def _fixture_participations() -> pd.DataFrame:
    table = pd.read_csv(FIXTURES / "network" / "organization.csv", sep=";", dtype=str, keep_default_na=False)
    return table.assign(region=table["nutsCode"].where(table["nutsCode"].str.len() >= 4, "").str[:4],
                        country=table["country"].replace(ISO))


def _pairs(members_of: pd.Series) -> dict[tuple[str, str], dict[str, float]]:
    """The four weights of each pair, computed here from each project's set of members, as the formulas say."""
    shared, fractional, projects_of = Counter(), Counter(), Counter()
    for members in members_of:
        members = sorted(set(members))
        projects_of.update(members)
        for pair in combinations(members, 2):
            shared[pair] += 1
            fractional[pair] += 1 / (len(members) - 1)
    strength = Counter()
    for (a, b), count in shared.items():
        strength[a] += count
        strength[b] += count
    total = sum(shared.values())
    return {(a, b): {"projects": count, "fractional": fractional[a, b],
                     "association": count / (strength[a] * strength[b] / (2 * total)),
                     "jaccard": count / (projects_of[a] + projects_of[b] - count)}
            for (a, b), count in shared.items()}


def _rankings(texts: list[str]) -> list[dict[str, list]]:
    """The side-by-side rankings the notebook shows (index ``rank``): {weight: [((a, b), shown value), ...]}."""
    tables = []
    for text in texts:
        lines = text.splitlines()
        if "rank" not in (line.strip() for line in lines):
            continue
        table, columns = {}, []
        for line in lines:  # pandas may wrap a wide table into blocks of columns, each with its header
            found = SHOWN_PAIR.findall(line)
            if found:
                for weight, (a, b, value) in zip(columns, found, strict=True):
                    table.setdefault(weight, []).append(((a, b), float(value)))
            elif any(word in DECIMALS for word in line.split()):
                columns = [word for word in line.split() if word in DECIMALS]
        tables.append(table)
    return tables


def _check_ranking(shown: list, expected: dict, weight: str, top: int) -> None:
    """``shown`` lists the ``top`` pairs of ``expected`` with most ``weight``, strongest first, values right."""
    values = {pair: weights[weight] for pair, weights in expected.items()}
    assert len(shown) == min(top, len(values)), weight
    for pair, value in shown:
        assert pair in values, (weight, pair)  # a pair there is, codes in order
        assert value == pytest.approx(values[pair], abs=0.5 * 10 ** -DECIMALS[weight] + 1e-9), (weight, pair)
    listed = [values[pair] for pair, _ in shown]
    assert all(a >= b - 1e-9 for a, b in pairwise(listed)), weight
    left_out = [value for pair, value in values.items() if pair not in dict(shown)]
    assert max(left_out, default=0) <= listed[-1] + 1e-9, weight  # ties at the end may go either way


def test_regions_notebook_ranks_the_fixture_pairs(tmp_path):
    notebook = nbformat.read(REGIONS_NOTEBOOK, as_version=4)
    parameters = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "parameters" in parameters.metadata.get("tags", [])
    # Always the fixture, even where ../shared/data is present. With its 12 projects, the top 5 pairs (not 10) and
    # 5 countries (of 8) leave pairs out that the minimum of shared projects and the heat map must leave out.
    for name, value in {"DATA": repr(str(FIXTURES / "network")), "TOP": "5", "COUNTRIES": "5"}.items():
        parameters.source, replaced = re.subn(rf"^{name} = .*$", f"{name} = {value}", parameters.source,
                                              flags=re.MULTILINE)
        assert replaced == 1, name
    settings = dict(re.findall(r"^(TOP|MIN_PROJECTS|COUNTRIES) = (\d+)", parameters.source, flags=re.MULTILINE))
    top, min_projects, most_countries = (int(settings[name]) for name in ("TOP", "MIN_PROJECTS", "COUNTRIES"))
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    texts = _texts(notebook)
    text = "\n".join(texts)

    rows = _fixture_participations()
    expected = _pairs(rows[rows["region"] != ""].groupby("projectID")["region"].agg(list))
    counts = sorted((weights["projects"] for weights in expected.values()), reverse=True)
    full, reliable = _rankings(texts)
    assert set(full) == set(reliable) == set(DECIMALS)
    assert full["projects"][0][0] in {pair for pair, weights in expected.items() if weights["projects"] == counts[0]}
    for weight in DECIMALS:
        _check_ranking(full[weight], expected, weight, top)

    # with the minimum of shared projects: MIN_PROJECTS, or lower when fewer than TOP pairs reach it
    minimum = min(min_projects, counts[min(top, len(counts)) - 1])
    assert 1 < minimum < min_projects  # the fixture is too small for MIN_PROJECTS: the fall-back runs
    assert f"min_projects={minimum}: " in text
    assert any(expected[pair]["projects"] < minimum for ranking in full.values() for pair, _ in ranking)  # it matters
    eligible = {pair: weights for pair, weights in expected.items() if weights["projects"] >= minimum}
    for weight in DECIMALS:
        _check_ranking(reliable[weight], eligible, weight, top)

    # the heat map's countries: those with most projects, and how many projects their pairs share
    countries = re.search(r"^(\d+) countries: ([A-Z, ]+); their pairs share (\d+) to (\d+) projects", text,
                          flags=re.MULTILINE)
    assert countries is not None
    shown = countries[2].split(", ")
    projects = rows[rows["country"] != ""].groupby("country")["projectID"].nunique()
    assert len(shown) == int(countries[1]) == min(most_countries, len(projects))
    assert set(projects[projects > projects[shown].min()].index) <= set(shown)
    country_pairs = _pairs(rows[rows["country"].isin(shown)].groupby("projectID")["country"].agg(list))
    shared = [weights["projects"] for weights in country_pairs.values()]
    assert (int(countries[3]), int(countries[4])) == (min(shared), max(shared))

    images = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
              if "image/png" in output.get("data", {})]
    assert len(images) >= 2  # the bar chart and the heat map
    assert not list(tmp_path.iterdir())  # nothing written to disk


def test_partners_notebook_is_committed_without_outputs():
    assert _committed_without_outputs(PARTNERS_NOTEBOOK)


#: The counties of Övre Norrland (SE33) as the Swedish Interreg list names them, with their NUTS 3 codes.
COUNTIES = {"Västerbottens län": "SE331", "Norrbottens län": "SE332"}


class _Tables(HTMLParser):
    """The tables of an HTML text (pandas' display of a DataFrame), each a list of rows of cell texts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _records(notebook) -> list[list[dict[str, str]]]:
    """Each DataFrame the notebook shows, as one dict per row: column name -> text ('' is the index)."""
    frames = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            text = output.get("data", {}).get("text/html", "")
            if "<iframe" in text:
                continue
            for rows in _Tables(text).tables:
                columns = rows[0]  # then the index's name alone on a row of its own, then the data
                frames.append([dict(zip(columns, row, strict=True)) for row in rows[1:] if any(row[1:])])
    return frames


def _frame(frames: list, *columns: str) -> list[dict[str, str]]:
    (found,) = [frame for frame in frames if frame and all(column in frame[0] for column in columns)]
    return found


def _expected_partner_network(seed) -> dict:
    """The partner network of SE33 worked out here: the fixture read with pandas, the seed with named queries.

    An organisation is its name (in any letter case) and its region, as matching links them across sources.
    """
    members, names, countries, programme = defaultdict(set), {}, {}, {}
    table = pd.read_csv(FIXTURES / "network" / "partners.csv", dtype=str, keep_default_na=False)
    for row in table.itertuples():
        project = ("fixture", row.program, row.projekttyp, row.projektnamn)
        organisation = (row.organisationsnamn.casefold(), COUNTIES.get(row.nuts3, row.nuts3))
        members[project].add(organisation)
        names.setdefault(organisation, row.organisationsnamn)
        countries[organisation] = "SE"
        programme[project] = row.program
    fixture_home = {organisation for found in members.values() for organisation in found
                    if organisation[1] in COUNTIES.values()}
    located = seed.query_df("organisations-in-region", region="SE33")
    for iri, acronym, title, project_programme, *_ in seed.rows("projects"):
        for _, _, name, _, country, region in seed.rows("partners", project=acronym or title):
            organisation = (name.casefold(), region or "")
            members[iri].add(organisation)
            names.setdefault(organisation, name)
            countries[organisation] = country
        programme[iri] = project_programme
    home = fixture_home | {(name.casefold(), region)
                          for name, region in zip(located["name"], located["region_code"], strict=True)}
    nodes = home | {organisation for found in members.values() if found & home for organisation in found}
    pairs = {pair: weights for pair, weights in _pairs(pd.Series(list(members.values()))).items() if set(pair) <= nodes}
    weight = defaultdict(float)  # each organisation's fractional weighted degree
    tie = defaultdict(float)  # each partner's fractional weight to the region
    for (a, b), weights in pairs.items():
        weight[a] += weights["fractional"]
        weight[b] += weights["fractional"]
        if (a in home) != (b in home):
            tie[b if a in home else a] += weights["fractional"]
    return {"located": len(fixture_home) + len(located), "home": home, "nodes": nodes, "pairs": pairs,
            "names": names, "countries": countries, "weight": weight, "tie": tie, "members": members,
            "programme": programme}


def test_partners_notebook_draws_and_ranks_the_fixture_network(tmp_path, fresh_kg):
    notebook = nbformat.read(PARTNERS_NOTEBOOK, as_version=4)
    parameters = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "parameters" in parameters.metadata.get("tags", [])
    # Always the fixture, even where ../shared/data is present; TOP above the fixture's sizes lists everything.
    for name, value in {"DATA": repr(str(FIXTURES / "network")), "REGION": '"SE33"', "WEIGHT": '"fractional"',
                        "TOP": "50"}.items():
        parameters.source, replaced = re.subn(rf"^{name} = .*$", f"{name} = {value}", parameters.source,
                                              flags=re.MULTILINE)
        assert replaced == 1, name
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "\n".join(_texts(notebook))
    frames = _records(notebook)
    expected = _expected_partner_network(fresh_kg)
    home, nodes, names = expected["home"], expected["nodes"], expected["names"]
    partners = nodes - home
    abroad = {organisation for organisation in partners if expected["countries"][organisation] != "SE"}
    assert expected["located"] == 16 and len(home) == 15 and len(abroad) == 3  # the fixture is what it was

    # the counts
    counts = re.search(r"^SE33 Övre Norrland: (\d+) organisations in the sources, (\d+) once", text, flags=re.MULTILINE)
    assert counts is not None
    assert (int(counts[1]), int(counts[2])) == (expected["located"], len(home))
    assert f"their partners: {len(partners)} organisations outside the region ({len(partners - abroad)} in other " \
           f"Swedish regions, {len(abroad)} abroad)" in text
    assert f"the network: {len(nodes)} organisations, {len(expected['pairs'])} links" in text

    # the region's organisations ranked by weighted degree: every one, with its projects, partners and weight
    ranking = _frame(frames, "organisation", "weighted degree (fractional)")
    by_name = {names[organisation].casefold(): organisation for organisation in home}
    assert len(by_name) == len(home)
    assert sorted(row["organisation"].casefold() for row in ranking) == sorted(by_name)
    for row in ranking:
        organisation = by_name[row["organisation"].casefold()]
        projects = [found for found in expected["members"].values() if organisation in found]
        assert int(row["projects"]) == len(projects), row
        assert int(row["partners"]) == len(set().union(*projects) - {organisation}), row
        assert int(row["strength"]) == sum(len(found) - 1 for found in projects), row
        # fractional counting: an organisation's weights add up to its projects with someone else in them
        assert float(row["weighted degree (fractional)"]) == pytest.approx(expected["weight"][organisation], abs=0.006)
        assert expected["weight"][organisation] == pytest.approx(sum(len(found) > 1 for found in projects))
    shown = [float(row["weighted degree (fractional)"]) for row in ranking]
    assert all(a >= b for a, b in pairwise(shown))
    assert [row[""] for row in ranking] == [str(rank) for rank in range(1, len(home) + 1)]

    # the partners outside, in Sweden and abroad, with their ties to the region
    sweden, foreign = (frame for frame in frames if frame and "tie (fractional)" in frame[0] and "shared projects"
                       in frame[0])
    for rows, wanted in ((sweden, partners - abroad), (foreign, abroad)):
        assert sorted(row[""].casefold() for row in rows) == sorted(names[o].casefold() for o in wanted)
        for row in rows:
            (organisation,) = [o for o in wanted if names[o].casefold() == row[""].casefold()]
            assert float(row["tie (fractional)"]) == pytest.approx(expected["tie"][organisation], abs=0.006), row
        ties = [float(row["tie (fractional)"]) for row in rows]
        assert all(a >= b for a, b in pairwise(ties))

    # the programmes of the region's projects: how many projects each, and which partners abroad they bring
    programmes = {row[""]: row for row in _frame(frames, "projects", "partners abroad")}
    regional = [project for project, found in expected["members"].items() if found & home]
    assert Counter(expected["programme"][project] for project in regional) == \
        {name: int(row["projects"]) for name, row in programmes.items()}
    assert "Sverige-Norge" not in programmes  # Border Jobs has no partner in Övre Norrland
    assert {name: int(row["partners abroad"]) for name, row in programmes.items() if int(row["partners abroad"])} \
        == {"Botnia-Atlantica": 3}

    # the drawing: a standalone page in a sandboxed iframe, vis-network inline, every organisation in it
    (shown,) = [output["data"]["text/html"] for cell in notebook.cells if cell.cell_type == "code"
                for output in cell.outputs if "<iframe" in output.get("data", {}).get("text/html", "")]
    assert not re.search(r"<script\b", shown, flags=re.IGNORECASE)  # the notebook runs no script of the page
    assert 'sandbox="allow-scripts"' in shown
    page = html.unescape(re.search(r'srcdoc="([^"]*)"', shown)[1])
    assert ASSETS["vis-network.min.js"].read_text(encoding="utf-8") in page
    assert ASSETS["network.js"].read_text(encoding="utf-8") in page
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", page, flags=re.IGNORECASE)  # no script from anywhere
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, flags=re.IGNORECASE)
    data = json.loads(re.search(r'<script type="application/json" id="network-data">(.*?)</script>', page,
                                flags=re.DOTALL)[1])
    headings = sorted(node["heading"].casefold() for node in data["nodes"])
    assert headings == sorted(names[organisation].casefold() for organisation in nodes)
    ringed = sorted(node["heading"].casefold() for node in data["nodes"] if node.get("borderWidth", 1) > 1)
    assert ringed == sorted(names[organisation].casefold() for organisation in home)  # the region's own
    assert len(data["edges"]) == len(expected["pairs"])
    assert not list(tmp_path.iterdir())  # nothing written to disk

"""The notebooks run from top to bottom, and are committed without outputs."""

import re
from collections import Counter
from itertools import combinations, pairwise

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow
NOTEBOOK = ROOT / "notebooks" / "01-quickstart.ipynb"
REGIONS_NOTEBOOK = ROOT / "notebooks" / "02-which-regions-collaborate-most.ipynb"
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

"""Networks built from the store, checked against independent computations from the source tables.

The fixture (tests/fixtures/network) is a CORDIS-shaped table of 12 Horizon Europe projects (programme
parts, roles, an organisation twice in one project, one without a NUTS region, one outside Europe) and
a Swedish Interreg table of 6 projects with start years and lead partners. pandas reads the same files
and computes what each network must hold; NetworkX's bipartite projections check the organisation
network.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import networkx as nx
import pandas
import pytest

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.importers import IMPORTERS
from coopgraph.importers.pipeline import run
from coopgraph.network import (
    PAIR_COLUMNS,
    Filters,
    NetworkError,
    analyse,
    bipartite_graph,
    country_graph,
    neighbourhood_graph,
    network,
    organisation_graph,
    participations,
    partner_graph,
    project_graph,
    region_graph,
    region_profile,
    top_pairs,
)

NETWORK = FIXTURES / "network"
PIC_IRI = "https://w3id.org/coopgraph/id/organisation/pic/"
# The NUTS 2021 codes of the Swedish counties the Interreg fixture names (from Eurostat's NUTS table).
COUNTIES = {"Västerbottens län": "SE331", "Norrbottens län": "SE332", "Jämtlands län": "SE322",
            "Värmlands län": "SE311", "Skåne län": "SE224", "Stockholms län": "SE110", "Gotlands län": "SE214"}
# CORDIS and ISO differ for two countries
ISO = {"EL": "GR", "UK": "GB"}


@pytest.fixture(scope="module")
def network_kg(tmp_path_factory):
    """The two fixture tables imported into a store of their own, without the seed."""
    kg = coopgraph.open(":memory:")
    reports = tmp_path_factory.mktemp("reports")
    jobs = IMPORTERS["cordis"].jobs([NETWORK / "organization.csv"], legal_basis=NETWORK / "legalBasis.csv")
    jobs += IMPORTERS["interreg-se"].jobs([NETWORK / "partners.csv"])
    run(kg, jobs, report_dir=reports)
    kg.remove("seed")
    yield kg
    kg.close()


@pytest.fixture(scope="module")
def table() -> pandas.DataFrame:
    """One row per participation in both fixtures: project, label, organisation, NUTS 3, country, role, programme..."""
    cordis = pandas.read_csv(NETWORK / "organization.csv", sep=";", dtype=str, keep_default_na=False)
    basis = pandas.read_csv(NETWORK / "legalBasis.csv", sep=";", dtype=str, keep_default_na=False)
    basis = basis[basis.uniqueProgrammePart == "true"].set_index("projectID").legalBasis
    interreg = pandas.read_csv(NETWORK / "partners.csv", dtype=str, keep_default_na=False)
    return pandas.concat([
        pandas.DataFrame({"project": "cordis:" + cordis.projectID, "label": cordis.projectAcronym,
                          "organisation": cordis.organisationID, "name": cordis.name,
                          "nuts": cordis.nutsCode, "country": cordis.country.replace(ISO), "role": cordis.role,
                          "programme": cordis.projectID.map(basis), "year": None, "source": "cordis"}),
        pandas.DataFrame({"project": "interreg:" + interreg.id, "label": interreg.projektnamn,
                          "organisation": interreg.organisationsnamn, "name": interreg.organisationsnamn,
                          "nuts": interreg.nuts3.map(COUNTIES), "country": "SE",
                          "role": interreg.organisationsroll.map({"LP": "lead", "PP": "partner", "AP": "associated"}),
                          "programme": interreg.program, "year": interreg.startdatum.str[:4].astype(int),
                          "source": "interreg"}),
    ], ignore_index=True)


def expected_weights(members: dict[str, set]) -> dict[tuple, dict]:
    """Full and fractional counts, association strength and Jaccard, computed the plain way."""
    projects, fractional, of_node = Counter(), Counter(), defaultdict(set)
    for project, nodes in members.items():
        for node in nodes:
            of_node[node].add(project)
        for a, b in itertools.combinations(sorted(nodes), 2):
            projects[(a, b)] += 1
            fractional[(a, b)] += 1 / (len(nodes) - 1)
    strength, total = Counter(), sum(projects.values())
    for (a, b), count in projects.items():
        strength[a] += count
        strength[b] += count
    return {pair: {"projects": count, "fractional": fractional[pair],
                   "association": count / (strength[pair[0]] * strength[pair[1]] / (2 * total)),
                   "jaccard": count / len(of_node[pair[0]] | of_node[pair[1]])}
            for pair, count in projects.items()}


def region_members(table: pandas.DataFrame, level: int) -> dict[str, set]:
    codes = table.nuts.where(table.nuts.str.len() >= 2 + level).str[:2 + level]
    if level == 0:  # an organisation without a region lies in its country
        codes = codes.fillna(table.country.map({"SE": "SE", "NO": "NO", "FI": "FI"}))
    located = table.assign(code=codes).dropna(subset=["code"])
    return {project: set(group) for project, group in located.groupby("project").code}


def weights_by_code(graph: nx.Graph) -> dict[tuple, dict]:
    return {tuple(sorted((graph.nodes[a]["code"], graph.nodes[b]["code"]))): values
            for a, b, values in graph.edges(data=True)}


def assert_same_weights(ours: dict, expected: dict) -> None:
    assert ours.keys() == expected.keys()
    for pair, values in expected.items():
        assert ours[pair]["projects"] == values["projects"], pair
        for weight in ("fractional", "association", "jaccard"):
            assert ours[pair][weight] == pytest.approx(values[weight]), (pair, weight)


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_region_weights_equal_an_independent_computation(network_kg, table, level):
    graph = region_graph(network_kg, level)
    expected = expected_weights(region_members(table, level))
    assert len(expected) >= 3
    assert_same_weights(weights_by_code(graph), expected)
    unplaced = table.nuts.where(table.nuts.str.len() >= 2 + level).isna()
    if level == 0:
        unplaced &= ~table.country.isin(["SE", "NO", "FI"])
    assert graph.graph["unplaced"] == unplaced.sum()


def test_region_nodes_carry_names_countries_and_counts(network_kg, table):
    graph = region_graph(network_kg, 2)
    node = graph.nodes["http://data.europa.eu/nuts/code/SE33"]
    in_se33 = table[table.nuts.str.startswith("SE33")]
    assert (node["label"], node["code"], node["country"], node["level"]) == ("Övre Norrland", "SE33", "SE", 2)
    assert node["projects"] == in_se33.project.nunique()
    assert node["organisations"] == in_se33.organisation.nunique()
    assert graph.nodes["http://data.europa.eu/nuts/code/EL30"]["country"] == "GR"


def test_country_weights_equal_an_independent_computation(network_kg, table):
    graph = country_graph(network_kg)
    members = {project: set(group) for project, group in table.groupby("project").country}
    assert_same_weights(weights_by_code(graph), expected_weights(members))
    assert graph.nodes["http://publications.europa.eu/resource/authority/country/USA"]["label"] == "United States"


def test_organisation_graph_equals_networkx_bipartite_projections(network_kg, table):
    cordis = table[table.source == "cordis"]
    ours = organisation_graph(network_kg, Filters(source="cordis/organization.csv"))
    bipartite = nx.Graph()
    bipartite.add_edges_from(zip(cordis.project, PIC_IRI + cordis.organisation, strict=True))
    organisations = set(PIC_IRI + cordis.organisation)
    full = nx.bipartite.weighted_projected_graph(bipartite, organisations)
    newman = nx.bipartite.collaboration_weighted_projected_graph(bipartite, organisations)
    assert set(ours.nodes) == organisations
    assert {frozenset(edge) for edge in ours.edges} == {frozenset(edge) for edge in full.edges}
    for a, b, values in ours.edges(data=True):
        assert values["projects"] == full.edges[a, b]["weight"]
        assert values["fractional"] == pytest.approx(newman.edges[a, b]["weight"])
    kth = ours.nodes[PIC_IRI + "900000003"]  # twice in DELTA: one project, counted once
    assert (kth["label"], kth["code"], kth["country"], kth["region"], kth["type"], kth["projects"]) == (
        "KUNGLIGA TEKNISKA HOEGSKOLAN", "900000003", "SE", "SE110", "university", 3)


def test_bipartite_graph_holds_every_participation_with_its_role(network_kg, table):
    graph = bipartite_graph(network_kg, Filters(source="cordis/organization.csv"))
    cordis = table[table.source == "cordis"]
    projects = {node for node, side in graph.nodes(data="bipartite") if side == 0}
    assert len(projects) == cordis.project.nunique()
    assert graph.number_of_edges() == len(cordis.drop_duplicates(["project", "organisation"]))
    delta = next(node for node in projects if graph.nodes[node]["label"] == "DELTA")
    assert graph.edges[delta, PIC_IRI + "900000003"]["role"] == "associated-partner, participant"
    assert graph.nodes[delta]["programme"] == "Food, Bioeconomy, Natural Resources, Agriculture and Environment"


def project_labels(graph: nx.Graph) -> set[str]:
    return {values["label"] for _, values in graph.nodes(data=True) if values["bipartite"] == 0}


@pytest.mark.parametrize("programme", ["HORIZON.2", "horizon.2", "Horizon"])
def test_programme_filter_takes_the_programme_parts(network_kg, table, programme):
    graph = bipartite_graph(network_kg, Filters(programme=programme))
    prefix = programme.upper() + "."
    expected = set(table[table.programme.str.upper().str.startswith(prefix)].label)
    assert expected and project_labels(graph) == expected


def test_programme_filter_by_name_and_of_interreg(network_kg):
    by_name = bipartite_graph(network_kg, Filters(programme="climate, energy and mobility"))
    assert project_labels(by_name) == {"ARCTICNET", "FROSTBITE", "BIGCONSORT"}
    assert project_labels(bipartite_graph(network_kg, Filters(programme="AURORA"))) == {"Arctic Roads", "Sami Health"}


def test_period_filter_keeps_projects_that_started_within_it(network_kg, table):
    graph = region_graph(network_kg, 3, Filters(first_year=2019, last_year=2023))
    within = table[(table.year >= 2019) & (table.year <= 2023)]
    assert_same_weights(weights_by_code(graph), expected_weights(region_members(within, 3)))
    assert project_labels(bipartite_graph(network_kg, Filters(last_year=2016))) == {"Arctic Roads", "Rural Web"}


def test_role_filter(network_kg, table):
    leads = organisation_graph(network_kg, Filters(roles=("lead",)))
    lead_rows = table[table.role.isin(["lead", "coordinator"])]
    assert leads.number_of_nodes() == lead_rows.organisation.nunique()
    assert leads.number_of_edges() == 0  # one lead per project: leads never share one
    participants = region_graph(network_kg, 2, Filters(roles=("participant", "third-party")))
    rows = table[table.role.isin(["participant", "thirdParty"])]
    assert_same_weights(weights_by_code(participants), expected_weights(region_members(rows, 2)))


def test_source_filter(network_kg, table):
    graph = region_graph(network_kg, 3, Filters(source="interreg-se/partners.csv"))
    assert_same_weights(weights_by_code(graph), expected_weights(region_members(table[table.source == "interreg"], 3)))


def test_pruning_keeps_the_strongest_links_with_their_weights(network_kg):
    whole = region_graph(network_kg, 2)
    top = region_graph(network_kg, 2, Filters(top=3, weight="fractional"))
    strongest = sorted(whole.edges(data="fractional"), key=lambda edge: -edge[2])[:3]
    assert top.number_of_edges() == 3
    assert {value for _, _, value in top.edges(data="fractional")} == {value for _, _, value in strongest}
    for a, b, values in top.edges(data=True):
        assert values == whole.edges[a, b]  # pruning never changes a weight
    assert set(top) == {node for edge in top.edges for node in edge}
    at_least_two = region_graph(network_kg, 2, Filters(min_projects=2))
    assert {edge for edge, values in weights_by_code(at_least_two).items()} == {
        edge for edge, values in weights_by_code(whole).items() if values["projects"] >= 2}
    heavy = region_graph(network_kg, 2, Filters(min_weight=1.5, weight="association"))
    assert all(value >= 1.5 for _, _, value in heavy.edges(data="association")) and heavy.number_of_edges()


def test_participations_read_once_serve_several_networks(network_kg):
    data = participations(network_kg, Filters(programme="HORIZON"))
    assert weights_by_code(region_graph(network_kg, 2, data=data)) == weights_by_code(
        region_graph(network_kg, 2, Filters(programme="HORIZON")))
    strongest = region_graph(network_kg, 2, Filters(top=2, weight="jaccard"), data=data)  # link filters apply
    assert strongest.number_of_edges() == 2
    assert organisation_graph(network_kg, data=data).nodes[PIC_IRI + "900000003"]["label"]  # names read then
    with pytest.raises(NetworkError, match="read with other filters"):
        region_graph(network_kg, 2, Filters(programme="AURORA"), data=data)


@pytest.mark.parametrize("filters, message", [
    (dict(programme="NOPE"), "no programme is named 'NOPE'"),
    (dict(roles=("boss",)), "unknown role 'boss'"),
    (dict(source="nothing.csv"), "no source named 'nothing.csv'"),
    (dict(first_year=2020, last_year=2010), "the period 2020-2010 is empty"),
    (dict(weight="heaviness"), "unknown weight 'heaviness'"),
    (dict(top=0), "top must be at least 1"),
])
def test_bad_filters_are_refused_with_a_reason(network_kg, filters, message):
    with pytest.raises(NetworkError, match=message):
        region_graph(network_kg, 2, Filters(**filters))


def test_level_must_be_a_nuts_level(network_kg):
    with pytest.raises(NetworkError, match="0, 1, 2 or 3"):
        region_graph(network_kg, 4)


def test_matched_organisations_count_as_one(fresh_kg):
    """An organisation ``owl:sameAs`` another (as ``coopgraph match`` links them) is one node: the other."""
    before = bipartite_graph(fresh_kg)
    organisations = sorted(node for node, side in before.nodes(data="bipartite") if side == 1)
    some, other = organisations[0], organisations[-1]
    assert not set(before[some]) & set(before[other])
    link = f"<{other}> <http://www.w3.org/2002/07/owl#sameAs> <{some}> .\n".encode()
    fresh_kg.store.publish({"matches": (link, "application/n-triples")})
    after = organisation_graph(fresh_kg)
    assert other not in after
    assert after.nodes[some]["projects"] == len(before[some]) + len(before[other])
    assert after.number_of_nodes() == len(organisations) - 1


def test_top_pairs_are_sorted_by_the_chosen_weight(network_kg, table):
    rows = top_pairs(network_kg, level=2, weight="association", n=5)
    expected = expected_weights(region_members(table, 2))
    ranked = sorted(expected.items(), key=lambda item: (-item[1]["association"], -item[1]["projects"], item[0]))[:5]
    assert [(row["region_a"], row["region_b"]) for row in rows] == [pair for pair, _ in ranked]
    assert all(row["region_a"] < row["region_b"] for row in rows)
    assert rows[0]["name_a"] and rows[0]["country_a"]


def test_region_profile(network_kg, table):
    profile = region_profile(network_kg, "se332", level=2)  # a NUTS 3 code stands for its NUTS 2 region
    region = profile["region"]
    in_se33 = table[table.nuts.str.startswith("SE33")]
    assert (region["code"], region["projects"]) == ("SE33", in_se33.project.nunique())
    assert {row["name"] for row in profile["organisations"]} == set(in_se33.name)
    partners = [(row["region_a"], row["region_b"]) for row in profile["partners"]]
    expected = {pair: values for pair, values in expected_weights(region_members(table, 2)).items() if "SE33" in pair}
    assert len(expected) < 20 and set(partners) == set(expected)
    assert [expected[pair]["fractional"] for pair in partners] == sorted(
        (values["fractional"] for values in expected.values()), reverse=True)
    assert 1 <= region["betweenness_rank"] <= profile["network"]["nodes"]
    assert profile["community"][0]["code"]
    with pytest.raises(NetworkError, match="not a NUTS 2021 region"):
        region_profile(network_kg, "XX99")


def test_partner_graph_of_a_region(network_kg, table):
    graph = partner_graph(network_kg, "se33")
    home = set(table[table.nuts.str.startswith("SE33")].organisation)
    projects = set(table[table.organisation.isin(home)].project)
    partners = set(table[table.project.isin(projects)].organisation)
    ids = {node: values["code"] if node.startswith(PIC_IRI) else values["label"]  # as the tables name them
           for node, values in graph.nodes(data=True)}
    assert set(ids.values()) == partners
    assert {ids[node] for node, is_home in graph.nodes(data="home") if is_home} == home
    whole = organisation_graph(network_kg)
    assert all(values == whole.edges[a, b] for a, b, values in graph.edges(data=True))
    with pytest.raises(NetworkError, match="not a NUTS 2021 region"):
        partner_graph(network_kg, "XX9")


def test_analysis_reads_weights_as_closeness():
    """A strong detour beats a weak direct link: betweenness runs on distances 1/weight."""
    graph = nx.Graph()
    graph.add_edge("a", "b", fractional=5.0)
    graph.add_edge("b", "c", fractional=5.0)
    graph.add_edge("a", "c", fractional=1.0)
    graph.add_edge("c", "d", fractional=1.0)
    for node, country in zip("abcd", ["SE", "SE", "FI", "NO"], strict=True):
        graph.nodes[node]["country"] = country
    summary = analyse(graph, "fractional")
    # lengths a-b 0.2, b-c 0.2, a-c 1, c-d 1: a-c and a-d go through b (with the weight read as a length
    # a-c would be direct and b would broker nothing); a-d and b-d go through c; each is 2 of 3 pairs
    assert graph.nodes["b"]["betweenness"] == pytest.approx(2 / 3)
    assert graph.nodes["c"]["betweenness"] == pytest.approx(2 / 3)
    assert graph.nodes["a"]["betweenness"] == 0
    assert graph.nodes["c"]["articulation_point"] and not graph.nodes["b"]["articulation_point"]
    assert graph.nodes["c"]["cross_border_share"] == 1.0
    assert graph.nodes["a"]["cross_border_share"] == pytest.approx(1 / 6)
    assert summary["cross_border_share"] == pytest.approx((5 + 1 + 1) / 12)
    assert (summary["nodes"], summary["edges"], summary["components"], summary["largest_component"]) == (4, 4, 1, 4)
    communities = [{node for node in graph if graph.nodes[node]["community"] == number}
                   for number in range(summary["communities"])]
    assert summary["modularity"] == pytest.approx(nx.community.modularity(graph, communities, weight="fractional"))
    assert summary["density"] == pytest.approx(4 / 6)


# -- the commands -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def network_store(tmp_path_factory) -> Path:
    """The fixture tables imported into a store on disk by the import command, without the seed."""
    store = tmp_path_factory.mktemp("network") / "store"
    reports = str(store.parent / "reports")
    run_cli("import", "cordis", str(NETWORK / "organization.csv"), "--legal-basis", str(NETWORK / "legalBasis.csv"),
            "--report-dir", reports, store=store, check=True)
    run_cli("import", "interreg-se", str(NETWORK / "partners.csv"), "--report-dir", reports, store=store, check=True)
    run_cli("remove", "seed", store=store, check=True)
    return store


def test_regions_top_prints_the_ranking_in_every_format(network_store, network_kg):
    expected = top_pairs(network_kg, level=3, weight="jaccard", n=4)
    as_csv = run_cli("regions", "top", "--level", "3", "--weight", "jaccard", "-n", "4", "-f", "csv",
                     store=network_store, check=True)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert list(rows[0]) == list(PAIR_COLUMNS)
    assert [(row["region_a"], row["region_b"], float(row["jaccard"])) for row in rows] == [
        (row["region_a"], row["region_b"], pytest.approx(row["jaccard"])) for row in expected]
    as_json = run_cli("regions", "top", "--level", "3", "--weight", "jaccard", "-n", "4", "-f", "json",
                      store=network_store, check=True)
    assert json.loads(as_json.stdout) == expected
    table = run_cli("regions", "top", "--level", "3", "--weight", "jaccard", "-n", "4", store=network_store, check=True)
    assert expected[0]["name_a"] in table.stdout and "4 rows" in table.stdout
    assert "--min-projects" in table.stderr  # the hint that jaccard favours small regions


def test_regions_top_filters(network_store, network_kg):
    filters = Filters(programme="AURORA", first_year=2016, last_year=2019, roles=("lead-partner", "partner"))
    result = run_cli("regions", "top", "--level", "3", "--programme", "aurora", "--from", "2016", "--to", "2019",
                     "--role", "lead-partner", "--role", "partner", "-f", "json", store=network_store, check=True)
    assert json.loads(result.stdout) == top_pairs(network_kg, 3, n=20, filters=filters)
    assert json.loads(result.stdout)  # the filters leave some pairs


def test_regions_profile(network_store):
    result = run_cli("regions", "profile", "SE33", "-f", "json", store=network_store, check=True)
    profile = json.loads(result.stdout)
    assert profile["region"]["label"] == "Övre Norrland" and profile["partners"]
    table = run_cli("regions", "profile", "SE33", store=network_store, check=True)
    assert "Övre Norrland" in table.stdout and "UMEA UNIVERSITET" in table.stdout and "betweenness" in table.stdout


@pytest.mark.parametrize("of, level", [("regions", 2), ("countries", 0), ("organisations", 0)])
def test_graphml_export_reads_back_with_the_same_weights(network_store, network_kg, tmp_path, of, level):
    path = tmp_path / "network.graphml"
    result = run_cli("network", "--of", of, "--level", str(level), "--out", str(path), store=network_store, check=True)
    ours = network(network_kg, of, level)
    back = nx.read_graphml(path)
    assert f"{ours.number_of_nodes():,} nodes" in result.stderr
    assert set(back.nodes) == set(ours.nodes) and back.number_of_edges() == ours.number_of_edges()
    for a, b, values in ours.edges(data=True):
        assert back.edges[a, b] == pytest.approx(values)
    node = next(iter(ours))
    assert {key: back.nodes[node][key] for key in ("label", "code")} == {
        key: ours.nodes[node][key] for key in ("label", "code")}


def test_gexf_csv_and_json_exports(network_store, network_kg, tmp_path):
    ours = region_graph(network_kg, 2)
    for suffix in ("gexf", "csv", "json"):
        run_cli("network", "--of", "regions", "--out", str(tmp_path / f"regions.{suffix}"), store=network_store,
                check=True)
    gexf = (tmp_path / "regions.gexf").read_text(encoding="utf-8")
    assert gexf.count("<viz:size") == ours.number_of_nodes() and gexf.count("<viz:color") == ours.number_of_nodes()
    assert nx.read_gexf(tmp_path / "regions.gexf").number_of_edges() == ours.number_of_edges()
    with open(tmp_path / "regions.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == ours.number_of_edges()
    assert {(row["source"], row["target"]): float(row["fractional"]) for row in rows} == {
        tuple(sorted((a, b))): pytest.approx(value) for a, b, value in ours.edges(data="fractional")}
    back = nx.node_link_graph(json.loads((tmp_path / "regions.json").read_text(encoding="utf-8")), edges="edges")
    assert nx.utils.graphs_equal(back, ours)


def test_network_pruning_and_measures(network_store, tmp_path):
    path = tmp_path / "top.graphml"
    run_cli("network", "--of", "regions", "--level", "3", "--top", "2", "--weight", "association", "--measures",
            "--out", str(path), store=network_store, check=True)
    graph = nx.read_graphml(path)
    assert graph.number_of_edges() == 2
    assert all("betweenness" in values and "community" in values for _, values in graph.nodes(data=True))
    assert graph.graph["filter_top"] == 2 and graph.graph["weight"] == "association"


@pytest.mark.parametrize("args, message", [
    (["regions", "top", "--role", "boss"], "error: unknown role 'boss'"),
    (["regions", "top", "--programme", "NOPE"], "error: no programme is named 'NOPE'"),
    (["regions", "top", "--source", "x.csv"], "error: no source named 'x.csv'"),
    (["regions", "profile", "XX99"], "error: XX99 is not a NUTS 2021 region"),
    (["regions", "profile", "SE33", "--level", "3"], "error: SE33 is a NUTS 2 region"),
    (["regions", "profile", "PT1"], "error: no organisation in PT1"),
    (["network", "--out", "network.txt"], "error: cannot tell the format from 'network.txt'"),
])
def test_network_commands_fail_with_one_line(network_store, tmp_path, args, message):
    result = run_cli(*args, store=network_store)
    assert result.returncode == 1
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1, result.stderr


def test_drawings_are_the_same_whatever_the_hash_seed():
    """Subgraphs keep the network's node order, so a seeded layout gives the same picture in every run."""
    code = ("import coopgraph\nfrom coopgraph.network import partner_graph, region_graph, Filters\n"
            "from coopgraph.network.html import view\nkg = coopgraph.open(':memory:')\n"
            "for graph in (partner_graph(kg, 'SE33'), region_graph(kg, 3, Filters(top=3))):\n"
            "    print([(node['heading'], node['x'], node['y']) for node in view(graph)['data']['nodes']])\n")
    runs = {subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
                           capture_output=True, text=True, check=True).stdout for seed in ("1", "2", "3")}
    assert len(runs) == 1 and "Region Västerbotten" in runs.pop()


def test_a_project_drawing_links_each_partner_to_its_lead_by_the_projects_they_share(network_kg, table):
    cordis = table[table.source == "cordis"]
    project = cordis.project.value_counts().index[0]  # the biggest CORDIS project of the fixture
    members = cordis[cordis.project == project]
    lead = members[members.role == "coordinator"].organisation.iloc[0]
    projects_of = cordis.groupby("organisation").project.agg(set)
    data = participations(network_kg, named=True)
    iri = f"https://w3id.org/coopgraph/id/project/cordis/{project.split(':')[1]}"
    pic = "https://w3id.org/coopgraph/id/organisation/pic/"
    graph = project_graph(data, iri, pic + lead)
    assert set(graph) == {pic + organisation for organisation in members.organisation}
    assert {graph.nodes[a]["code"] if b == pic + lead else graph.nodes[b]["code"]: values["projects"]
            for a, b, values in graph.edges(data=True)} == {
        other: len(projects_of[lead] & projects_of[other]) for other in set(members.organisation) - {lead}}


def test_a_neighbourhood_is_an_organisation_and_its_strongest_partners(network_kg, table):
    cordis = table[table.source == "cordis"]
    organisation = cordis.organisation.value_counts().index[0]
    own = set(cordis[cordis.organisation == organisation].project)
    partners = Counter(cordis[cordis.project.isin(own) & (cordis.organisation != organisation)].organisation)
    pic = "https://w3id.org/coopgraph/id/organisation/pic/"
    graph = neighbourhood_graph(participations(network_kg, named=True), pic + organisation, size=4)
    strongest = sorted(partners.values(), reverse=True)[:3]
    assert len(graph) == 4 and pic + organisation in graph
    assert sorted((partners[graph.nodes[node]["code"]] for node in graph if node != pic + organisation),
                  reverse=True) == strongest
    for a, b, values in graph.edges(data=True):  # only the organisation's own projects count
        shared = own & set(cordis[cordis.organisation == graph.nodes[a]["code"]].project) & set(
            cordis[cordis.organisation == graph.nodes[b]["code"]].project)
        assert values["projects"] == len(shared)

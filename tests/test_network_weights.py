"""The four collaboration weights, against NetworkX's bipartite projections and a computation by hand."""

import random

import networkx as nx
import pytest
from networkx.algorithms import bipartite

from coopgraph.network import WEIGHTS, collaboration_graph


def test_a_small_network_computed_by_hand():
    # p1: A B; p2: A B C; p3: C alone.  Shared: AB {p1, p2}, AC {p2}, BC {p2}.
    graph = collaboration_graph({"p1": ["A", "B", "A"], "p2": ["A", "B", "C"], "p3": ["C"]})
    # strengths s: A = 2 + 1 = 3, B = 3, C = 2; m = 2 + 1 + 1 = 4, so 2m = 8
    expected = {("A", "B"): (2, 1 + 1 / 2, 2 / (3 * 3 / 8), 2 / 2),
                ("A", "C"): (1, 1 / 2, 1 / (3 * 2 / 8), 1 / 3),
                ("B", "C"): (1, 1 / 2, 1 / (3 * 2 / 8), 1 / 3)}
    assert {tuple(sorted(edge)) for edge in graph.edges} == set(expected)
    for (a, b), values in expected.items():
        assert tuple(graph.edges[a, b][w] for w in WEIGHTS) == pytest.approx(values)
    assert dict(graph.nodes(data="projects")) == {"A": 2, "B": 2, "C": 2}
    assert dict(graph.nodes(data="strength")) == {"A": 3, "B": 3, "C": 2}


@pytest.fixture(scope="module")
def random_projects():
    rng = random.Random(7)
    organisations = [f"org{i}" for i in range(120)]
    # consortia of 1 to 40 partners, so that big projects are there to be weighed down
    return {f"project{p}": rng.sample(organisations, rng.choice([1, 2, 2, 3, 5, 8, 13, 40]))
            for p in range(300)}


@pytest.fixture(scope="module")
def bipartite_graph(random_projects):
    graph = nx.Graph()
    graph.add_nodes_from(random_projects, bipartite=0)
    graph.add_edges_from((project, member) for project, members in random_projects.items() for member in members)
    return graph


def _weights(graph, attribute="weight"):
    return {frozenset(edge): data[attribute] for *edge, data in graph.edges(data=True)}


def test_full_fractional_and_jaccard_equal_networkx(random_projects, bipartite_graph):
    ours = collaboration_graph(random_projects)
    organisations = {m for members in random_projects.values() for m in members}
    references = {
        "projects": bipartite.weighted_projected_graph(bipartite_graph, organisations),
        "fractional": bipartite.collaboration_weighted_projected_graph(bipartite_graph, organisations),
        "jaccard": bipartite.overlap_weighted_projected_graph(bipartite_graph, organisations, jaccard=True),
    }
    for weight, reference in references.items():
        expected = {pair: value for pair, value in _weights(reference).items() if value}
        assert _weights(ours, weight) == pytest.approx(expected), weight


def test_association_strength_is_observed_over_expected(random_projects):
    graph = collaboration_graph(random_projects)
    strength = dict(graph.degree(weight="projects"))  # s_i, computed by NetworkX
    total = graph.size(weight="projects")              # m
    for a, b, data in graph.edges(data=True):
        assert data["association"] == pytest.approx(data["projects"] / (strength[a] * strength[b] / (2 * total)))


def test_fractional_counting_gives_each_project_the_same_total(random_projects):
    # a project of k nodes adds 1/(k-1) to each of its k(k-1)/2 pairs: k/2 in all, however big
    graph = collaboration_graph(random_projects)
    expected = sum(len(set(m)) / 2 for m in random_projects.values() if len(set(m)) > 1)
    assert graph.size(weight="fractional") == pytest.approx(expected)
    assert graph.size(weight="projects") > 5 * graph.size(weight="fractional")  # big consortia weigh less

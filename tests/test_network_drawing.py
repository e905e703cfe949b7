"""Drawings that can be read: no two circles overlap in any layout, the same picture every time, the centre in the
middle and marked, one colour per frequent country and grey beyond, a compact legend, a find box, hostile names
kept as text (coopgraph.network.layout and .html).

The networks are generated: a force-layout network of 10, 200 or 600 organisations, and a project of 200 partners
from 30 countries around its coordinator, the partners also linked among themselves, mostly within their country.
Layout times are printed (``-s``), not asserted. The browser tests use Debian's chromium (the ``browser`` fixture of
conftest) and leave screenshots in /tmp.
"""

from __future__ import annotations

import doctest
import random
import re
import time
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from coopgraph.network import layout as layouts
from coopgraph.network.html import OTHER, PALETTE, document, embed, view
from coopgraph.network.layout import LAYOUTS, draw, label_boxes, label_scales, label_size, overlaps, radii, text_width
from coopgraph.network.weights import WEIGHTS

PAYLOAD = "<img src=x onerror=alert(1)>"
SCREENSHOTS = Path("/tmp")
COUNTRIES = ("DE", "FR", "IT", "ES", "NL", "BE", "SE", "AT", "PL", "PT", "FI", "DK", "CZ", "GR", "IE", "HU", "RO",
             "SI", "SK", "BG", "HR", "LT", "LV", "EE", "LU", "CY", "MT", "NO", "CH", "UK")
WORDS = ("Institut", "Universität", "Consiglio Nazionale", "Centre national", "Fundación", "Technical University",
         "Instytut", "Agencia", "Forschungszentrum", "Università degli Studi", "Laboratoire", "Hogeschool",
         "Ελληνικό Κέντρο", "Rīgas Tehniskā")
PLACES = ("Umeå", "München", "Kraków", "Sevilla", "Łódź", "Göteborg", "Porto", "Liège", "Brno", "Iași", "Tartu",
          "Delft", "Aarhus", "Graz", "Köln", "Zürich", "Padova", "Cork", "Ljubljana", "Oulu")


def _weights(rng: random.Random) -> dict:
    projects = rng.choice((1, 1, 1, 2, 2, 3, 5, 8, 13))
    return {"projects": projects, "fractional": projects / rng.randint(1, 12), "association": rng.uniform(0.2, 4),
            "jaccard": rng.uniform(0.01, 1)}


def _name(rng: random.Random, index: int) -> str:
    return f"{rng.choice(WORDS)} {rng.choice(PLACES)} {index}"


def generated(count: int, seed: int = 1, links: int = 3) -> nx.Graph:
    """An organisation network of ``count`` nodes: preferential attachment, 30 countries of Zipf-like sizes."""
    rng = random.Random(seed)
    shape = nx.barabasi_albert_graph(count, min(links, count - 1), seed=seed)
    graph = nx.Graph(kind="organisations")
    weights = [1 / (rank + 1) for rank in range(len(COUNTRIES))]
    for node in shape:
        graph.add_node(f"https://example.org/organisation/{node}", label=_name(rng, node), code=str(node),
                       country=rng.choices(COUNTRIES, weights)[0])
    graph.add_edges_from((f"https://example.org/organisation/{a}", f"https://example.org/organisation/{b}",
                          _weights(rng)) for a, b in shape.edges)
    return graph


def star(partners: int = 200, countries: int = 30, seed: int = 2) -> nx.Graph:
    """A project of ``partners`` (the coordinator first) from ``countries``, the partners linked to the coordinator,
    and among themselves: within their country often, across borders now and then."""
    rng = random.Random(seed)
    graph = nx.Graph(kind="organisations")
    names = [f"https://example.org/partner/{index}" for index in range(partners)]
    sizes = [1 / (rank + 1) ** 0.9 for rank in range(countries)]
    for index, node in enumerate(names):
        country = COUNTRIES[0] if index == 0 else rng.choices(COUNTRIES[:countries], sizes)[0]
        graph.add_node(node, label="EUROfusion coordinator" if index == 0 else _name(rng, index), country=country)
    for node in names[1:]:
        graph.add_edge(names[0], node, **_weights(rng))
    for a in names[1:]:
        for b in rng.sample(names[1:], 4):
            if a != b and (graph.nodes[a]["country"] == graph.nodes[b]["country"] or rng.random() < 0.3):
                graph.add_edge(a, b, **_weights(rng))
    return graph


def no_overlaps(network: dict, gap: float = 2.0) -> list[tuple[str, str]]:
    """The pairs of circles of a view's ``network`` closer than ``gap``, from its JSON alone."""
    nodes = network["nodes"]
    xy = np.array([(node["x"], node["y"]) for node in nodes])
    radius = np.array([node["size"] for node in nodes])
    return [(nodes[a]["id"], nodes[b]["id"]) for a, b in overlaps(xy, radius, gap)]


GRAPHS = {"10": lambda: generated(10), "200": lambda: generated(200), "600": lambda: generated(600, links=4),
          "star": star}


@pytest.fixture(scope="module", params=list(GRAPHS))
def graph(request) -> nx.Graph:
    return GRAPHS[request.param]()


@pytest.mark.parametrize("layout", LAYOUTS)
def test_no_two_circles_overlap(graph, layout):
    started = time.perf_counter()
    shown = view(graph, layout=layout)
    print(f"\n{graph.number_of_nodes()} nodes, {layout}: view {time.perf_counter() - started:.3f} s")
    network = shown["network"]
    assert network["nodes_shown"] == len(network["nodes"]) == min(300, graph.number_of_nodes())
    assert network["links_shown"] == len(network["links"]) and network["nodes_total"] == graph.number_of_nodes()
    assert not no_overlaps(network)
    assert [node["size"] for node in network["nodes"]] == [node["size"] for node in shown["data"]["nodes"]]
    assert all(node["x"] == drawn["x"] and node["y"] == drawn["y"]
               for node, drawn in zip(network["nodes"], shown["data"]["nodes"], strict=True))
    assert set(network["links"][0]) == {"source", "target", *WEIGHTS}
    assert shown["data"]["options"]["physics"]["enabled"] is False


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_same_drawing_every_time(graph, layout):
    assert view(graph, layout=layout) == view(graph, layout=layout)


def test_the_same_drawing_whatever_order_the_graph_was_built_in():
    graph = generated(200)
    shuffled = nx.Graph(**graph.graph)
    nodes = list(graph.nodes(data=True))
    random.Random(5).shuffle(nodes)
    shuffled.add_nodes_from(nodes)
    edges = list(graph.edges(data=True))
    random.Random(6).shuffle(edges)
    shuffled.add_edges_from((b, a, values) for a, b, values in edges)
    for layout in LAYOUTS:
        assert view(graph, layout=layout)["network"]["nodes"] == view(shuffled, layout=layout)["network"]["nodes"]


@pytest.mark.parametrize("layout", ["ego", "rings"])
def test_the_centre_is_in_the_middle_and_marked(layout):
    graph = star()
    centre = "https://example.org/partner/7"  # not the strongest: the caller says which
    shown = view(graph, layout=layout, centre=centre)
    nodes = shown["network"]["nodes"]
    (middle,) = [node for node in nodes if node["centre"]]
    assert middle["id"] == centre and (middle["x"], middle["y"]) == (0, 0)
    drawn = next(node for node in shown["data"]["nodes"] if node["heading"] == middle["label"])
    assert drawn["borderWidth"] == 4 and drawn["color"]["border"] == "#1f2933"  # its country's colour, a dark ring
    assert drawn["color"]["background"] == middle["colour"] != OTHER
    first = shown["data"]["labels"][0]
    assert first["node"] == drawn["id"] and first["bold"] and first["scale"] == 0  # named at any zoom, larger
    assert first["size"] > max(label["size"] for label in shown["data"]["labels"][1:])
    distance = {node["id"]: np.hypot(node["x"], node["y"]) for node in nodes}
    assert min(distance[node] for node in distance if node != centre) > middle["size"]


def test_ego_puts_the_strongest_partners_on_the_inner_ring(monkeypatch):
    monkeypatch.setattr(layouts, "_STRETCH", 1.0)  # rings stay circles: a ring is a distance from the centre
    graph = generated(200)
    centre = max(graph, key=graph.degree)
    shown = view(graph, layout="ego", centre=centre, max_nodes=40)
    distance = {node["id"]: round(float(np.hypot(node["x"], node["y"]))) for node in shown["network"]["nodes"]}
    tie = {other: graph.edges[centre, other]["fractional"] for other in graph[centre]}
    inner = min(distance[node] for node in distance if node != centre)
    closest = {node for node in distance if distance[node] == inner}
    assert min(tie.get(node, 0) for node in closest) >= max(tie.get(node, 0) for node in distance
                                                            if node not in closest and node != centre)


def test_without_a_centre_the_strongest_is_in_the_middle():
    graph = star()
    (middle,) = [node for node in view(graph, layout="rings")["network"]["nodes"] if node["centre"]]
    assert middle["id"] == "https://example.org/partner/0" and (middle["x"], middle["y"]) == (0, 0)
    assert not any(node["centre"] for node in view(graph)["network"]["nodes"])  # the spring layout has none


def test_a_centre_beyond_the_strongest_is_still_drawn():
    graph = generated(600)
    weakest = min(graph, key=lambda node: (graph.degree(node, weight="fractional"), node))
    nodes = view(graph, layout="ego", centre=weakest)["network"]["nodes"]
    assert len(nodes) == 300 and [node["id"] for node in nodes if node["centre"]] == [weakest]


def test_rings_group_partners_by_country_in_sectors(monkeypatch):
    monkeypatch.setattr(layouts, "_STRETCH", 1.0)  # rings stay circles: angles are as laid out
    shown = view(star(), layout="rings")
    nodes = [node for node in shown["network"]["nodes"] if not node["centre"]]
    counts = Counter(node["country"] for node in nodes)
    ranked = sorted(counts, key=lambda code: (-counts[code], code))
    sector, start = {}, 0.0  # clockwise from the top, as wide as each country's share, the largest first
    for code in ranked:
        sector[code] = (start, start + 2 * np.pi * counts[code] / len(nodes))
        start = sector[code][1]
    slack = np.radians(10)
    inside = [node for node in nodes if any(
        sector[node["country"]][0] - slack <= angle <= sector[node["country"]][1] + slack
        for angle in np.arctan2(node["x"], -node["y"]) % (2 * np.pi) + np.array([0, 2 * np.pi]))]
    assert len(inside) >= 0.8 * len(nodes)  # the inner rings are too short for 30 sectors: a few spill over
    sectors = [label["text"] for label in shown["data"]["labels"] if "x" in label]
    assert sectors == ranked  # each country's name beside its sector


def test_each_frequent_country_has_its_own_colour_and_the_rest_are_grey():
    graph = star()
    shown = view(graph, layout="rings")
    nodes = shown["network"]["nodes"]
    counts = Counter(node["country"] for node in nodes)
    assert len(counts) == 30
    colour = {node["country"]: node["colour"] for node in nodes}
    assert len({node["country"] for node in nodes if node["colour"] == colour[node["country"]]}) == 30  # one each
    ranked = sorted(counts, key=lambda code: (-counts[code], code))
    assert [colour[code] for code in ranked[:len(PALETTE)]] == list(PALETTE)  # the most frequent first
    assert {colour[code] for code in ranked[len(PALETTE):]} == {OTHER}
    assert len(set(PALETTE)) == len(PALETTE) and OTHER not in PALETTE
    legend = shown["legend"]
    assert [entry["country"] for entry in legend] == ranked[:len(PALETTE)]
    assert [entry["nodes"] for entry in legend] == [counts[code] for code in ranked[:len(PALETTE)]]
    assert shown["others"] == {"countries": 30 - len(PALETTE), "nodes": sum(counts[code] for code in
                                                                              ranked[len(PALETTE):])}
    page = embed(shown)
    assert f"other: {30 - len(PALETTE)} countries" in page and page.count("<li>") == len(PALETTE)


def _screen_box(label: dict, nodes: dict, scale: float) -> tuple[float, float, float, float]:
    """Where a label is drawn at ``scale``, in screen pixels: left, top, right, bottom (as network.js draws it)."""
    width, height = label_size(label["text"], label["size"], label["bold"])
    if "node" in label:
        node = nodes[label["node"]]
        ax, ay, bx, by, *_ = label_boxes(node["x"], node["y"], node["size"], width, height)[label["place"]]
    else:
        ax, ay, bx, by = label["x"], label["y"], -width / 2, 0.0
    return scale * ax + bx, scale * ay + by, scale * ax + bx + width, scale * ay + by + height


@pytest.mark.parametrize("layout", LAYOUTS)
def test_labels_are_legible_and_never_overprinted(layout):
    shown = view(star() if layout == "rings" else generated(200), layout=layout)
    labels, nodes = shown["data"]["labels"], {node["id"]: node for node in shown["data"]["nodes"]}
    assert labels[0]["scale"] == 0 and labels[0]["node"] == 0 if layout == "spring" else labels[0]["bold"]
    assert all(label["size"] >= 12 for label in labels)  # screen pixels, whatever the zoom
    for scale in (0.5, 1.0, 2.0, 4.0):  # at each zoom, the labels drawn there keep clear of each other
        boxes = [_screen_box(label, nodes, scale) for label in labels if label["scale"] <= scale]
        assert len(boxes) >= (1 if scale < 1 else 15)
        for index, (left, top, right, bottom) in enumerate(boxes):
            for other in boxes[:index]:
                assert right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top
    assert {label["place"] for label in labels if "node" in label} <= {"below", "above", "right", "left"}


def test_label_scales_part_labels_by_zooming():
    def box(x, y, down=0.0):  # 20 by 10 pixels, centred below (x, y), ``down`` pixels further down
        return (x, y, -10.0, down, 20.0, 10.0)

    # 10 canvas units apart across: clear from scale 2, when they are 20 pixels apart
    assert label_scales([[box(0, 0)], [box(10, 0)]], pad=0) == [(0, 0), (2, 0)]
    # a third clears the first from scale 0.1 (100 units down); the second is not drawn below 2: no clash
    assert label_scales([[box(0, 0)], [box(10, 0)], [box(0, 100)]], pad=0)[2] == (0.1, 0)
    # of two places, the one clear at once
    assert label_scales([[box(0, 0)], [box(10, 0), box(10, 0, 50)]], pad=0)[1] == (0, 1)
    assert text_width("WWW", 10) > text_width("iii", 10) and text_width("Umeå", 10) == text_width("Umea", 10)


def test_native_names_are_facts_not_labels():
    graph = generated(10)
    node = next(iter(graph))
    graph.nodes[node].update(label="Kentriki Makedonia", native="Κεντρική Μακεδονία")
    drawn = next(item for item in view(graph)["data"]["nodes"] if item["heading"] == "Kentriki Makedonia")
    assert ["native name", "Κεντρική Μακεδονία"] in [list(fact) for fact in drawn["facts"]]


def test_radii_grow_with_strength_within_bounds():
    sizes = radii([0, 1, 4, 100])
    assert list(sizes) == sorted(sizes) and sizes[0] >= 3.5 and sizes[-1] <= 36
    assert radii(np.ones(600)).max() < radii(np.ones(40)).max()  # more nodes, smaller circles


def test_the_page_says_how_much_is_hidden():
    graph = generated(600, links=4)
    shown = view(graph, max_links=500)
    text = re.sub(r"\s+", " ", str(embed(shown)))
    assert f"The 300 strongest of 600 organisations (by fractional) and 500 of {graph.number_of_edges():,} links" \
           " are drawn" in text
    small = re.sub(r"\s+", " ", str(embed(view(generated(10)))))
    assert "All 10 organisations and 21 links are drawn" in small


def test_hostile_names_stay_escaped_json():
    graph = star(60, 8)
    for node in list(graph)[:5]:
        graph.nodes[node]["label"] = PAYLOAD
    for layout in LAYOUTS:
        page = str(embed(view(graph, layout=layout)))
        assert PAYLOAD not in page and "<img" not in page and "onerror=alert(1)" in page  # there, as JSON text
    assert PAYLOAD not in document(graph, layout="rings")


def test_unknown_layouts_and_centres_are_refused():
    from coopgraph.network import NetworkError

    with pytest.raises(NetworkError, match="unknown layout 'circle'"):
        view(generated(10), layout="circle")
    with pytest.raises(NetworkError, match="is not a node"):
        view(generated(10), layout="ego", centre="nowhere")


def test_layouts_are_fast():
    """Not asserted: printed, for the README (run with -s)."""
    for count, links in ((300, 7), (600, 4)):
        graph = nx.barabasi_albert_graph(count, links, seed=3)
        strength = sorted((degree for _, degree in graph.degree), reverse=True)
        edges = [(a, b, 1.0) for a, b in graph.edges]
        for layout in LAYOUTS:
            started = time.perf_counter()
            drawing = draw(layout, strength, edges, [COUNTRIES[node % 30] for node in graph])
            elapsed = time.perf_counter() - started
            assert not overlaps(drawing.xy, drawing.radius)
            print(f"\n{count} nodes, {graph.number_of_edges()} links, {layout}: {elapsed:.3f} s")


def test_layout_doctest():
    assert doctest.testmod(layouts).failed == 0


# -- in a browser ----------------------------------------------------------------------------------------


def _opened(browser, path: Path):
    """A page showing the standalone drawing at ``path``, drawn; and the requests and dialogs it made."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, dialogs = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(path.as_uri())
    page.wait_for_selector("html[data-network-drawn]", state="attached", timeout=20_000)
    return page, requests, dialogs


@pytest.mark.browser
def test_the_star_is_drawn_and_found_in(browser, tmp_path):
    graph = star()
    graph.nodes["https://example.org/partner/3"]["label"] = PAYLOAD
    path = tmp_path / "star.html"
    path.write_text(document(graph, layout="rings"), encoding="utf-8")
    page, requests, dialogs = _opened(browser, path)
    find = page.locator("#network-find")
    find.fill("UMEA")  # Umeå, whatever the case and accents
    expected = sum(1 for _, label in graph.nodes(data="label") if "Umeå" in label)
    assert expected > 1 and page.locator("#network-found").inner_text() == f"{expected} found"
    assert sorted(page.evaluate("window.coopgraphNetwork.getSelectedNodes()")) == sorted(
        index for index, node in enumerate(view(graph, layout="rings")["data"]["nodes"]) if "Umeå" in node["heading"])
    page.wait_for_timeout(500)  # the zoom onto them
    page.screenshot(path=str(SCREENSHOTS / "drawing-star-found.png"))
    find.fill("nowhere at all")
    assert page.locator("#network-found").inner_text() == "none found"
    find.fill("")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / "drawing-star.png"))
    assert page.locator("img[src=x]").count() == 0 and not dialogs
    assert all(url.startswith(("file:", "data:", "about:", "blob:")) for url in requests)
    page.close()


@pytest.mark.browser
def test_a_big_network_is_drawn(browser, tmp_path):
    graph = generated(600, links=4)
    path = tmp_path / "network.html"
    path.write_text(document(graph), encoding="utf-8")
    page, requests, dialogs = _opened(browser, path)
    assert len(page.evaluate("window.coopgraphNetwork.body.data.nodes.getIds()")) == 300
    page.screenshot(path=str(SCREENSHOTS / "drawing-network.png"))
    assert not dialogs and all(url.startswith(("file:", "data:", "about:", "blob:")) for url in requests)
    page.close()

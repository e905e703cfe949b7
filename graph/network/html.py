"""Collaboration networks drawn in the browser with vis-network (through pyvis): offline, fast, readable, safe with
any name.

pyvis's own page template links Bootstrap from a CDN, puts headings and node ids into the page raw, and
shows titles as HTML as soon as one contains ``href``; ``Network.add_edge`` is quadratic. So pyvis only
holds the nodes, links and options here (filled directly), our templates draw them, and vis-network's
script and stylesheet come from the pyvis package: inlined in a standalone page, served by the web app.
Names reach the page only as escaped JSON and are put into it as text by ``static/network.js`` (the
labels on the canvas are drawn as canvas text, never as HTML).

The layout is computed here (:mod:`.layout`: seeded, so a network looks the same every time, and no two
circles overlap) and the browser draws it without physics: 500 nodes with physics took a minute to settle,
laid out beforehand under a second. Each country on screen has its own colour, the most frequent countries
first (:data:`PALETTE`), the rest are grey. Big networks show their strongest part (:data:`MAX_NODES`,
:data:`MAX_LINKS`), and say so.

Examples
--------
>>> from coopgraph.network import collaboration_graph
>>> graph = collaboration_graph({"p1": ["a", "b"], "p2": ["a", "b", "c"]})
>>> for node in graph:
...     graph.nodes[node].update(label=f"<b>{node}</b>", code=node, country="SE")
>>> shown = view(graph, "fractional", max_nodes=2)
>>> shown["shown_nodes"], shown["nodes"], shown["legend"], shown["others"]
(2, 3, [{'country': 'SE', 'colour': '#1f77b4', 'nodes': 2}], None)
>>> [(node["id"], node["label"]) for node in shown["network"]["nodes"]]
[('a', '<b>a</b>'), ('b', '<b>b</b>')]
>>> "<b>" in script_json(shown["data"])
False
"""

from __future__ import annotations

import json
import math
from collections import Counter
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Callable

import jinja2
import networkx as nx
import numpy as np
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from coopgraph.network.build import NetworkError
from coopgraph.network.layout import LAYOUTS, draw, place_labels
from coopgraph.network.weights import MEANINGS, WEIGHTS
from coopgraph.terminal import readable

#: Above this many nodes a page shows only the strongest (by the chosen weight's sum over their links).
MAX_NODES = 300
#: Above this many links between the nodes shown, a page shows only the strongest.
MAX_LINKS = 2000
#: The vis-network pyvis ships, drawn from the package rather than a CDN.
VIS_VERSION = "9.1.2"
VIS = Path(pyvis.__file__).parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
_OWN = files("coopgraph.network")
#: Every file a network page needs, by the name the web app serves it under.
ASSETS = {"vis-network.min.js": VIS / "vis-network.min.js", "vis-network.css": VIS / "vis-network.css",
          "network.js": _OWN / "static" / "network.js", "network.css": _OWN / "static" / "network.css"}
#: One colour per country, the most frequent in a drawing first: Tableau 20 (Tableau Software's categorical
#: palette, as in matplotlib's ``tab20`` and d3's ``schemeCategory20``), its ten strong colours before their
#: light partners, without its two greys, which mean "another country" here (:data:`OTHER`).
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
           "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5")
OTHER = "#b8bec6"

_TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_OWN / "templates")), autoescape=True)
_NODE_FACTS = ("code", "country", "region", "type", "organisations", "projects", "strength")
_NOUNS = {"organisations": "organisations", "partners": "organisations", "regions": "regions",
          "countries": "countries"}
_LABEL_LENGTH = 32
_DARK, _EDGE = "#1f2933", "#8795a5"  # the ring of the centre (and of home nodes), links
_LABEL_SIZE, _CENTRE_LABEL, _SECTOR_LABEL = (12.0, 16.0), 17.0, 13.0  # screen pixels: nodes by strength, centre


def script_json(value) -> Markup:
    """``value`` as JSON that can stand inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can end it.

    The three characters only occur inside JSON strings, where ``\\u003c`` and the like mean the same.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _title(graph: nx.Graph) -> str:
    """What the network's nodes are, for a heading: ``Collaboration network of NUTS 2 regions``."""
    kind = graph.graph.get("kind", "nodes")
    if kind == "partners":
        return f"Partner network of {graph.graph['region_label']} ({graph.graph['region']})"
    return "Collaboration network of " + (f"NUTS {graph.graph['level']} regions" if kind == "regions" else kind)


def _short(label: str) -> str:
    return label if len(label) <= _LABEL_LENGTH else label[:_LABEL_LENGTH - 1] + "…"


def _darker(colour: str, factor: float = 0.72) -> str:
    """A colour's border: the same hue, darker, so light colours stand out on white."""
    return "#" + "".join(f"{round(int(colour[index:index + 2], 16) * factor):02x}" for index in (1, 3, 5))


def country_colours(countries: Counter) -> dict[str, str]:
    """A :data:`PALETTE` colour for each of the most frequent ``countries`` (node counts by code; ties by code)."""
    ranked = sorted((code for code in countries if code), key=lambda code: (-countries[code], code))
    return dict(zip(ranked, PALETTE, strict=False))  # the rest are grey


def _json_id(node):
    return node if isinstance(node, (str, int)) else str(node)


def _options(net: Network, links: int) -> dict:
    """vis-network's options: no physics (laid out already), thin straight grey links, tooltips on hover."""
    net.toggle_physics(False)
    net.toggle_hide_edges_on_drag(links > 500)
    net.inherit_edge_colors(False)
    net.options.edges.smooth.enabled = False
    vars(net.options.edges.color).update(color=_EDGE, highlight="#1d5fa6", hover="#1d5fa6",
                                         opacity=0.6 if links <= 100 else 0.4 if links <= 500 else 0.25)
    vars(net.options.interaction).update(hover=True, tooltipDelay=150, hoverConnectedEdges=True)
    options = json.loads(net.get_network_data()[-1])
    options["nodes"] = {"shape": "dot", "borderWidth": 1, "borderWidthSelected": 4}
    return options


def _labels(nodes: list[dict], strength: list[float], centre: int | None, sectors) -> list[dict]:
    """What ``network.js`` writes on the canvas, the most important first: the centre's name, the countries of the
    sectors, the other nodes' names by strength; each with the scale it is drawn from and, for a node's, where
    (:func:`.layout.label_scales`).
    """
    strongest = max(strength, default=0) or 1
    low, high = _LABEL_SIZE

    def name(index: int) -> dict:
        size = _CENTRE_LABEL if index == centre else round(low + (high - low) * math.sqrt(
            strength[index] / strongest), 1)
        return {"node": index, "text": _short(nodes[index]["heading"]), "size": size, "bold": index == centre}

    labels = ([name(centre)] if centre is not None else []) + [
        {"text": code, "size": _SECTOR_LABEL, "bold": True, "x": round(x, 2), "y": round(y, 2)}
        for code, x, y in sectors] + [name(index) for index in range(len(nodes)) if index != centre]
    placed = place_labels(np.array([(node["x"], node["y"]) for node in nodes]).reshape(-1, 2),
                          np.array([node["size"] for node in nodes]),
                          [(label["text"], label["size"], label["bold"],
                            label["node"] if "node" in label else (label["x"], label["y"])) for label in labels])
    for label, (scale, place) in zip(labels, placed, strict=True):
        label["scale"] = round(scale, 4)
        if place:
            label["place"] = place
    return labels


def view(graph: nx.Graph, weight: str = "fractional", link: Callable[[str], str] | None = None,
         max_nodes: int = MAX_NODES, max_links: int = MAX_LINKS, *, layout: str = "spring", centre=None) -> dict:
    """What a page shows of ``graph`` (a network of organisations, regions or countries), laid out and described.

    Above ``max_nodes`` nodes, the strongest by ``weight`` (summed over their links) are shown; above
    ``max_links`` links between them, the strongest by ``weight``. ``layout`` is one of :data:`.layout.LAYOUTS`;
    ``centre`` is the node the drawing is about (always shown, with a dark ring; in the middle of ``ego`` and
    ``rings``, where it defaults to the strongest node). Nodes are coloured by country and sized by strength,
    links are as wide as their ``weight``. ``link(iri)`` gives the page a click on a node opens (without it
    a click shows the node's details).

    Returns a dict: ``title``, ``weight`` and its ``meaning``, ``nodes`` and ``links`` (in the whole
    network), ``shown_nodes`` and ``shown_links``, ``noun`` (what the nodes are), ``layout``, ``filters`` (those
    set), ``legend`` (each country with a colour of its own, its colour and its number of nodes) and ``others``
    (how many other countries and nodes are grey, or None), ``linked``, ``centred``, ``home``; ``network``,
    JSON-safe: each node shown (``id``, ``label``, ``x``, ``y``, ``size`` its radius, ``country``, ``colour``,
    ``centre``), each link (``source``, ``target`` and the weights), ``nodes_total``, ``links_total``,
    ``nodes_shown`` and ``links_shown``; and ``data``: the nodes, edges, labels and options ``static/network.js``
    gives vis-network, with each item's ``heading`` and ``facts`` for its tooltip.
    """
    if weight not in WEIGHTS:
        raise NetworkError(f"unknown weight {weight!r}; weights: {', '.join(WEIGHTS)}")
    if layout not in LAYOUTS:
        raise NetworkError(f"unknown layout {layout!r}; layouts: {', '.join(LAYOUTS)}")
    if graph.graph.get("kind") == "bipartite":
        raise NetworkError("a page draws networks of organisations, regions or countries, not the bipartite one")
    if centre is not None and centre not in graph:
        raise NetworkError(f"the centre {centre!r} is not a node of the network")
    strength = dict(graph.degree(weight=weight))
    ranked = sorted(graph, key=lambda node: (-strength[node], str(node)))
    if centre is None and layout != "spring" and ranked:
        centre = ranked[0]
    chosen = ranked[:max_nodes]
    if centre is not None and centre not in chosen:
        chosen[-1:] = [centre]
    order = sorted(chosen, key=lambda node: (-strength[node], str(node)))  # strongest first: what layouts read
    number = {node: index for index, node in enumerate(order)}
    every = sorted(((node, other, values) for node in order for other, values in graph[node].items()
                    if number.get(other, -1) > number[node]),  # each link once, from its stronger end
                   key=lambda edge: (-edge[2][weight], number[edge[0]], number[edge[1]]))
    links = every[:max_links]  # drawn; the layout reads them all, so a node whose links are not drawn stays near
    top = max((values[weight] for _, _, values in links), default=0) or 1  # its partners, not adrift at the edge
    countries = [graph.nodes[node].get("country") or "" for node in order]
    drawing = draw(layout, [strength[node] for node in order],
                   [(number[a], number[b], values[weight] / top) for a, b, values in every], countries,
                   number[centre] if centre is not None else 0)
    counts = Counter(countries)
    colours = country_colours(counts)
    net = Network()
    items = []  # each node, as the JSON twin gives it
    for node in order:
        index, values = number[node], graph.nodes[node]
        label = str(values.get("label") or node)
        facts = [(name, readable(values[name])) for name in _NODE_FACTS if values.get(name) not in (None, "")]
        if values.get("native") and values["native"] != label:
            facts.insert(0, ("native name", str(values["native"])))
        facts += [("partners", readable(graph.degree(node))), (f"strength ({weight})", readable(strength[node])),
                  ("IRI", str(node))]
        if values.get("home"):
            facts.insert(0, ("in the region", "yes"))
        colour = colours.get(countries[index], OTHER)
        x, y, size = (round(float(value), 2) for value in (*drawing.xy[index], drawing.radius[index]))
        ring = 4 if node == centre else 3 if values.get("home") else 1
        net.nodes.append({"id": index, "x": x, "y": y, "size": size, "heading": label, "facts": facts,
                          "borderWidth": ring, "borderWidthSelected": ring + 3,
                          "color": {"background": colour, "border": _DARK if ring > 1 else _darker(colour),
                                    "highlight": {"background": colour, "border": "#d97706"},
                                    "hover": {"background": colour, "border": _DARK}},
                          **({"url": link(str(node))} if link else {})})
        items.append({"id": _json_id(node), "label": label, "x": x, "y": y, "size": size,
                      "country": countries[index], "colour": colour, "centre": node == centre})
    for a, b, values in links:
        net.edges.append({"from": number[a], "to": number[b], "width": round(0.5 + 3.5 * math.sqrt(
                              values[weight] / top), 2),
                          "heading": f"{graph.nodes[a].get('label') or a} – {graph.nodes[b].get('label') or b}",
                          "facts": [(name, readable(values[name])) for name in WEIGHTS]})
    labels = _labels(net.nodes, [strength[node] for node in order], number.get(centre), drawing.sectors)
    others = {code: count for code, count in counts.items() if code not in colours}
    return {
        "title": _title(graph), "weight": weight, "meaning": MEANINGS[weight], "layout": layout,
        "nodes": graph.number_of_nodes(), "links": graph.number_of_edges(),
        "shown_nodes": len(order), "shown_links": len(links),
        "noun": _NOUNS.get(graph.graph.get("kind"), "nodes"),
        "filters": {key.removeprefix("filter_"): value for key, value in graph.graph.items()
                    if key.startswith("filter_")},
        "legend": [{"country": code, "colour": colour, "nodes": counts[code]} for code, colour in colours.items()],
        "others": {"countries": len(others.keys() - {""}), "nodes": sum(others.values())} if others else None,
        "linked": link is not None, "centred": centre is not None,
        "home": graph.graph.get("region_label") if graph.graph.get("kind") == "partners" else None,
        "network": {"nodes": items,
                    "links": [{"source": _json_id(a), "target": _json_id(b), **{name: values[name] for name in WEIGHTS}}
                              for a, b, values in links],
                    "nodes_total": graph.number_of_nodes(), "links_total": graph.number_of_edges(),
                    "nodes_shown": len(order), "links_shown": len(links)},
        "data": {"nodes": net.nodes, "edges": net.edges, "labels": labels, "options": _options(net, len(links))},
    }


def embed(shown: dict) -> Markup:
    """The part of a page that draws a :func:`view`: note, canvas, legend, details and data (needs :data:`ASSETS`)."""
    return Markup(_TEMPLATES.get_template("network-view.html").render(**{**shown, "data": script_json(shown["data"])}))


@cache
def _inline(name: str) -> Markup:
    """An asset's text to put inside a ``<script>`` or ``<style>`` element, which it must not be able to end."""
    text = ASSETS[name].read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():
        raise ValueError(f"{name} cannot be inlined: it would end its element")
    return Markup(text)


def document(graph: nx.Graph, weight: str = "fractional", *, layout: str = "spring", centre=None) -> str:
    """A standalone page drawing ``graph`` (as :func:`view` lays it out): scripts and styles inline, so the file
    opens offline.

    Clicking a node shows its details below the drawing (there is no server to open its page on).
    """
    shown = view(graph, weight, layout=layout, centre=centre)
    return _TEMPLATES.get_template("network-page.html").render(
        view=shown, embedded=embed(shown), vis_version=VIS_VERSION, assets={name: _inline(name) for name in ASSETS})

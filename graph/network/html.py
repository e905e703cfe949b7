"""Collaboration networks drawn in the browser with vis-network (through pyvis): offline, fast, safe with any name.

pyvis's own page template links Bootstrap from a CDN, puts headings and node ids into the page raw, and
shows titles as HTML as soon as one contains ``href``; ``Network.add_edge`` is quadratic. So pyvis only
holds the nodes, links and options here (filled directly), our templates draw them, and vis-network's
script and stylesheet come from the pyvis package: inlined in a standalone page, served by the web app.
Names reach the page only as escaped JSON and are put into it as text by ``static/network.js``.

The layout is computed here (seeded, so a network looks the same every time) and the browser draws it
without physics: 500 nodes with physics took a minute to settle, laid out beforehand under a second.
Big networks show their strongest part (:data:`MAX_NODES`, :data:`MAX_LINKS`), and say so.

Examples
--------
>>> from coopgraph.network import collaboration_graph
>>> graph = collaboration_graph({"p1": ["a", "b"], "p2": ["a", "b", "c"]})
>>> for node in graph:
...     graph.nodes[node].update(label=f"<b>{node}</b>", code=node, country="SE")
>>> shown = view(graph, "fractional", max_nodes=2)
>>> shown["shown_nodes"], shown["nodes"], shown["legend"]
(2, 3, [{'country': 'SE', 'colour': '#d94c80', 'nodes': 2}])
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
from typing import Callable, Iterable

import jinja2
import networkx as nx
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from coopgraph.network.build import NetworkError, ordered_subgraph
from coopgraph.network.export import country_colour, node_sizes
from coopgraph.network.weights import MEANINGS, WEIGHTS
from coopgraph.results import readable

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

_TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(str(_OWN / "templates")), autoescape=True)
_NODE_FACTS = ("code", "country", "region", "type", "organisations", "projects", "strength")
_LABEL_LENGTH = 40
_SPACING, _PIXELS = 0.3, 120  # spring_layout's k, and what it comes to on the page


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


def _hex(code: str) -> str:
    return "#{:02x}{:02x}{:02x}".format(*country_colour(code))


def _layout(nodes: Iterable, links: list[tuple], weight: str) -> dict:
    """Pixel positions: a seeded spring layout of the links shown, each pulling as its ``weight`` over the strongest.

    The layout is not rescaled to a box: two linked nodes lie about :data:`_PIXELS` apart however many nodes
    there are (the browser zooms to fit), so small cliques do not shrink into one blot. The spacing is wider than
    NetworkX's 1/sqrt(n), so a dense core of strong links stands out from the rest instead of a hairball.
    """
    top = max((values[weight] for _, _, values in links), default=0) or 1
    drawn = nx.Graph()
    drawn.add_nodes_from(nodes)
    drawn.add_edges_from((a, b, {"pull": values[weight] / top}) for a, b, values in links)
    positions = nx.spring_layout(drawn, weight="pull", k=_SPACING, seed=0, scale=None) if drawn else {}
    return {node: (x * _PIXELS / _SPACING, y * _PIXELS / _SPACING) for node, (x, y) in positions.items()}


def _options(net: Network, links: int) -> dict:
    """vis-network's options: no physics (laid out already), straight grey links, tooltips on hover."""
    net.toggle_physics(False)
    net.toggle_hide_edges_on_drag(links > 500)
    net.inherit_edge_colors(False)
    net.options.edges.smooth.enabled = False
    vars(net.options.edges.color).update(color="#9aa5b1", highlight="#1d5fa6", hover="#1d5fa6", opacity=0.6)
    vars(net.options.interaction).update(hover=True, tooltipDelay=150, hoverConnectedEdges=True)
    return json.loads(net.get_network_data()[-1])


def view(graph: nx.Graph, weight: str = "fractional", link: Callable[[str], str] | None = None,
         max_nodes: int = MAX_NODES, max_links: int = MAX_LINKS) -> dict:
    """What a page shows of ``graph`` (a network of organisations, regions or countries), laid out and described.

    Above ``max_nodes`` nodes, the strongest by ``weight`` (summed over their links) are shown; above
    ``max_links`` links between them, the strongest by ``weight``. Nodes are coloured by country and
    sized by strength, links are as wide as their ``weight``. ``link(iri)`` gives the page a click on a
    node opens (without it a click shows the node's details).

    Returns a dict: ``title``, ``weight`` and its ``meaning``, ``nodes`` and ``links`` (in the whole
    network), ``shown_nodes`` and ``shown_links``, ``filters`` (those set), ``legend`` (each country
    shown, its colour and its number of nodes), ``linked``, and ``data``: the nodes, edges and options
    ``static/network.js`` gives vis-network, with each item's ``heading`` and ``facts`` for its tooltip.
    """
    if weight not in WEIGHTS:
        raise NetworkError(f"unknown weight {weight!r}; weights: {', '.join(WEIGHTS)}")
    if graph.graph.get("kind") == "bipartite":
        raise NetworkError("a page draws networks of organisations, regions or countries, not the bipartite one")
    strength = dict(graph.degree(weight=weight))
    shown = ordered_subgraph(graph, sorted(graph, key=lambda node: (-strength[node], str(node)))[:max_nodes])
    links = sorted(shown.edges(data=True),
                   key=lambda edge: (-edge[2][weight], *sorted((str(edge[0]), str(edge[1])))))[:max_links]
    positions, sizes = _layout(shown, links, weight), node_sizes(shown)
    number = {node: index for index, node in enumerate(shown)}
    net = Network()
    for node, values in shown.nodes(data=True):
        label = str(values.get("label") or node)
        facts = [(name, readable(values[name])) for name in _NODE_FACTS if values.get(name) not in (None, "")]
        facts += [("partners", readable(graph.degree(node))), (f"strength ({weight})", readable(strength[node])),
                  ("IRI", str(node))]
        if values.get("home"):
            facts.insert(0, ("in the region", "yes"))
        colour = _hex(values.get("country", ""))
        net.nodes.append({"id": number[node], "label": _short(label), "shape": "dot", "size": round(sizes[node], 1),
                          "color": colour, "x": round(float(positions[node][0]), 1),
                          "y": round(float(positions[node][1]), 1), "heading": label, "facts": facts,
                          **({"borderWidth": 4, "color": {"background": colour, "border": "#1f2933"}}
                             if values.get("home") else {}),
                          **({"url": link(str(node))} if link else {})})
    top = max((values[weight] for _, _, values in links), default=0) or 1
    for a, b, values in links:
        width = 1 + 7 * math.sqrt(values[weight] / top)
        net.edges.append({"from": number[a], "to": number[b], "width": round(width, 2),
                          "heading": f"{shown.nodes[a].get('label') or a} – {shown.nodes[b].get('label') or b}",
                          "facts": [(name, readable(values[name])) for name in WEIGHTS]})
    countries = Counter(values.get("country") or "" for _, values in shown.nodes(data=True))
    return {
        "title": _title(graph), "weight": weight, "meaning": MEANINGS[weight],
        "nodes": graph.number_of_nodes(), "links": graph.number_of_edges(),
        "shown_nodes": shown.number_of_nodes(), "shown_links": len(links),
        "filters": {key.removeprefix("filter_"): value for key, value in graph.graph.items()
                    if key.startswith("filter_")},
        "legend": [{"country": code or "unknown", "colour": _hex(code), "nodes": count}
                   for code, count in sorted(countries.items(), key=lambda item: (-item[1], item[0]))],
        "linked": link is not None,
        "home": graph.graph.get("region_label") if graph.graph.get("kind") == "partners" else None,
        "data": {"nodes": net.nodes, "edges": net.edges, "options": _options(net, len(links))},
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


def document(graph: nx.Graph, weight: str = "fractional") -> str:
    """A standalone page drawing ``graph``: scripts and styles inline, so the file opens offline.

    Clicking a node shows its details below the drawing (there is no server to open its page on).
    """
    shown = view(graph, weight)
    return _TEMPLATES.get_template("network-page.html").render(
        view=shown, embedded=embed(shown), vis_version=VIS_VERSION, assets={name: _inline(name) for name in ASSETS})

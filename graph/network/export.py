"""Networks written for other tools: Gephi (GEXF), NetworkX and yEd (GraphML), spreadsheets (CSV), the web (JSON),
and a page to look at in a browser (HTML, see :mod:`.html`).

Examples
--------
>>> import io
>>> from coopgraph.network import collaboration_graph
>>> graph = collaboration_graph({"p1": ["a", "b"]})
>>> for node in graph:
...     graph.nodes[node].update(label=node.upper(), code=node, country="SE")
>>> buffer = io.BytesIO()
>>> write(graph, buffer, "csv")
>>> print(buffer.getvalue().decode().splitlines()[1])
a,b,A,B,a,b,1,1.0,2.0,1.0
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import os
import tempfile
from colorsys import hsv_to_rgb
from pathlib import Path
from typing import IO

import networkx as nx

from coopgraph.network.weights import WEIGHTS

#: The formats :func:`write` knows.
FORMATS = ("graphml", "gexf", "csv", "json", "html")


def country_colour(code: str) -> tuple[int, int, int]:
    """A colour for a country code, the same in every export and page (the hue comes from the code)."""
    if not code:
        return (150, 150, 150)
    hue = int.from_bytes(hashlib.sha256(code.encode()).digest()[:2], "big") / 65536
    red, green, blue = hsv_to_rgb(hue, 0.65, 0.85)
    return (round(red * 255), round(green * 255), round(blue * 255))


def node_sizes(graph: nx.Graph, smallest: float = 5.0, largest: float = 50.0) -> dict:
    """Node sizes from ``strength`` (area grows with it), between ``smallest`` and ``largest``."""
    top = max((strength or 0 for _, strength in graph.nodes(data="strength")), default=0) or 1
    return {node: smallest + (largest - smallest) * math.sqrt((strength or 0) / top)
            for node, strength in graph.nodes(data="strength")}


def _gexf(graph: nx.Graph, output: IO[bytes]) -> None:
    styled = graph.copy()
    for node, size in node_sizes(graph).items():
        red, green, blue = country_colour(graph.nodes[node].get("country", ""))
        styled.nodes[node]["viz"] = {"size": size, "color": {"r": red, "g": green, "b": blue, "a": 1.0}}
    nx.write_gexf(styled, output)


def _csv(graph: nx.Graph, output: IO[bytes]) -> None:
    """One row per link, ``source`` < ``target``: both ends' IRIs, labels and codes, then the weights (or the role)."""
    extra = ["role"] if graph.graph.get("kind") == "bipartite" else list(WEIGHTS)
    text = io.TextIOWrapper(output, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(["source", "target", "source_label", "target_label", "source_code", "target_code", *extra])
    for a, b, values in sorted(((*sorted((a, b), key=str), values) for a, b, values in graph.edges(data=True)),
                               key=lambda edge: (str(edge[0]), str(edge[1]))):
        writer.writerow([a, b, graph.nodes[a].get("label", ""), graph.nodes[b].get("label", ""),
                         graph.nodes[a].get("code", ""), graph.nodes[b].get("code", ""),
                         *(values[name] for name in extra)])
    text.flush()
    text.detach()


def _json(graph: nx.Graph, output: IO[bytes]) -> None:
    output.write(json.dumps(nx.node_link_data(graph, edges="edges"), ensure_ascii=False).encode("utf-8"))


def _html(graph: nx.Graph, output: IO[bytes], weight: str) -> None:
    from coopgraph.network.html import document  # pyvis and jinja2 load only when a page is written

    output.write(document(graph, weight).encode("utf-8"))


_WRITERS = {"graphml": nx.write_graphml, "gexf": _gexf, "csv": _csv, "json": _json, "html": _html}


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write(graph: nx.Graph, output: str | os.PathLike | IO[bytes], format: str, weight: str = "fractional") -> None:
    """Write ``graph`` in ``format`` (one of :data:`FORMATS`) to a binary stream or a file.

    A file is written beside its final name and renamed into place, so a failed export never
    leaves half a file. GEXF nodes get a size (from ``strength``) and a colour (from ``country``)
    that Gephi shows at once; GraphML keeps every attribute with its type, so
    ``networkx.read_graphml`` gives back the same weights. HTML is a page that draws the network
    with links as wide as their ``weight``, and opens offline (see :func:`.html.document`).
    """
    if format not in _WRITERS:
        raise ValueError(f"unknown network format {format!r}; formats: {', '.join(FORMATS)}")
    writer = functools.partial(_html, weight=weight) if format == "html" else _WRITERS[format]
    if not isinstance(output, (str, os.PathLike)):
        writer(graph, output)
        return
    path = Path(output)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as partial:
        try:
            writer(graph, partial)
            partial.close()
            os.chmod(partial.name, 0o666 & ~_umask())  # as open() would have made it, not the temporary file's 0600
            os.replace(partial.name, path)
        except BaseException:
            partial.close()
            os.unlink(partial.name)
            raise

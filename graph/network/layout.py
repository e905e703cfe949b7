"""Where a drawing puts its nodes and their labels, computed in Python so the browser draws at once (physics off).

Nodes are circles of radius ``size`` in vis-network's canvas coordinates (pixels at zoom 1, for a canvas of about
:data:`VIEW`), their area growing with strength (:func:`radii`), and no two come closer than :data:`GAP`:
:func:`overlaps` lists the pairs that do (none, in every layout). Layouts are seeded and read the nodes in the
order given (strongest first), never in the order of a set, so a network looks the same in every run. Three
layouts (:data:`LAYOUTS`):

``spring``
    NetworkX's spring layout (0.3 s for 300 nodes and 2,000 links, where its ForceAtlas2 takes 0.7 s and spreads
    the nodes no better), evened out, stretched to the canvas, then freed of overlaps (:func:`separate`):
    strongly linked nodes lie close, the strongest part in the middle.
``ego``
    one node in the middle, its partners on rings around it: those most strongly linked to it on the inner ring.
``rings``
    one node in the middle (a project's coordinator), the others on rings grouped by country: each country has
    its sector, as wide as its share, on every ring, the largest first, clockwise from the top.

Labels are drawn by ``static/network.js`` at a fixed size on screen, each from the zoom (vis-network's scale) at
which it clears every label before it, below, above, right or left of its node (:func:`place_labels`): the
strongest are legible at once, the others appear as one zooms in, and no two are printed over each other.

Examples
--------
>>> drawing = draw("rings", [3.0, 1.0, 1.0, 1.0], [(0, 1, 1.0), (0, 2, 1.0), (0, 3, 1.0)], ["SE", "NO", "FI", "NO"])
>>> drawing.xy[0].tolist(), overlaps(drawing.xy, drawing.radius)
([0.0, 0.0], [])
>>> [name for name, _, _ in drawing.sectors]
['NO', 'FI']
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import networkx as nx
import numpy as np

#: The layouts :func:`draw` knows.
LAYOUTS = ("spring", "ego", "rings")
#: The canvas a drawing is laid out for, in pixels (the pages' at 1280 × 900 pixels); the browser zooms to fit.
VIEW = (980.0, 630.0)
#: The least space between two circles, and between two rings (labels hang below the circles).
GAP, RING_GAP = 3.0, 14.0
#: NetworkX's spring layout needs SciPy from this many nodes; ForceAtlas2 (slower) does not.
_SPRING_NODES = 500
_SPACE = 0.45  # the share of the canvas circles of the largest size would cover: it sets the sizes
_STRETCH = 1.6  # the most a layout is stretched more along one axis than the other, to fill the canvas
_NEVER = 1000.0  # the scale of a label that never clears another (vis-network zooms to 10 at most)


@dataclass(frozen=True)
class Drawing:
    """Nodes laid out: their centres (``xy``, one row per node), radii, and for ``rings`` where each country's
    name goes (``sectors``: name, x, y, outside the rings at the middle of its sector)."""

    xy: np.ndarray
    radius: np.ndarray
    sectors: tuple[tuple[str, float, float], ...] = ()


def radii(strength: Sequence[float]) -> np.ndarray:
    """Radii whose area grows with ``strength``, from ``largest / 4.5`` (3.5 pixels at least) to ``largest``: the
    more nodes, the smaller ``largest`` (36 pixels up to 68 nodes, 17 for 300, 12 for 600), so that they fit."""
    values = np.asarray(strength, dtype=float)
    share = _SPACE * VIEW[0] * VIEW[1] / max(len(values), 1)
    largest = min(36.0, max(10.0, math.sqrt(share / math.pi)))
    smallest = max(3.5, largest / 4.5)
    top = values.max(initial=0) or 1.0
    return smallest + (largest - smallest) * np.sqrt(np.clip(values, 0, None) / top)


def draw(layout: str, strength: Sequence[float], links: Sequence[tuple[int, int, float]], countries: Sequence[str],
         centre: int = 0) -> Drawing:
    """Lay out nodes ``0 .. n-1`` (given strongest first) as ``layout`` says.

    ``links`` are ``(i, j, pull)`` with ``pull`` in (0, 1]; ``countries`` a code per node (the ring layouts group
    by it); ``centre`` the node in the middle of ``ego`` and ``rings``.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; layouts: {', '.join(LAYOUTS)}")
    radius = radii(strength)
    if not len(radius):
        return Drawing(np.zeros((0, 2)), radius)
    if layout == "spring":
        return Drawing(_spring(len(radius), links, radius), radius)
    others = [node for node in range(len(radius)) if node != centre]
    if layout == "ego":
        tie = dict.fromkeys(others, 0.0)
        for i, j, pull in links:
            if centre in (i, j):
                tie[j if i == centre else i] += pull
        others.sort(key=lambda node: -tie[node])  # stable: then the strongest first
        xy, _ = _on_rings(centre, others, radius, countries, _nearest)
        return Drawing(xy * _stretch(xy, radius), radius)
    xy, middles = _on_rings(centre, others, radius, countries, _by_country)
    outer, stretch = float(np.max(np.hypot(*xy.T) + radius)), _stretch(xy, radius)
    sectors = [(code, stretch[0] * outer * math.cos(angle) + (14 + 10 * abs(math.cos(angle))) * math.cos(angle),
                stretch[1] * outer * math.sin(angle) + (8 + (16 if math.sin(angle) < 0 else 0)) * math.sin(angle))
               for code, angle in middles]  # outside the rings (a label hangs down from its top)
    return Drawing(xy * stretch, radius, tuple(sectors) if len(sectors) > 1 else ())


def _stretch(xy: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """How much to spread ``xy`` across and down to fill :data:`VIEW` (rings become ellipses): up to threefold, at
    most :data:`_STRETCH` times more one way than the other. Never less than 1: shrinking could make circles overlap.
    More room between the nodes is more room for their labels."""
    extent = np.ptp(xy, axis=0)
    room = np.array(VIEW) * 0.9 - 2 * radius.max()
    factor = np.clip(np.divide(room, extent, out=np.full(2, 3.0), where=extent > 0), 1.0, 3.0)
    return np.minimum(factor, factor.min() * _STRETCH)


def overlaps(xy: np.ndarray, radius: np.ndarray, gap: float = GAP) -> list[tuple[int, int]]:
    """The pairs of circles closer than ``gap`` (a little less, for rounding): none in a drawing."""
    if len(radius) < 2:
        return []
    first, second = np.triu_indices(len(radius), 1)
    distance = np.hypot(*(xy[second] - xy[first]).T)
    close = distance < radius[first] + radius[second] + gap - 1e-6
    return list(zip(first[close].tolist(), second[close].tolist(), strict=True))


def _spring(count: int, links: Sequence[tuple[int, int, float]], radius: np.ndarray) -> np.ndarray:
    """A seeded force layout, evened out and stretched to :data:`VIEW`, then freed of overlaps.

    A force layout packs a network's core tight and leaves its weakly linked nodes adrift; so each node keeps its
    direction from the middle and its rank by distance, but moves to where that rank lies in a disc of even
    density (an ellipse, once stretched): the core opens up, the strongest part stays in the middle.
    """
    graph = nx.Graph()
    graph.add_nodes_from(range(count))
    graph.add_weighted_edges_from(links, weight="pull")
    if count < _SPRING_NODES:
        positions = nx.spring_layout(graph, weight="pull", seed=0)
    else:
        positions = nx.forceatlas2_layout(graph, weight="pull", seed=0, strong_gravity=True, max_iter=50)
    xy = np.array([positions[node] for node in range(count)], dtype=float).reshape(count, 2)
    xy -= np.median(xy, axis=0)
    distance = np.hypot(*xy.T)
    rank = np.argsort(np.argsort(distance, kind="stable"), kind="stable")
    even = np.sqrt((rank + 0.5) / count)  # as far out as the node would be in a disc of even density
    xy *= (even / np.maximum(distance, 1e-12))[:, None]
    return separate(xy * np.array(VIEW) * 0.42, radius)


def separate(xy: np.ndarray, radius: np.ndarray, gap: float = GAP) -> np.ndarray:
    """``xy`` moved as little as it takes for no two circles to come closer than ``gap``.

    Each round pushes every overlapping pair apart along the line between them (a pixel further than needed, which
    settles in tens of rounds instead of hundreds), the smaller circle further; circles on the same spot part in a
    direction fixed by their numbers. Rounds look only at pairs that were near when they started, and are checked
    against all pairs; should they not settle (a dense core), the whole drawing is spread 5 % and they start again:
    that ends, since spreading alone would.
    """
    xy = np.array(xy, dtype=float)
    if len(radius) < 2:
        return xy
    every = np.triu_indices(len(radius), 1)
    area = radius ** 2
    for attempt in itertools.count():
        offset = xy[every[1]] - xy[every[0]]
        distance = np.hypot(*offset.T)
        wanted = radius[every[0]] + radius[every[1]] + gap
        if not (distance < wanted).any():
            return xy
        if attempt and attempt % 10 == 0:
            xy = (xy - xy.mean(axis=0)) * 1.05 + xy.mean(axis=0)
            continue
        near = np.flatnonzero(distance < wanted + 2 * radius.max())
        first, second, wanted = every[0][near], every[1][near], wanted[near]
        share = area[second] / (area[first] + area[second])  # how much of a push the first circle takes
        for _ in range(50):
            offset = xy[second] - xy[first]
            distance = np.hypot(*offset.T)
            short = np.flatnonzero(distance < wanted)
            if not len(short):
                break
            direction = offset[short] / np.maximum(distance[short], 1e-9)[:, None]
            same = distance[short] < 1e-9
            angle = first[short[same]] * 2.399963 + second[short[same]]  # the golden angle: no two alike
            direction[same] = np.column_stack((np.cos(angle), np.sin(angle)))
            push = direction * (0.8 * (wanted[short] + 1 - distance[short]))[:, None]
            moves = np.zeros_like(xy)
            np.add.at(moves, first[short], -push * share[short, None])
            np.add.at(moves, second[short], push * (1 - share[short])[:, None])
            xy += moves


def _ring_capacity(ring: float, pitch: float) -> int:
    """How many circles ``pitch`` apart (centre to centre) fit evenly spaced on a ring of radius ``ring``."""
    if pitch >= 2 * ring:
        return 1
    return max(1, math.floor(math.pi / math.asin(pitch / (2 * ring)) + 1e-9))


def _nearest(remaining: list[int], capacity: int, countries: Sequence[str]) -> list[int]:
    """The next ring of an ego layout: the nodes most strongly linked to the centre."""
    return remaining[:capacity]


def _by_country(remaining: list[int], capacity: int, countries: Sequence[str]) -> list[int]:
    """The next ring of a rings layout: as many of each country's strongest nodes as its share of those left
    (Sainte-Laguë), so every ring holds the countries in about the same proportions and sectors line up."""
    demand = Counter(countries[node] for node in remaining)
    taken: Counter = Counter()
    for _ in range(min(capacity, len(remaining))):
        code = max((code for code in sorted(demand) if taken[code] < demand[code]),
                   key=lambda code: demand[code] / (2 * taken[code] + 1))
        taken[code] += 1
    picked = []
    for node in remaining:
        if taken[countries[node]]:
            taken[countries[node]] -= 1
            picked.append(node)
    return picked


def _spaced(targets: list[float], step: float) -> list[float]:
    """Angles as near ``targets`` (ascending) as they can be while at least ``step`` apart, around a circle.

    Less ``step`` times its rank, each angle must not fall below the one before: an isotonic regression, which
    pooling adjacent violators solves. Where that wraps past the first angle, the angles are spaced evenly.
    """
    blocks: list[list[float]] = []  # [sum, count] of targets fitted to one value
    for rank, target in enumerate(targets):
        blocks.append([target - rank * step, 1])
        while len(blocks) > 1 and blocks[-2][0] * blocks[-1][1] > blocks[-1][0] * blocks[-2][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    angles = [total / count + rank * step for rank, (total, count) in
              enumerate(block for block in blocks for _ in range(int(block[1])))]
    if angles[-1] - angles[0] <= 2 * math.pi - step:
        return angles
    even = 2 * math.pi / len(targets)
    turn = sum(target - rank * even for rank, target in enumerate(targets)) / len(targets)
    return [turn + rank * even for rank in range(len(targets))]


def _on_rings(centre: int, others: list[int], radius: np.ndarray, countries: Sequence[str],
              pick) -> tuple[np.ndarray, list[tuple[str, float]]]:
    """``centre`` at the origin and ``others`` on rings around it, each ring filled by ``pick(remaining,
    capacity, countries)``. Each country has a sector as wide as its share of ``others``, the most frequent first,
    clockwise from the top; on every ring, its nodes lie as near the middle of their sector as they can. Returns
    the centres, and each country with the angle of the middle of its sector.
    """
    xy = np.zeros((len(radius), 2))
    counts = Counter(countries[node] for node in others)
    sector, start = {}, -math.pi / 2
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        sector[code] = (start, 2 * math.pi * count / len(others))
        start += sector[code][1]
    order = {node: index for index, node in enumerate(others)}
    outer, remaining = float(radius[centre]), list(others)
    while remaining:
        largest = float(radius[remaining].max())
        ring, pitch = outer + RING_GAP + largest, 2 * largest + GAP
        picked = set(pick(remaining, _ring_capacity(ring, pitch), countries))
        placed = sorted(picked, key=lambda node: (sector[countries[node]][0], order[node]))
        remaining = [node for node in remaining if node not in picked]
        share = Counter(countries[node] for node in placed)
        seen: Counter = Counter()
        targets = []
        for node in placed:
            first, width = sector[countries[node]]
            targets.append(first + width * (seen[countries[node]] + 0.5) / share[countries[node]])
            seen[countries[node]] += 1
        step = 2 * math.asin(min(1.0, pitch / (2 * ring))) if len(placed) > 1 else 0.0
        for node, angle in zip(placed, _spaced(targets, step), strict=True):
            xy[node] = ring * math.cos(angle), ring * math.sin(angle)
        outer = ring + float(radius[placed].max())
    return xy, [(code, first + width / 2) for code, (first, width) in sector.items()]


# -- labels ------------------------------------------------------------------------------------------------

# Arial's advance widths in ems (Liberation Sans, which Debian draws for it, has the same): narrow, wide, the rest.
_NARROW = {**dict.fromkeys("ijlI.,;:'!|", 0.25), **dict.fromkeys("ftr()[]-/ ", 0.33)}
_WIDE = {**dict.fromkeys("mwMW", 0.9), **dict.fromkeys("ABCDEGHKNOPQRSUVXY&", 0.74)}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """About how wide ``text`` is in Arial of ``size`` pixels (a little more, rather than less)."""
    plain = unicodedata.normalize("NFD", text)
    ems = sum(_NARROW.get(char, _WIDE.get(char, 0.6)) for char in plain if not unicodedata.combining(char))
    return ems * size * (1.1 if bold else 1.0)


def label_size(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """The box a label of ``size`` pixels takes on screen, its halo included: width and height in pixels."""
    return text_width(text, size, bold) + 4, size * 1.25


def label_boxes(x: float, y: float, radius: float, width: float, height: float) -> dict[str, tuple]:
    """The boxes a node's label may take (see :func:`label_scales`), by place in the order preferred: 2 pixels
    below or above the circle and centred, or 4 pixels right or left of it and level with its centre."""
    return {"below": (x, y + radius, -width / 2, 2.0, width, height),
            "above": (x, y - radius, -width / 2, -2.0 - height, width, height),
            "right": (x + radius, y, 4.0, -height / 2, width, height),
            "left": (x - radius, y, -4.0 - width, -height / 2, width, height)}


def place_labels(xy: np.ndarray, radius: np.ndarray, labels: Sequence[tuple]) -> list[tuple[float, str]]:
    """Where and from which vis-network scale each label is drawn: ``(scale, place)``, by :func:`label_scales`.

    ``labels`` are ``(text, size, bold, anchor)``, most important first; ``anchor`` is the number of the node the
    label names, or the point ``(x, y)`` at the top middle of the label (a sector's country: its place is ``""``).
    A node's label goes where it stays on the canvas when the page opens (as vis-network fits a drawing to a
    canvas of :data:`VIEW`) and, of places drawn from the same scale, where it covers the fewest circles.
    """
    if not labels:  # an empty drawing (filters that no project passes)
        return []
    scale, middle = _fit(xy, radius)
    places, candidates = [], []
    for text, size, bold, anchor in labels:
        width, height = label_size(text, size, bold)
        if isinstance(anchor, tuple):
            boxes = {"": (*anchor, -width / 2, 0.0, width, height)}
        else:
            boxes = label_boxes(*xy[anchor], radius[anchor], width, height)
            boxes = {place: box for place, box in boxes.items() if _on_screen(box, scale, middle)} or boxes
        places.append(list(boxes))
        candidates.append(list(boxes.values()))
    costs = [[_covered(box, scale, xy, radius) for box in boxes] for boxes in candidates]
    return [(drawn, names[place]) for names, (drawn, place) in zip(places, label_scales(candidates, costs),
                                                                   strict=True)]


def _fit(xy: np.ndarray, radius: np.ndarray) -> tuple[float, np.ndarray]:
    """The scale and the middle (canvas coordinates) vis-network's ``fit()`` gives a drawing on a canvas of
    :data:`VIEW`: the circles' extent and a tenth more fill it, at scale 1 at most."""
    low, high = (xy - radius[:, None]).min(axis=0), (xy + radius[:, None]).max(axis=0)
    return min(1.0, *(np.array(VIEW) / np.maximum(1.1 * (high - low), 1e-9))), (low + high) / 2


def _on_screen(box: tuple, scale: float, middle: np.ndarray) -> bool:
    """Whether a label's ``box`` lies wholly on a canvas of :data:`VIEW` showing ``middle`` at ``scale``."""
    ax, ay, bx, by, width, height = box
    left, top = ax + bx / scale - middle[0], ay + by / scale - middle[1]
    half = np.array(VIEW) / (2 * scale)
    return bool(-half[0] <= left and left + width / scale <= half[0] and -half[1] <= top
                and top + height / scale <= half[1])


def _covered(box: tuple, scale: float, xy: np.ndarray, radius: np.ndarray) -> int:
    """How many circles a label's ``box`` covers at ``scale``."""
    ax, ay, bx, by, width, height = box
    left, top = ax + bx / scale, ay + by / scale
    nearest = np.column_stack((np.clip(xy[:, 0], left, left + width / scale),
                               np.clip(xy[:, 1], top, top + height / scale)))
    return int((np.hypot(*(xy - nearest).T) < radius).sum())


def _parted(slope: np.ndarray, offset: np.ndarray, low: float, high: np.ndarray) -> np.ndarray:
    """The least scale ``s`` from which ``s * slope + offset`` stays out of (``low``, ``high``) (0: always)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rising, falling = (high - offset) / slope, (low - offset) / slope
    scale = np.where(slope > 0, rising, np.where(slope < 0, falling, np.where((low < offset) & (offset < high),
                                                                               np.inf, 0.0)))
    return np.maximum(scale, 0.0)


def label_scales(candidates: Sequence[Sequence[tuple]], costs: Sequence[Sequence[float]] | None = None,
                 pad: float = 3.0) -> list[tuple[float, int]]:
    """For labels given in order of importance, from which vis-network scale each is drawn, and in which of its
    candidate boxes.

    A box is ``(ax, ay, bx, by, width, height)``: at scale ``s`` its top left corner lies at ``(s * ax + bx,
    s * ay + by)`` on screen, anchored at ``(ax, ay)`` on the canvas: zooming in spreads the anchors, not the
    boxes. Two boxes clear each other, with ``pad`` pixels to spare, from the scale that parts them across or
    down for good. A label takes the box that is drawn from the least scale (to two decimals; then the one of
    least ``cost``, say the circles it covers; then the first): the scale at which it clears every label before
    it that is drawn there too. The first label is always drawn (scale 0).
    """
    chosen = np.zeros((len(candidates), 6))
    scales = np.zeros(len(candidates))
    found = []
    for label, boxes in enumerate(candidates):
        drawn = [_cleared(box, chosen[:label], scales[:label], pad) for box in boxes]
        _, _, place = min((round(scale, 2), costs[label][place] if costs else 0, place)
                          for place, scale in enumerate(drawn))
        scales[label], chosen[label] = drawn[place], boxes[place]
        found.append((drawn[place], place))
    return found


def _cleared(box: tuple, before: np.ndarray, scales: np.ndarray, pad: float) -> float:
    """The least scale from which ``box`` clears each box ``before`` it drawn there too (their ``scales``)."""
    ax, ay, bx, by, width, height = box
    across = _parted(ax - before[:, 0], bx - before[:, 2], -width - pad, before[:, 4] + pad)
    down = _parted(ay - before[:, 1], by - before[:, 3], -height - pad, before[:, 5] + pad)
    parted = np.minimum(across, down)
    return min(float(parted[parted > scales].max(initial=0.0)), _NEVER)  # no clash where one is not drawn

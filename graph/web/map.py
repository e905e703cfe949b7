"""An offline map of regions and the links between them, drawn as an inline SVG.

Country outlines come from Natural Earth (the vendored ``static/world-atlas/countries-50m.json``), NUTS outlines
from a file the user points to: nothing is fetched at run time. Coordinates are kilometres of a spherical
Lambert azimuthal equal-area projection centred like ETRS89-LAEA (52°N, 10°E), shifted so that the Europe frame
starts at (0, 0) with y pointing down. Pages that embed the map link ``/static/map.css`` (and ``/static/map.js``
for hover highlighting).
"""

from __future__ import annotations

import functools
import json
import math
import operator
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from coopgraph.web.site import STATIC, TEMPLATES

RADIUS = 6371.0088  # km, the mean Earth radius
LAT0, LON0 = math.radians(52), math.radians(10)
#: The Europe frame in projected km (west, south, east, north): the Azores and the Canaries to Cyprus and the North
#: Cape, with western Turkey.
FRAME = (-3450.0, -2340.0, 2350.0, 2300.0)
WIDTH, HEIGHT = FRAME[2] - FRAME[0], FRAME[3] - FRAME[1]
#: Polygons whose lon/lat box misses this one are never projected (it also keeps the antipode away).
NEAR_EUROPE = (-60.0, 20.0, 70.0, 85.0)
TOLERANCE = 1.5  # km: Douglas-Peucker tolerance, under half a pixel even when the map is 1400 px wide
SMALLEST = 40.0  # km²: smaller islands are dropped (Malta's Gozo, 67 km², stays)
MARGIN = 50.0  # km: outlines are clipped this far outside the frame, so the clipping edges are never seen
ATLAS = "countries-50m.json"
PALETTE = ("#b4c2e0", "#8c96c6", "#8c6bb1", "#88419d", "#4d004b")  # sequential, light to dark (ColorBrewer BuPu)
MARKED = "#e6550d"  # pairs the page lists, and the page's own region
WIDTHS = (1.0, 7.0)  # px, the thinnest and thickest link
RADII = (16.0, 50.0)  # km, the smallest and largest marker (3 and 8 px on a 900 px wide map)


@dataclass
class MapPlace:
    """A region at its place: ``lon``/``lat`` (None when unknown) is the centre of its geolocated organisations."""

    code: str
    label: str
    lon: float | None
    lat: float | None
    value: float = 0
    url: str | None = None


@dataclass
class MapLink:
    """A link between two region codes, with the value of the chosen weight and the projects behind it."""

    a: str
    b: str
    value: float
    projects: int = 0


def project(lon: float, lat: float) -> tuple[float, float]:
    """SVG coordinates (km from the frame's north-west corner, y down) of a point given in degrees.

    Examples
    --------
    >>> x, y = project(10, 52)  # the centre of the projection
    >>> round(x - 3450), round(y - 2300)
    (0, 0)
    """
    phi, lam = math.radians(lat), math.radians(lon) - LON0
    cos_c = math.sin(LAT0) * math.sin(phi) + math.cos(LAT0) * math.cos(phi) * math.cos(lam)
    k = RADIUS * math.sqrt(2 / max(1 + cos_c, 1e-12))
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (math.cos(LAT0) * math.sin(phi) - math.sin(LAT0) * math.cos(phi) * math.cos(lam))
    return x - FRAME[0], FRAME[3] - y


def unproject(x: float, y: float) -> tuple[float, float]:
    """The (lon, lat) in degrees of SVG coordinates: the inverse of :func:`project`."""
    x, y = x + FRAME[0], FRAME[3] - y
    rho = math.hypot(x, y)
    if rho == 0:
        return math.degrees(LON0), math.degrees(LAT0)
    c = 2 * math.asin(min(rho / (2 * RADIUS), 1))
    lat = math.asin(math.cos(c) * math.sin(LAT0) + y * math.sin(c) * math.cos(LAT0) / rho)
    lon = LON0 + math.atan2(x * math.sin(c), rho * math.cos(LAT0) * math.cos(c) - y * math.sin(LAT0) * math.sin(c))
    return math.degrees(lon), math.degrees(lat)


# TopoJSON: arcs of delta-encoded, quantised positions; rings are lists of arc indexes (~i: arc i reversed).

def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    (sx, sy), (tx, ty) = (transform["scale"], transform["translate"]) if transform else ((1, 1), (0, 0))
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for position in arc:
            x, y = (x + position[0], y + position[1]) if transform else (position[0], position[1])
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _arc_polygons(geometry: dict) -> list[list[list[int]]]:
    kind = geometry.get("type")
    return [geometry["arcs"]] if kind == "Polygon" else geometry["arcs"] if kind == "MultiPolygon" else []


def _stitch(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc[1:] if ring else arc)  # consecutive arcs share their end point
    return ring


def _simplify(points: list[tuple[float, float]], tolerance: float = TOLERANCE) -> list[tuple[float, float]]:
    """Douglas-Peucker, keeping both ends so that arcs shared by two countries stay shared."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        farthest, index = 0.0, 0
        for i in range(first + 1, last):
            x, y = points[i]
            distance = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else math.hypot(x - x1, y - y1)
            if distance > farthest:
                farthest, index = distance, i
        if farthest > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _clip(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman against the frame plus its margin (an open ring in, an open ring out)."""
    edges = ((0, -MARGIN, operator.ge), (0, WIDTH + MARGIN, operator.le),
             (1, -MARGIN, operator.ge), (1, HEIGHT + MARGIN, operator.le))
    for axis, limit, inside in edges:
        clipped = []
        for i, current in enumerate(ring):
            previous = ring[i - 1]
            if inside(current[axis], limit) != inside(previous[axis], limit):
                t = (limit - previous[axis]) / (current[axis] - previous[axis])
                clipped.append((previous[0] + t * (current[0] - previous[0]),
                                previous[1] + t * (current[1] - previous[1])))
            if inside(current[axis], limit):
                clipped.append(current)
        ring = clipped
    return ring


def _area(ring: list[tuple[float, float]]) -> float:
    """Signed area (shoelace) of an open ring."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """An SVG path of closed rings in relative whole kilometres (rounded once, so no error adds up)."""
    parts = []
    for ring in rings:
        ring = _clip(ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring)
        if len(ring) < 3 or abs(_area(ring)) < SMALLEST:
            continue
        points = [(round(x), round(y)) for x, y in ring]
        steps = [f"{x - x0} {y - y0}" for (x0, y0), (x, y) in zip(points, points[1:], strict=False)
                 if (x, y) != (x0, y0)]
        parts.append(f"M{points[0][0]} {points[0][1]}l" + " ".join(steps) + "z")
    return "".join(parts).replace(" -", "-")


def _near_europe(ring: list[tuple[float, float]]) -> bool:
    west, south, east, north = NEAR_EUROPE
    lons, lats = [lon for lon, _ in ring], [lat for _, lat in ring]
    return min(lons) <= east and max(lons) >= west and min(lats) <= north and max(lats) >= south


@functools.cache
def countries() -> tuple[str, ...]:
    """The projected, cropped and simplified country outlines as SVG paths, computed once per process."""
    topology = json.loads((STATIC / "world-atlas" / ATLAS).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shown = [[polygon for polygon in _arc_polygons(geometry) if _near_europe(_stitch(arcs, polygon[0]))]
             for geometry in topology["objects"]["countries"]["geometries"]]
    needed = {index if index >= 0 else ~index for country in shown for polygon in country
              for ring in polygon for index in ring}
    projected = [_simplify([project(*point) for point in arc]) if i in needed else [] for i, arc in enumerate(arcs)]
    paths = (_path([_stitch(projected, ring) for polygon in country for ring in polygon]) for country in shown)
    return tuple(path for path in paths if path)


def _geojson_polygons(geometry: dict | None) -> list[list[list[tuple[float, float]]]]:
    if not geometry:
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else []
    return [[[(point[0], point[1]) for point in ring] for ring in polygon] for polygon in polygons]


def _features(data: dict):
    """(properties and id, lon/lat polygons) of each region of a GeoJSON or TopoJSON file."""
    if data.get("type") == "Topology":
        arcs = _decode_arcs(data)
        for layer in data["objects"].values():
            for geometry in layer.get("geometries", [layer]):
                polygons = [[_stitch(arcs, ring) for ring in polygon] for polygon in _arc_polygons(geometry)]
                yield {"id": geometry.get("id"), **(geometry.get("properties") or {})}, polygons
    else:
        for feature in data.get("features", []):
            yield {"id": feature.get("id"), **(feature.get("properties") or {})}, _geojson_polygons(feature["geometry"])


def _centroid(ring: list[tuple[float, float]]) -> tuple[float, float]:
    """The centroid of a projected ring, or, when it falls outside (a crescent), the middle of the widest run of
    the ring's inside along the centroid's row: a place that is always inside."""
    ring = ring[:-1] if ring[0] == ring[-1] else ring
    area = _area(ring)
    pairs = list(zip(ring, ring[1:] + ring[:1], strict=True))
    if area == 0:
        return sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring)
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (6 * area)
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in pairs) / (6 * area)
    crossings = sorted(x0 + (cy - y0) * (x1 - x0) / (y1 - y0) for (x0, y0), (x1, y1) in pairs
                       if (y0 > cy) != (y1 > cy))
    runs = list(zip(crossings[::2], crossings[1::2], strict=True))
    if any(start <= cx <= end for start, end in runs) or not runs:
        return cx, cy
    start, end = max(runs, key=lambda run: run[1] - run[0])
    return (start + end) / 2, cy


def load_outlines(path: str | Path) -> dict[str, dict]:
    """NUTS region outlines from a file the user downloaded, keyed by ``NUTS_ID`` (GISCO) or ``id`` (Nuts2json).

    Reads GeoJSON (GISCO's ``NUTS_RG_*_4326.geojson``, Nuts2json's ``nutsrg_*.json``) or TopoJSON, in lon/lat
    (EPSG:4326). Each region gets ``d`` (its projected, cropped outline: empty when it lies outside the frame),
    ``lon`` and ``lat`` (its centroid, inside its largest polygon) and ``name`` when the file has one. The result is
    cached per file and modification time: treat it as read-only.

    Examples
    --------
    >>> import json, tempfile
    >>> square = [[[9, 51], [11, 51], [11, 53], [9, 53], [9, 51]]]
    >>> feature = {"type": "Feature", "properties": {"NUTS_ID": "DE9"}, "geometry": {"type": "Polygon",
    ...            "coordinates": square}}
    >>> with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as file:
    ...     json.dump({"type": "FeatureCollection", "features": [feature]}, file)
    >>> outline = load_outlines(file.name)["DE9"]
    >>> round(outline["lon"]), round(outline["lat"]), outline["d"].startswith("M")
    (10, 52, True)
    >>> Path(file.name).unlink()
    """
    path = Path(path)
    return _load_outlines(str(path.resolve()), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _load_outlines(path: str, modified: int) -> dict[str, dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    outlines = {}
    for properties, polygons in _features(data):
        code = properties.get("NUTS_ID") or properties.get("id")
        points = [point for polygon in polygons for ring in polygon for point in ring]
        if not code or not points:
            continue
        if any(abs(lon) > 180 or abs(lat) > 90 for lon, lat in points):
            raise ValueError(f"{path}: coordinates are not lon/lat degrees; use the EPSG:4326 edition of the file")
        projected = [[[project(*point) for point in ring] for ring in polygon] for polygon in polygons]
        largest = max((polygon[0] for polygon in projected), key=lambda ring: abs(_area(ring)))
        lon, lat = unproject(*_centroid(largest))
        outline = {"d": _path([_simplify(ring) for polygon in projected for ring in polygon]), "lon": lon, "lat": lat}
        name = properties.get("NAME_LATN") or properties.get("NUTS_NAME") or properties.get("na")
        outlines[str(code)] = {**outline, "name": name} if name else outline
    return outlines


def _relative(url: str | None) -> str | None:
    """``url`` when it stays on this site (one leading slash, no backslash, space or control character)."""
    if not url or not url.startswith("/") or url.startswith("//") or any(c == "\\" or ord(c) <= 32 for c in url):
        return None
    return url


def _colour(t: float) -> str:
    """The colour of ``t`` in [0, 1] on the sequential palette, interpolated in RGB."""
    position = min(max(t, 0.0), 1.0) * (len(PALETTE) - 1)
    low = min(int(position), len(PALETTE) - 2)
    a, b = (tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) for colour in PALETTE[low:low + 2])
    return "#" + "".join(f"{round(u + (v - u) * (position - low)):02x}" for u, v in zip(a, b, strict=True))


def _arc(start: tuple[float, float], end: tuple[float, float]) -> str:
    """A quadratic curve from west to east, bowed to the north by a fifth of its length."""
    (x1, y1), (x2, y2) = sorted([start, end])
    cx, cy = (x1 + x2) / 2 + (y2 - y1) / 5, (y1 + y2) / 2 - (x2 - x1) / 5
    return f"M{x1:.1f} {y1:.1f}Q{cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}"


def _finite(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _radius(value: float, largest: float) -> float:
    """A marker's radius: its area, which the eye compares, grows with the value (up to the largest shown)."""
    if largest <= 0 or not _finite(value):
        return RADII[0]
    return round(RADII[0] + (RADII[1] - RADII[0]) * math.sqrt(max(value, 0) / largest), 1)


def region_map(places: list[MapPlace], links: list[MapLink], *, weight_name: str,
               marked: set[frozenset[str]] = frozenset(), highlight: frozenset[str] = frozenset(),
               outlines: dict | None = None) -> dict:
    """A JSON-safe description of a map of ``places`` and the ``links`` between them, for :func:`map_html`.

    A place without coordinates stands at its outline's centroid (from :func:`load_outlines`); one with neither,
    or outside the Europe frame, is listed in ``unplaced``. Links run between placed regions only; their colour and
    width grow linearly with ``value`` from the weakest to the strongest link shown. ``marked`` pairs (the pairs a
    ranking lists) are drawn last, in a colour of their own; ``highlight`` regions (the page's region) stand out.

    Examples
    --------
    >>> places = [MapPlace("SE33", "Övre Norrland", 20.3, 65.6, 12), MapPlace("FI1D", "Pohjois- ja Itä-Suomi",
    ...           27.7, 64.9, 30, url="/entity?iri=FI1D"), MapPlace("XX00", "Nowhere", None, None)]
    >>> view = region_map(places, [MapLink("SE33", "FI1D", 0.42, projects=7)], weight_name="association",
    ...                   marked={frozenset({"SE33", "FI1D"})})
    >>> [marker["code"] for marker in view["markers"]], view["unplaced"]
    (['FI1D', 'SE33'], ['XX00'])
    >>> view["links"][0]["marked"], view["legend"]["weight"]
    (True, 'association')
    """
    outlines = outlines or {}
    spots: dict[str, tuple[float, float]] = {}
    unplaced = []
    shown = {}
    for place in places:
        outline = outlines.get(place.code)
        if _finite(place.lon) and _finite(place.lat):
            lon, lat = place.lon, place.lat
        elif outline:
            lon, lat = outline["lon"], outline["lat"]
        else:
            unplaced.append(place.code)
            continue
        x, y = project(lon, lat)
        if not (0 <= x <= WIDTH and 0 <= y <= HEIGHT):
            unplaced.append(place.code)
            continue
        spots[place.code] = (x, y)
        shown[place.code] = place
    largest = max((place.value for place in shown.values() if _finite(place.value)), default=0)
    markers = [{"code": code, "label": place.label, "x": round(spots[code][0], 1), "y": round(spots[code][1], 1),
                "r": _radius(place.value, largest), "value": place.value if _finite(place.value) else 0,
                "url": _relative(place.url), "highlight": code in highlight}
               for code, place in shown.items()]
    markers.sort(key=lambda marker: (marker["highlight"], -marker["r"]))  # small ones above big ones
    drawn = [link for link in links if link.a in spots and link.b in spots and link.a != link.b
             and _finite(link.value)]
    low, high = min((link.value for link in drawn), default=None), max((link.value for link in drawn), default=None)
    drawn.sort(key=lambda link: (frozenset((link.a, link.b)) in marked, link.value))  # strong and marked on top
    view_links = []
    for link in drawn:
        t = (link.value - low) / (high - low) if high > low else 1.0
        is_marked = frozenset((link.a, link.b)) in marked
        view_links.append({"a": link.a, "b": link.b, "labels": [shown[link.a].label, shown[link.b].label],
                           "d": _arc(spots[link.a], spots[link.b]), "value": link.value, "projects": link.projects,
                           "width": round(WIDTHS[0] + (WIDTHS[1] - WIDTHS[0]) * t, 2),
                           "colour": MARKED if is_marked else _colour(t), "marked": is_marked})
    regions = [{"code": place.code, "label": place.label, "d": outlines[place.code]["d"],
                "highlight": place.code in highlight}
               for place in places if outlines.get(place.code, {}).get("d")]
    legend = {"weight": weight_name, "min": low, "max": high, "colours": [_colour(t / 4) for t in range(5)],
              "marked": any(link["marked"] for link in view_links), "highlight": bool(highlight & spots.keys()),
              "marked_colour": MARKED}
    return {"viewBox": f"0 0 {WIDTH:.0f} {HEIGHT:.0f}", "countries": list(countries()), "outlines": regions,
            "markers": markers, "links": view_links, "unplaced": unplaced, "legend": legend}


def _number(value: float | None) -> str:
    """A count as a whole number, anything else with three decimals (as the ranking table shows them)."""
    if value is None:
        return "–"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.3f}"


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    environment.filters["number"] = _number
    environment.filters["relative"] = _relative
    return environment


def map_html(view: dict) -> Markup:
    """The map of a :func:`region_map` view as an inline ``<svg>`` in a ``<figure>``, with its legend.

    Every name is escaped text; a marker links only to a relative URL of this site.

    Examples
    --------
    >>> view = region_map([MapPlace("SE33", "<b>Övre</b>", 20.3, 65.6)], [], weight_name="projects")
    >>> html = map_html(view)
    >>> 'data-code="SE33"' in html, "&lt;b&gt;Övre&lt;/b&gt;" in html, "<b>" in html
    (True, True, False)
    """
    return Markup(_environment().get_template("map.html").render(view=view))

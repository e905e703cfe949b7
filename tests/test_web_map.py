"""The offline map: its projection, NUTS outlines read from files, the SVG it draws (escaped text, nothing remote),
and how it looks in chromium (``/tmp/map.png``)."""

from __future__ import annotations

import doctest
import math
import random
import re
import time
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES
from coopgraph.web import map as regionmap
from coopgraph.web.map import MapLink, MapPlace, load_outlines, map_html, region_map
from coopgraph.web.site import STATIC

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<img src=x onerror=alert(1)>"
BREAKOUT = '"><script>alert(1)</script>'
OUTLINES = FIXTURES / "map"

#: Real NUTS 2 regions at (about) their main city: code, name, lon, lat.
EUROPE = [
    ("SE11", "Stockholm", 18.07, 59.33), ("SE22", "Sydsverige", 13.0, 55.6), ("SE33", "Övre Norrland", 20.26, 63.83),
    ("FI1B", "Helsinki-Uusimaa", 24.94, 60.17), ("FI1D", "Pohjois- ja Itä-Suomi", 25.47, 65.01),
    ("NO08", "Oslo og Viken", 10.75, 59.91), ("DK01", "Hovedstaden", 12.57, 55.68), ("EE00", "Eesti", 24.75, 59.44),
    ("LV00", "Latvija", 24.11, 56.95), ("LT01", "Sostinės regionas", 25.28, 54.69), ("IS00", "Ísland", -21.9, 64.14),
    ("IE06", "Eastern and Midland", -6.26, 53.35), ("DE30", "Berlin", 13.40, 52.52),
    ("DE21", "Oberbayern", 11.58, 48.14), ("DEA1", "Düsseldorf", 6.78, 51.23), ("DE60", "Hamburg", 9.99, 53.55),
    ("DE71", "Darmstadt", 8.65, 49.87), ("NL32", "Noord-Holland", 4.90, 52.37), ("NL33", "Zuid-Holland", 4.48, 51.92),
    ("BE10", "Bruxelles", 4.35, 50.85), ("FR10", "Île-de-France", 2.35, 48.86), ("FRK2", "Rhône-Alpes", 4.85, 45.76),
    ("FRJ2", "Midi-Pyrénées", 1.44, 43.60),
    ("FRL0", "Provence-Alpes-Côte d'Azur", 5.37, 43.30), ("ES30", "Madrid", -3.70, 40.42),
    ("ES51", "Cataluña", 2.17, 41.39), ("ES61", "Andalucía", -5.98, 37.39), ("ES70", "Canarias", -15.43, 28.12),
    ("ES21", "País Vasco", -2.93, 43.26), ("PT17", "Lisboa", -9.14, 38.72), ("PT11", "Norte", -8.61, 41.15),
    ("PT20", "Açores", -25.67, 37.74), ("ITC4", "Lombardia", 9.19, 45.46), ("ITI4", "Lazio", 12.50, 41.90),
    ("ITF3", "Campania", 14.27, 40.85), ("ITH5", "Emilia-Romagna", 11.34, 44.49), ("AT13", "Wien", 16.37, 48.21),
    ("CH04", "Zürich", 8.54, 47.37), ("PL91", "Warszawski stołeczny", 21.01, 52.23),
    ("PL21", "Małopolskie", 19.94, 50.06), ("CZ01", "Praha", 14.42, 50.09), ("HU11", "Budapest", 19.04, 47.50),
    ("SI04", "Zahodna Slovenija", 14.51, 46.06), ("HR05", "Grad Zagreb", 15.98, 45.81),
    ("RO32", "București-Ilfov", 26.10, 44.43), ("BG41", "Yugozapaden", 23.32, 42.70), ("EL30", "Attiki", 23.73, 37.98),
    ("CY00", "Kypros", 33.38, 35.17), ("MT00", "Malta", 14.51, 35.90), ("TR10", "İstanbul", 28.98, 41.01),
]


def europe(links: int = 60, seed: int = 7) -> tuple[list[MapPlace], list[MapLink]]:
    """The places above with made-up values, and ``links`` made-up links between them (the same every run)."""
    chance = random.Random(seed)
    places = [MapPlace(code, name, lon, lat, value=chance.randint(5, 400), url=f"/entity?iri=nuts%3A{code}")
              for code, name, lon, lat in EUROPE]
    pairs = sorted({frozenset(chance.sample([place.code for place in places], 2)) for _ in range(links * 2)},
                   key=sorted)[:links]
    return places, [MapLink(*sorted(pair), value=round(chance.uniform(0.01, 0.9), 3), projects=chance.randint(1, 90))
                    for pair in pairs]


def test_docstring_examples_hold():
    failures, tried = doctest.testmod(regionmap)
    assert tried > 0 and failures == 0


def parse(html: str) -> ET.Element:
    """The map's figure as XML (it must be well formed), failing the test otherwise."""
    return ET.fromstring(str(html))


def test_one_marker_per_placed_region_and_the_unplaced_listed():
    places, links = europe()
    places += [MapPlace("XX99", "No organisation geolocated", None, None),
               MapPlace("FRY1", "Guadeloupe", -61.55, 16.25)]  # outside the Europe frame
    view = region_map(places, links, weight_name="association")
    figure = parse(map_html(view))
    circles = figure.findall(f".//{SVG}circle[@class='region']")
    assert sorted(circle.get("data-code") for circle in circles) == sorted(code for code, *_ in EUROPE)
    assert view["unplaced"] == ["XX99", "FRY1"]
    note = "".join(figure.find("figcaption").itertext())
    assert "2 regions have no place on this map: XX99, FRY1" in note
    for circle in circles:
        assert float(circle.get("r")) > 0 and circle.find(f"{SVG}title").text.startswith(circle.get("data-code"))


def test_links_are_arcs_and_marked_ones_are_flagged_and_drawn_last():
    places, links = europe()
    marked = {frozenset((links[0].a, links[0].b)), frozenset((links[5].a, links[5].b))}
    view = region_map(places, links, weight_name="association", marked=marked, highlight=frozenset({"SE33"}))
    paths = parse(map_html(view)).findall(f".//{SVG}path[@data-a]")
    assert len(paths) == len(links) == 60
    assert {frozenset((path.get("data-a"), path.get("data-b"))) for path in paths} == {
        frozenset((link.a, link.b)) for link in links}
    assert all(re.fullmatch(r"M[\d.]+ [\d.]+Q[-\d.]+ [-\d.]+ [\d.]+ [\d.]+", path.get("d")) for path in paths)
    flagged = [path.get("class") == "link marked" for path in paths]
    assert flagged == [False] * 58 + [True, True]
    assert view["legend"]["min"] == min(link.value for link in links)
    assert view["legend"]["max"] == max(link.value for link in links)
    unmarked = [link for link in view["links"] if not link["marked"]]
    assert unmarked[0]["width"] < unmarked[-1]["width"] and unmarked[0]["colour"] != unmarked[-1]["colour"]
    highlighted = parse(map_html(view)).findall(f".//{SVG}circle[@class='region highlight']")
    assert [circle.get("data-code") for circle in highlighted] == ["SE33"]


def test_hostile_names_are_escaped_text():
    places, links = europe(links=3)
    places[0].label, places[1].label = HOSTILE, BREAKOUT
    view = region_map(places, [MapLink(places[0].code, places[1].code, 0.5, 3)], weight_name=BREAKOUT)
    html = str(map_html(view))
    assert HOSTILE not in html and "<script" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&#34;&gt;&lt;script&gt;" in html
    figure = parse(html)
    titles = ["".join(title.itertext()) for title in figure.iter(f"{SVG}title")]
    assert any(HOSTILE in title for title in titles) and any(BREAKOUT in title for title in titles)


def test_markers_link_only_to_this_site():
    urls = ["/entity?iri=a", "https://evil.example/", "//evil.example/", "javascript:alert(1)", "/\\evil.example",
            "/\t/evil.example", None]
    places = [MapPlace(f"R{i}", "region", 10 + i, 50, url=url) for i, url in enumerate(urls)]
    figure = parse(map_html(region_map(places, [], weight_name="projects")))
    assert [anchor.get("href") for anchor in figure.iter(f"{SVG}a")] == ["/entity?iri=a"]
    html = str(map_html(region_map(*europe(), weight_name="projects")))
    assert set(re.findall(r"https?://[^\s\"'<>]*", html)) == {"http://www.w3.org/2000/svg"}


def test_projection_keeps_europe_the_right_way_round():
    stockholm, paris = regionmap.project(18.07, 59.33), regionmap.project(2.35, 48.86)
    lisbon, madrid = regionmap.project(-9.14, 38.72), regionmap.project(-3.70, 40.42)
    assert stockholm[0] > paris[0] and stockholm[1] < paris[1]  # SVG y points down
    assert lisbon[0] < madrid[0]
    assert 1000 < math.dist(madrid, paris) < 1100  # km: 1,053 km on the sphere
    lon, lat = regionmap.unproject(*stockholm)
    assert (round(lon, 6), round(lat, 6)) == (18.07, 59.33)


def test_country_outlines_are_small_and_computed_once():
    regionmap.countries.cache_clear()
    started = time.perf_counter()
    outlines = regionmap.countries()
    first = time.perf_counter() - started
    started = time.perf_counter()
    assert regionmap.countries() is outlines
    assert time.perf_counter() - started < first / 100
    assert 40 < len(outlines) and sum(len(path) for path in outlines) < 300_000
    assert all(re.fullmatch(r"(M-?\d+ ?-?\d+l[-\d ]+z)+", path) for path in outlines)


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    crossings = 0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            crossings += 1
    return crossings % 2 == 1


def test_outlines_from_geojson_and_topojson():
    crescent = [[5, 45], [9, 45], [9, 46], [6, 46], [6, 48], [9, 48], [9, 49], [5, 49], [5, 45]]  # its centroid is out
    outlines = load_outlines(OUTLINES / "regions.geojson")
    assert set(outlines) == {"AA11", "BB22"} and outlines["BB22"]["name"] == "Two squares"
    assert _inside((outlines["AA11"]["lon"], outlines["AA11"]["lat"]), crescent)
    assert 10 < outlines["BB22"]["lon"] < 12 and 55 < outlines["BB22"]["lat"] < 56  # in the larger square
    assert outlines["BB22"]["d"].count("M") == 2
    square = load_outlines(OUTLINES / "regions.topojson")["CC33"]
    assert abs(square["lon"] - 21) < 0.05 and abs(square["lat"] - 51) < 0.05 and square["name"] == "Square"
    with pytest.raises(ValueError, match="EPSG:4326"):
        load_outlines(OUTLINES / "projected.geojson")


def test_a_region_without_coordinates_stands_at_its_outline():
    outlines = load_outlines(OUTLINES / "regions.geojson")
    places = [MapPlace("AA11", "Crescent", None, None), MapPlace("BB22", "Two squares", 11, 55.5),
              MapPlace("ZZ00", "Nowhere", None, None)]
    view = region_map(places, [MapLink("AA11", "BB22", 4, 4)], weight_name="projects", outlines=outlines,
                      highlight=frozenset({"AA11"}))
    assert view["unplaced"] == ["ZZ00"] and len(view["links"]) == 1
    marker = next(marker for marker in view["markers"] if marker["code"] == "AA11")
    assert (marker["x"], marker["y"]) == tuple(round(v, 1) for v in regionmap.project(outlines["AA11"]["lon"],
                                                                                       outlines["AA11"]["lat"]))
    figure = parse(map_html(view))
    drawn = [path.get("class") for path in figure.iter(f"{SVG}path") if "outline" in path.get("class", "")]
    assert drawn == ["outline highlight", "outline"]


@pytest.mark.browser
def test_map_in_chromium(browser, tmp_path):
    places, links = europe()
    places[0].label = HOSTILE
    places.append(MapPlace("XX99", "No organisation geolocated", None, None))
    marked = {frozenset((link.a, link.b)) for link in sorted(links, key=lambda link: -link.value)[:5]}
    view = region_map(places, links, weight_name="association", marked=marked, highlight=frozenset({"SE11"}))
    page_file = tmp_path / "map.html"
    page_file.write_text(f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>map</title>
<link rel="stylesheet" href="{(STATIC / 'map.css')}"><style>body {{ margin: 0; padding: 8px 16px;
font: 15px system-ui, sans-serif; }}</style></head><body>{map_html(view)}<script src="{STATIC / 'map.js'}"></script>
</body></html>""", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests, dialogs = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(page_file.as_uri())
    box = page.locator(".coop-map > svg").bounding_box()
    assert box["width"] > 900 and box["y"] + box["height"] <= 900  # the whole map in the window
    regions = page.locator("circle.region")
    assert regions.count() == len(EUROPE)
    for i in range(regions.count()):
        spot = regions.nth(i).bounding_box()
        assert regions.nth(i).is_visible() and spot["width"] >= 4
        assert box["x"] <= spot["x"] and spot["x"] + spot["width"] <= box["x"] + box["width"]
    assert page.locator("svg a[href='/entity?iri=nuts%3ASE22'] > circle.region").count() == 1
    stockholm = page.locator("circle.region[data-code=SE11]")
    stockholm.hover()
    shown = page.locator("svg.focused path.link.on")
    assert shown.count() == sum("SE11" in (link.a, link.b) for link in links) > 0
    page.mouse.move(5, 5)
    assert page.locator("svg.focused").count() == 0
    page.screenshot(path=str(tmp_path / "map.png"))
    page.close()
    assert all(url.startswith("file:") for url in requests), requests
    assert not dialogs and page_file.read_text(encoding="utf-8").count("<img") == 0

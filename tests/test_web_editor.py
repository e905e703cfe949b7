"""The query editor (/query), the catalogue as JSON and the binding route, at the HTTP level, and its answer
table in a browser.

Here: what the server answers (pages of an answer with labelled IRIs, sorted as a whole, the downloads with every
row), that every asset is local and served, and that parameters are bound as RDF terms; the last test drives the
page's JavaScript in Debian's chromium, like tests/test_web_browser.py (whose server and browser it shares).
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import tomllib
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient
from test_web_browser import PIKE, server, store  # noqa: F401 (the browser test's live server and its store)
from test_web_endpoint import SLOW

from conftest import HOSTILE as HOSTILE_NAME
from conftest import ROOT
from coopgraph.sparql import NamedQuery, catalogue
from coopgraph.web import Limits, create_app, editor
from coopgraph.web.site import entity_url

HOSTILE = '"} DROP ALL #'
INNOCAP = "https://w3id.org/coopgraph/id/project/innocap-pre-study"  # what the name INNOCAP resolves to
WEB = ROOT / "graph" / "web"
#: Every NUTS region with its code and level: about 2,000 rows, 22 pages.
NUTS = "SELECT ?region ?code ?level WHERE { ?region a coop:Region ; skos:notation ?code ; coop:nutsLevel ?level }"
SCREENSHOT = "/tmp/query-results.png"


@pytest.fixture(scope="module")
def client(kg):
    return TestClient(create_app(kg))


class Assets(HTMLParser):
    """The URLs of the scripts, stylesheets, images and frames a page loads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "link":
            self.urls.append(attributes.get("href") or "")
        elif tag in ("script", "img", "iframe", "source") and "src" in attributes:
            self.urls.append(attributes["src"] or "")


def assets(page: str) -> list[str]:
    parser = Assets()
    parser.feed(page)
    return parser.urls


def textarea(page: str) -> str:
    """The text of the page's query textarea, as the browser reads it (the newline after the tag dropped)."""
    return html.unescape(re.search(r'<textarea id="query"[^>]*>\n(.*?)</textarea>', page, re.DOTALL)[1])


def editor_data(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="editor-data">(.*?)</script>', page, re.DOTALL)
    return json.loads(found[1])


# -- the page ----------------------------------------------------------------------------------------


def test_the_editor_lists_every_named_query_meant_for_people(client):
    response = client.get("/query")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for name, query in catalogue().items():
        assert (f'data-name="{name}"' in response.text) is not query.internal
        assert query.title in html.unescape(response.text)
    internal = client.get("/query", params={"name": "labels"})  # listed nowhere, still loaded by name
    assert internal.status_code == 200 and editor_data(internal.text)["name"] == "labels"
    for element in ('id="run"', 'id="results"', 'id="query"', 'id="download-csv"', 'id="download-json"'):
        assert element in response.text
    assert "declared for every query" in response.text
    assert '<code title="https://w3id.org/coopgraph/ontology#">coop:</code>' in response.text


def test_the_page_loads_only_local_assets_and_each_is_served(client):
    page = client.get("/query").text
    urls = assets(page)
    assert {"/static/codemirror/lib/codemirror.js", "/static/codemirror/lib/codemirror.css",
            "/static/codemirror/mode/sparql/sparql.js", "/static/editor.js", "/static/editor.css"} <= set(urls)
    for url in urls:
        assert url.startswith("/static/") and "//" not in url, url
        response = client.get(url)
        assert response.status_code == 200, url
        expected = {"js": "javascript", "css": "text/css", "svg": "image/svg+xml"}[url.rsplit(".", 1)[1]]
        assert expected in response.headers["content-type"], (url, response.headers["content-type"])
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)


def test_the_script_puts_data_in_the_page_as_text_only():
    script = (WEB / "static" / "editor.js").read_text(encoding="utf-8")
    for unsafe in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert unsafe not in script
    assert not re.search(r"https?://\w", script)  # nothing fetched from elsewhere


def test_every_static_file_ships_in_the_package():
    """The package-data globs of pyproject.toml (one level each, as setuptools reads them) cover every asset."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["coopgraph.web"]
    shipped = {path for pattern in globs for path in WEB.glob(pattern) if path.is_file()}
    on_disk = {path for path in (WEB / "static").rglob("*") if path.is_file()}
    assert on_disk and on_disk <= shipped
    assert (WEB / "static" / "codemirror" / "LICENSE").is_file()


def test_a_named_query_is_preselected(client):
    text = catalogue()["projects"].text
    response = client.get("/query", params={"name": "projects"})
    assert response.status_code == 200
    assert textarea(response.text) == text
    assert re.search(r'class="named-query selected"\s+data-name="projects"', response.text)
    data = editor_data(response.text)
    assert data["name"] == "projects" and data["values"] == {}
    answer = client.get("/query.json", params={"name": "partners", "project": "INNOCAP"}).json()
    assert answer["name"] == "partners" and answer["values"] == {"project": "INNOCAP"}
    assert answer["query"] == catalogue()["partners"].text


def test_the_home_page_links_to_each_named_query(client):
    home = client.get("/").text
    links = re.findall(r'href="(/query\?name=[^"]+)"', home)
    assert len(links) == sum(not query.internal for query in catalogue().values())
    for link in links:
        assert client.get(html.unescape(link)).status_code == 200


def test_a_query_text_is_preloaded_as_text(client):
    query = "SELECT * WHERE { ?s ?p ?o } # </textarea><script>alert(1)</script>"
    response = client.get("/query", params={"query": query})
    assert response.status_code == 200
    assert textarea(response.text) == query and "<script>alert(1)" not in response.text
    assert editor_data(response.text)["name"] is None
    hostile_value = client.get("/query", params={"name": "partners", "project": "</script><script>alert(1)</script>"})
    assert hostile_value.status_code == 200 and "<script>alert(1)" not in hostile_value.text
    assert editor_data(hostile_value.text)["values"] == {"project": "</script><script>alert(1)</script>"}


@pytest.mark.parametrize("params, status, message", [
    ({"name": "nope"}, 404, "there is no named query &#39;nope&#39;"),
    ({"name": "partners", "acronym": "PIKE"}, 400, "query partners has no parameter &#39;acronym&#39;"),
    ({"name": "counts", "level": "2"}, 400, "query counts has no parameter &#39;level&#39;"),
])
def test_an_unknown_query_or_parameter_is_a_clear_error_page(client, params, status, message):
    response = client.get("/query", params=params)
    assert response.status_code == status and response.headers["content-type"].startswith("text/html")
    assert message in response.text


# -- the catalogue -----------------------------------------------------------------------------------


def test_queries_json_is_the_catalogue(client):
    response = client.get("/queries.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    answer = response.json()
    named = catalogue()
    assert [entry["name"] for entry in answer["queries"]] == list(named)
    for entry in answer["queries"]:
        query = named[entry["name"]]
        assert (entry["title"], entry["description"], entry["text"]) == (query.title, query.description, query.text)
        assert entry["parameters"] == [{"name": p.name, "type": p.type, "default": p.default,
                                        "description": p.description, "minimum": p.minimum, "maximum": p.maximum}
                                       for p in query.parameters]
    level = next(entry for entry in answer["queries"] if entry["name"] == "region-pairs")["parameters"][0]
    assert (level["type"], level["default"], level["minimum"], level["maximum"]) == ("integer", "2", 0, 3)
    assert answer["prefixes"]["coop"] == "https://w3id.org/coopgraph/ontology#"


# -- binding -----------------------------------------------------------------------------------------


def test_a_hostile_value_is_bound_as_a_literal(client, kg):
    expected = catalogue()["organisations-in-region"].bind({"region": HOSTILE}).splitlines()
    by_get = client.get("/queries/organisations-in-region/bind.json", params={"region": HOSTILE})
    by_post = client.post("/queries/organisations-in-region/bind.json", json={"parameters": {"region": HOSTILE}})
    for response in (by_get, by_post):
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.json()["name"] == "organisations-in-region"
        assert response.json()["query"].splitlines() == expected
    as_a_name = client.get("/queries/partners/bind.json", params={"project": HOSTILE})  # bound to resolve it
    assert as_a_name.status_code == 404 and f"project {HOSTILE!r} names no project" in as_a_name.json()["error"]
    answer = client.post("/sparql", data={"query": by_get.json()["query"]})
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []
    assert kg.query("ASK { ?p coop:acronym 'PIKE' }") is True


def test_the_bound_text_runs_with_the_values_given(client, kg):
    """/sparql runs the bound text as sent: its header still declares the parameter, and binds nothing again."""
    bound = client.get("/queries/partners/bind.json", params={"project": "INNOCAP"}).json()["query"]
    rows = client.post("/sparql", data={"query": bound}).json()["results"]["bindings"]
    expected = sorted(str(row.organisation) for row in kg.query("partners", project="INNOCAP"))
    assert expected and sorted(row["organisation"]["value"] for row in rows) == expected
    assert expected != sorted(str(row.organisation) for row in kg.query("partners"))  # not the default, PIKE


def test_defaults_are_bound_where_no_value_is_given(client):
    response = client.get("/queries/region-pairs/bind.json")
    assert response.json()["query"] == catalogue()["region-pairs"].bind({})
    assert client.get("/queries/counts/bind.json").json()["query"] == catalogue()["counts"].text


def test_an_edited_text_is_bound_with_the_catalogue_parameters(client):
    edited = catalogue()["partners"].text.replace("ORDER BY ?role ?country ?name", "ORDER BY ?name LIMIT 3")
    response = client.post("/queries/partners/bind.json", json={"parameters": {"project": "INNOCAP"}, "query": edited})
    bound = response.json()["query"]
    assert "LIMIT 3" in bound
    assert bound == NamedQuery("partners", edited, parameters=catalogue()["partners"].parameters).bind(
        {"project": INNOCAP})
    declared_elsewhere = "# param: other (string, default x)\n" + edited
    refused = client.post("/queries/partners/bind.json",
                          json={"parameters": {"other": "y"}, "query": declared_elsewhere})
    assert refused.status_code == 400 and "has no parameter 'other'" in refused.json()["error"]


@pytest.mark.parametrize("method, path, arguments, status, message", [
    ("GET", "/queries/nope/bind.json", {}, 404, "there is no named query 'nope'"),
    ("POST", "/queries/nope/bind.json", {"json": {}}, 404, "there is no named query 'nope'"),
    ("GET", "/queries/partners/bind.json", {"params": {"acronym": "PIKE"}}, 400, "has no parameter 'acronym'"),
    ("GET", "/queries/counts/bind.json", {"params": {"projects": "1"}}, 400, "has no parameter 'projects'"),
    ("GET", "/queries/region-pairs/bind.json", {"params": {"level": "9"}}, 400, "must be from 0 to 3, not 9"),
    ("GET", "/queries/region-pairs/bind.json", {"params": {"level": "two"}}, 400, "must be an integer"),
    ("GET", "/queries/describe/bind.json", {"params": {"iri": "not an iri"}}, 400, "must be an absolute IRI"),
    ("GET", "/queries/partners/bind.json", {"params": [("project", "A"), ("project", "B")]}, 400, "once"),
    ("POST", "/queries/partners/bind.json", {"content": b"project=PIKE"}, 400, "POST a JSON object"),
    ("POST", "/queries/partners/bind.json", {"json": ["PIKE"]}, 400, "POST a JSON object"),
    ("POST", "/queries/partners/bind.json", {"json": {"params": {}}}, 400, "POST a JSON object"),
    ("POST", "/queries/partners/bind.json", {"json": {"parameters": "PIKE"}}, 400, "parameters must be an object"),
    ("POST", "/queries/partners/bind.json", {"json": {"parameters": {"project": ["PIKE"]}}}, 400,
     "parameters must be an object"),
    ("POST", "/queries/partners/bind.json", {"json": {"parameters": {"project": True}}}, 400,
     "parameters must be an object"),
    ("POST", "/queries/partners/bind.json", {"json": {"query": 1}}, 400, "query must be the text"),
    ("POST", "/queries/partners/bind.json", {"json": {"query": "DESCRIBE <urn:x>"}}, 400, "no WHERE clause"),
    ("PUT", "/queries/partners/bind.json", {}, 405, ""),
])
def test_binding_refusals(client, method, path, arguments, status, message):
    response = client.request(method, path, **arguments)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["error"]


def test_the_vendored_editor_is_documented():
    readme = (WEB / "static" / "codemirror" / "README.txt").read_text(encoding="utf-8")
    assert "CodeMirror 5." in readme and "MIT" in readme
    version = re.search(r"CodeMirror (5\.\d+\.\d+)", readme)[1]
    script = (WEB / "static" / "codemirror" / "lib" / "codemirror.js").read_text(encoding="utf-8")
    assert f'CodeMirror.version = "{version}"' in script


# -- the answer: pages, labels, sorting, downloads ----------------------------------------------------


def results(client: TestClient, **params: str) -> dict:
    """The ``results`` of the editor's JSON twin for a run (``page`` among the params)."""
    response = client.get("/query.json", params=params)
    assert response.status_code == 200, response.text
    return response.json()["results"]


@pytest.fixture
def runs(kg, monkeypatch) -> list[str]:
    """The queries the store runs from now on: the editor's through /sparql, and its label look-ups."""
    calls: list[str] = []
    for owner, method in ((kg.store, "write_answer"), (kg, "rows")):
        original = getattr(owner, method)
        monkeypatch.setattr(owner, method, lambda *args, _method=method, _original=original, **kwargs:
                            calls.append(_method) or _original(*args, **kwargs))
    return calls


def test_iris_come_with_their_label_and_page(client):
    answer = results(client, name="projects", page="1")
    (pike,) = [row for row in answer["rows"] if row["project"]["value"] == PIKE]
    assert pike["project"] == {"type": "uri", "value": PIKE, "url": entity_url(PIKE), "label": "PIKE"}
    assert pike["acronym"] == {"type": "literal", "value": "PIKE"}
    assert pike["start"] == {"type": "literal", "value": "2008", "datatype": "http://www.w3.org/2001/XMLSchema#gYear"}
    organisation = "<https://w3id.org/coopgraph/id/organisation/{}>".format
    things = f"{organisation('ernact')} nuts:SE33 {organisation('kommunforbundet-vasternorrland')} coop:Project"
    labelled = results(client, query=f"SELECT ?x WHERE {{ VALUES ?x {{ {things} }} }}", page="1")["rows"]
    assert [row["x"].get("label") for row in labelled] == [
        "European Regions Network for the Application of Communications Technology",  # English, not the acronym
        "Övre Norrland",  # without a language, not the code
        "Kommunförbundet Västernorrland",  # in Swedish only: the last resort
        None]


def test_a_page_costs_one_label_query_and_paging_runs_nothing_again(client, runs):
    text = NUTS + " # paged"  # a text no other test ran
    for number in ("1", "2", "22"):
        assert len(results(client, query=text, page=number, sort="code")["rows"]) > 0
    assert runs == ["write_answer", "rows", "rows", "rows"]


def test_the_cache_drops_the_oldest_answers(client, runs, monkeypatch):
    monkeypatch.setattr(editor, "CACHED_ANSWERS", 2)
    for number in (1, 2, 3, 1):
        results(client, query=f"SELECT ?n WHERE {{ VALUES ?n {{ {number} }} }} # cache", page="1")
    assert runs.count("write_answer") == 4  # the first was dropped when the third came


def test_a_large_answer_comes_a_page_at_a_time_sorted_as_a_whole(client, kg):
    total = len(kg.rows(NUTS))
    pages = math.ceil(total / 100)
    first = results(client, query=NUTS, page="1")
    assert total > 2000 and len(first["rows"]) == 100
    assert {key: first[key] for key in ("total", "page", "pages", "per_page", "first", "last", "sort")} == {
        "total": total, "page": 1, "pages": pages, "per_page": 100, "first": 1, "last": 100, "sort": None}
    last = results(client, query=NUTS, page=str(pages))
    assert (last["first"], last["last"], len(last["rows"])) == (100 * pages - 99, total, total - 100 * (pages - 1))
    codes = [row["code"]["value"] for number in range(1, pages + 1)
             for row in results(client, query=NUTS, page=str(number), sort="-code")["rows"]]
    assert len(codes) == total and codes == sorted(codes, key=str.casefold, reverse=True)
    top, bottom = (results(client, query=NUTS, page=number, sort="-level") for number in ("1", str(pages)))
    assert top["descending"] and {row["level"]["value"] for row in top["rows"]} == {"3"}
    assert {row["level"]["value"] for row in bottom["rows"]} == {"0"}


def test_sorting_orders_numbers_as_numbers_text_as_people_read_it_and_empty_last(client):
    query = 'SELECT * WHERE { VALUES (?n ?name) { (10 "b") (9 "Ä") (100 UNDEF) (2 "a") (UNDEF "c") (-1.5 "B") } }'

    def column(sort: str) -> list[str | None]:
        variable = sort.removeprefix("-")
        return [row.get(variable, {}).get("value") for row in results(client, query=query, page="1", sort=sort)["rows"]]

    assert column("n") == ["-1.5", "2", "9", "10", "100", None]
    assert column("-n") == ["100", "10", "9", "2", "-1.5", None]
    assert column("name") == ["a", "Ä", "B", "b", "c", None]
    assert column("-name") == ["c", "b", "B", "Ä", "a", None]


@pytest.mark.parametrize("params, message", [
    ({"page": "0"}, "page must be a whole number from 1 to 22"),
    ({"page": "23"}, "page must be a whole number from 1 to 22"),
    ({"page": "two"}, "page must be a whole number"),
    ({"page": "1", "sort": "nope"}, "there is no column 'nope' to sort by; the columns are region, code, level"),
])
def test_a_page_or_column_that_is_not_there_is_a_clear_error(client, params, message):
    response = client.get("/query.json", params={"query": NUTS, **params})
    assert response.status_code == 400 and message in response.json()["error"]


def test_the_downloads_have_every_row_of_the_query_as_run(client, kg):
    for answer in (results(client, query=NUTS, page="3", sort="code"),
                   results(client, name="partners", project="INNOCAP", page="1")):
        download = {"format": "csv", "query": answer["query"]}
        rows = list(csv.DictReader(io.StringIO(client.get("/sparql", params=download).text)))
        assert len(rows) == answer["total"] and list(rows[0]) == answer["variables"]
        download["format"] = "json"
        assert len(client.get("/sparql", params=download).json()["results"]["bindings"]) == answer["total"]
    expected = {str(row.organisation) for row in kg.query("partners", project="INNOCAP")}
    assert {row["organisation"] for row in rows} == expected  # the value bound, not the default (PIKE)


def test_the_json_twin_carries_the_page_the_editor_shows(client, kg, runs):
    params = {"name": "partners", "project": "INNOCAP", "page": "1", "sort": "-name"}
    page = client.get("/query", params=params)
    assert page.status_code == 200 and runs == []  # the page asks its JSON twin for the rows
    assert {key: editor_data(page.text)[key] for key in ("name", "values", "page", "sort")} == {
        "name": "partners", "values": {"project": "INNOCAP"}, "page": "1", "sort": "-name"}
    twin = client.get("/query.json", params=params).json()
    assert twin["name"] == "partners" and twin["values"] == {"project": "INNOCAP"}
    answer = twin["results"]
    total = len(kg.rows("partners", project="INNOCAP"))
    assert (answer["page"], answer["total"], answer["sort"], answer["descending"]) == (1, total, "name", True)
    assert answer["query"] == catalogue()["partners"].bind({"project": INNOCAP})
    assert all(row["organisation"]["label"] and row["organisation"]["url"] for row in answer["rows"])
    assert "results" not in client.get("/query.json", params={"name": "partners"}).json()


def test_a_long_query_is_posted_as_a_form_with_the_view_in_the_url(client):
    long = NUTS + " #" + "x" * 5000
    posted = client.post("/query.json?page=2&sort=-code", data={"query": long})
    assert posted.status_code == 200
    assert posted.json()["results"] == results(client, query=long, page="2", sort="-code")
    named = client.post("/query.json?page=1", data={"name": "organisations-in-region", "region": HOSTILE})
    assert named.json()["results"]["total"] == 0 and named.json()["values"] == {"region": HOSTILE}
    assert client.post("/query", data={"query": NUTS}).status_code == 405


def test_a_hostile_value_is_bound_as_a_literal_when_the_editor_runs_it(client, kg):
    answer = results(client, name="organisations-in-region", region=HOSTILE, page="1")
    assert answer["total"] == 0 and answer["query"] == catalogue()["organisations-in-region"].bind({"region": HOSTILE})
    assert kg.query("ASK { ?p coop:acronym 'PIKE' }") is True


@pytest.mark.parametrize("query, status, message", [
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 403, "SERVICE (federated query) is not"),
    ("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", 403, "read-only"),
    ("SELECT * WHERE { ?s ?p ?o", 400, "bad SPARQL"),
])
def test_the_editor_refuses_what_the_endpoint_refuses(client, kg, query, status, message):
    response = client.get("/query.json", params={"query": query, "page": "1"})
    assert response.status_code == status and message in response.json()["error"]
    assert kg.query("ASK { <urn:x:a> ?p ?o }") is False


def test_the_endpoint_limits_hold_for_the_editor(kg):
    def answer(limits: Limits, query: str):
        return TestClient(create_app(kg, limits)).get("/query.json", params={"query": query, "page": "1"})

    slow = answer(Limits(timeout=0.05), SLOW)
    assert slow.status_code == 503 and "longer than 0.05 s" in slow.json()["error"]
    big = answer(Limits(max_result_bytes=2000), NUTS)
    assert big.status_code == 413 and "larger than 2,000 bytes" in big.json()["error"]


def test_ask_and_graph_answers_are_shown_whole(client):
    assert results(client, query="ASK { ?p coop:acronym 'PIKE' }", page="1") == {
        "query": "ASK { ?p coop:acronym 'PIKE' }", "boolean": True}
    graph = results(client, query="CONSTRUCT { ?p coop:acronym ?a } WHERE { ?p coop:acronym ?a }", page="1")["graph"]
    assert '"PIKE"' in graph


# -- in a browser ------------------------------------------------------------------------------------


@pytest.mark.browser
def test_the_answer_table_in_a_browser(page, server):  # noqa: F811 (server: imported above)
    """Labels link to entity pages, the hostile name stays text, 2,000 rows come 100 at a time, headers sort
    with the keyboard, the CSV download has every row; a screenshot of a sorted page for people to look at."""
    view = page.page
    view.set_viewport_size({"width": 1400, "height": 900})
    view.goto(f"{server}/query?name=projects")
    view.click("#run")
    pike = view.locator("#results table").get_by_role("link", name="PIKE", exact=True)
    pike.wait_for()
    assert pike.get_attribute("href") == entity_url(PIKE) and pike.get_attribute("title") == PIKE

    view.click(".named-query[data-name=partners]")
    view.fill("#parameter-project", "PIKE")
    view.click("#run")
    view.locator("#results table").get_by_role("link", name=HOSTILE_NAME).wait_for()  # the label, as text
    assert view.locator("#results img").count() == 0

    view.goto(f"{server}/query?" + urlencode({"query": NUTS, "page": "1"}))  # a run's URL runs it
    rows = view.locator("#results table tbody tr")
    rows.first.wait_for()
    pager = view.locator(".results-pager .range").first
    total = int(re.fullmatch(r"rows 1–100 of ([\d,]+)", pager.inner_text())[1].replace(",", ""))
    assert total > 2000 and rows.count() == 100
    header = view.locator("th", has=view.get_by_role("button", name="level"))
    view.get_by_role("button", name="level").focus()
    for order in ("ascending", "descending"):
        view.keyboard.press("Enter")
        view.wait_for_selector(f"th[aria-sort={order}]", state="attached")
        assert header.get_attribute("aria-sort") == order
    view.locator(".results-pager").first.get_by_role("button", name="Next page").click()
    view.locator(".results-pager .range", has_text="rows 101").first.wait_for()
    assert pager.inner_text() == f"rows 101–200 of {total:,}" and rows.count() == 100
    assert {rows.nth(n).locator("td").nth(2).inner_text() for n in range(100)} == {"3"}
    assert "page=2" in view.url and "sort=-level" in view.url
    view.locator("#downloads").evaluate("(line) => line.scrollIntoView()")  # the answer, not the editor
    view.screenshot(path=SCREENSHOT)

    download = view.request.get(server + view.locator("#download-csv").get_attribute("href"))
    assert len(list(csv.DictReader(io.StringIO(download.text())))) == total

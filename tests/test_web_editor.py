"""The query editor (/query), the catalogue as JSON and the binding route, at the HTTP level.

The page's JavaScript is exercised in a browser by the Playwright tests; here: what the server
answers, that every asset is local and served, and that parameters are bound as RDF terms.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from conftest import ROOT
from coopgraph.sparql import NamedQuery, catalogue
from coopgraph.web import create_app

HOSTILE = '"} DROP ALL #'
WEB = ROOT / "graph" / "web"


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


def test_the_editor_lists_every_named_query(client):
    response = client.get("/query")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    for name, query in catalogue().items():
        assert f'data-name="{name}"' in response.text
        assert query.title in html.unescape(response.text)
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
        expected = "javascript" if url.endswith(".js") else "text/css"
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
    assert len(links) == len(catalogue())
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
    expected = catalogue()["partners"].bind({"project": HOSTILE}).splitlines()
    by_get = client.get("/queries/partners/bind.json", params={"project": HOSTILE})
    by_post = client.post("/queries/partners/bind.json", json={"parameters": {"project": HOSTILE}})
    for response in (by_get, by_post):
        assert response.status_code == 200 and response.headers["content-type"] == "application/json"
        assert response.json()["name"] == "partners"
        assert response.json()["query"].splitlines() == expected
    answer = client.post("/sparql", data={"query": by_get.json()["query"]})
    assert answer.status_code == 200 and answer.json()["results"]["bindings"] == []
    assert kg.query("ASK { ?p coop:acronym 'PIKE' }") is True


def test_the_bound_text_runs_with_the_values_given(client, kg):
    """/sparql runs the bound text as sent: its header still declares the parameter, and binds nothing again."""
    bound = client.get("/queries/partners/bind.json", params={"project": "INNOCAP"}).json()["query"]
    rows = client.post("/sparql", data={"query": bound}).json()["results"]["bindings"]
    expected = sorted(organisation for organisation, *_ in kg.rows("partners", project="INNOCAP"))
    assert expected and sorted(row["organisation"]["value"] for row in rows) == expected
    assert expected != sorted(organisation for organisation, *_ in kg.rows("partners"))  # not the default, PIKE


def test_defaults_are_bound_where_no_value_is_given(client):
    response = client.get("/queries/region-pairs/bind.json")
    assert response.json()["query"] == catalogue()["region-pairs"].bind({})
    assert client.get("/queries/counts/bind.json").json()["query"] == catalogue()["counts"].text


def test_an_edited_text_is_bound_with_the_catalogue_parameters(client):
    edited = catalogue()["partners"].text.replace("ORDER BY ?role ?country ?name", "ORDER BY ?name LIMIT 3")
    response = client.post("/queries/partners/bind.json", json={"parameters": {"project": HOSTILE}, "query": edited})
    bound = response.json()["query"]
    assert "LIMIT 3" in bound
    assert bound == NamedQuery("partners", edited, parameters=catalogue()["partners"].parameters).bind(
        {"project": HOSTILE})
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

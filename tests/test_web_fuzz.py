"""Hostile requests to every route of the web app, drawn by Hypothesis: whatever a client sends, the server answers
without a 5xx (bar the endpoint's time limit, 503), without a traceback or a Python exception's name, with a reason
for every refusal and the security headers on every answer; SPARQL Update and SERVICE never run.

The runs are derandomized (the same cases on every run, in CI too) and bounded: the whole module takes about 40 s on
two slow cores. A case Hypothesis found once stays as a plain test at the foot of the file.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

import coopgraph
from coopgraph.sparql import catalogue
from coopgraph.web import Limits, create_app
from coopgraph.web.editor import EXAMPLE
from coopgraph.web.guard import CONTENT_SECURITY_POLICY

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: The endpoint's time limit here: a drawn query that runs away is answered (503) without holding up the run.
TIMEOUT = 5.0

PIKE = "https://w3id.org/coopgraph/id/project/pike"
REGION = "http://data.europa.eu/nuts/code/SE33"
#: Where a SERVICE would go: a closed port, so SERVICE SILENT would answer 200 if it ever ran.
NOWHERE = "<http://127.0.0.1:9/sparql>"
#: A statement no request may add to the store.
PLANTED = '<http://fuzz.example/s> <http://fuzz.example/p> "planted"'

#: Every route and the query parameters its code reads (app.py, pages.py, entities.py, search.py, editor.py,
#: networks.py, endpoint.py; site.py's text_parameter and page_number).
NETWORK_FILTERS = ["level", "programme", "from", "to", "role", "source", "weight", "min_projects"]
NAMED_PARAMETERS = sorted({parameter.name for query in catalogue().values() for parameter in query.parameters})
ROUTES = {
    "/": [], "/index.json": [], "/.json": [], "/favicon.ico": [], "/queries.json": [],
    "/entity": ["iri"], "/entity.json": ["iri"], "/shared": ["a", "b"], "/shared.json": ["a", "b"],
    "/search": ["q", "page"], "/search.json": ["q", "page"],
    "/query": ["name", "query", "page", "sort", *NAMED_PARAMETERS],
    "/query.json": ["name", "query", "page", "sort", *NAMED_PARAMETERS],
    "/network": ["of", "top", *NETWORK_FILTERS], "/network.json": ["of", "top", *NETWORK_FILTERS],
    "/regions": ["n", *NETWORK_FILTERS], "/regions.json": ["n", *NETWORK_FILTERS],
    "/regions.csv": ["n", *NETWORK_FILTERS],
    "/sparql": ["query", "format", "update", "default-graph-uri", "named-graph-uri"],
}
#: Routes with a name in their path, and names for it: real ones and hostile ones.
PATH_ROUTES = ["/static/{}", "/assets/{}", "/queries/{}/bind.json", "/{}"]
PATH_NAMES = ["style.css", "editor.js", "codemirror", "world-atlas", "vis-network.min.js", "region-pairs", "describe",
              "..", "%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fpyproject.toml", "%00", "%ff%fe", "a" * 5000, "%20", ".",
              "style.css%00.js", "STYLE.CSS", "style.css/", "\\", "%5c..%5c", "index.json", "favicon.ico"]

#: Values that a parameter meant to be a number, a choice or a name might meet.
NUMBERS = ["0", "1", "2", "3", "-1", "-0", " 3", "+4", "3 ", "00001", "1e9", "1E3", "1.0", "1,000", "1_000", "NaN",
           "nan", "inf", "-inf", "0x10", "0b1", "0o7", "１２", "²", "٣", "½", "Ⅻ", "2147483648",
           "-9223372036854775809", "9" * 20, "9" * 5000, "1" * 4301, "0" * 5000 + "1"]
TEXTS = ["", " ", "\x00", "\t\n\r", "\x7f", "\u202e", "\ufeff", "x" * 199, "x" * 200, "x" * 201, "x" * 5000,
         "<script>alert(1)</script>", "'", '"', "{{7*7}}", "%ff", "../../etc/passwd", "\\", "ＡＢＣ", "a b", "&", "=",
         "#", "?", "<>", "<http://x>", "_:b0", "urn:x", "http://", "pike", "PIKE", "Umeå", "-acronym", "-", "?s"]
VALID = {
    "iri": [PIKE, REGION, "http://data.europa.eu/nuts/code/SE",
            "https://w3id.org/coopgraph/id/programme/interreg-ivc",
            "https://w3id.org/coopgraph/id/organisation/seed/kommunforbundet-vasternorrland",
            "http://publications.europa.eu/resource/authority/country/SWE"],
    "a": [REGION, "http://data.europa.eu/nuts/code/SE32", "http://data.europa.eu/nuts/code/FI19"],
    "b": [REGION, "http://data.europa.eu/nuts/code/NO06", "http://publications.europa.eu/resource/authority/country/SWE"],
    "q": ["pike", "umea", "Umeå universitet", "se"], "page": ["1", "2"],
    "name": [name for name in catalogue()], "sort": ["acronym", "-acronym", "project", "-"],
    "of": ["regions", "countries", "organisations", "projects", "programmes"], "weight": ["fractional", "projects",
                                                                                      "association", "jaccard"],
    "role": ["coordinator", "partner", "lead-partner", "leads"], "source": ["seed", "cordis"],
    "programme": ["Interreg IVC", "INTERREG IVC", "H2020"], "format": ["json", "xml", "csv", "tsv", "turtle", "yaml"],
    "query": ["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 2"],
}
ACCEPTS = [None, "", "*/*", "text/html", "application/json", "application/json;q=0, text/html",
           "application/sparql-results+json", "text/csv", "text/turtle", "garbage;;q=x", "text/html;q=abc, */*;q=-1"]
METHODS = ["GET", "GET", "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS"]

#: What a Python error shows when it leaks into an answer.
LEAKS = re.compile(r"Traceback|File \"|\b(?:Value|Type|Key|Index|Attribute|Unicode(?:De|En)code|Recursion|Overflow|"
                   r"Syntax|Runtime|Assertion|ZeroDivision|Store|Query|Network|JSONDecode|OS|Lookup)Error\b|"
                   r"\bHTTPException\b|invalid literal for|object has no attribute|unsupported operand")


@pytest.fixture(scope="module")
def kg():
    """A graph of the module's own, not the shared one: the updates it sends must change nothing, and it checks."""
    graph = coopgraph.open(":memory:")
    yield graph
    graph.close()


@pytest.fixture(scope="module")
def client(kg):
    """One app for the module (each example reuses it: its caches fill as a server's would)."""
    with TestClient(create_app(kg, Limits(timeout=TIMEOUT)), raise_server_exceptions=False) as client:
        yield client


def check(response) -> None:
    """What every answer must be, whatever was asked."""
    status, text = response.status_code, response.text
    assert status < 500 or status == 503, f"{status} for {response.request.method} {response.request.url}:\n{text}"
    assert not LEAKS.search(text), f"a Python error leaks into {response.request.url}:\n{text[:2000]}"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    if response.request.method == "HEAD":  # no body
        return
    if status >= 400:
        assert re.search(r"[a-z]{3}", _reason(response)), f"{status} without a reason: {text[:500]}"
    if status == 200 and response.headers["content-type"].startswith("application/json"):
        json.loads(text)


def _reason(response) -> str:
    """The reason an error answer gives: its JSON's ``error``, the page's error paragraph, or its text."""
    media_type = response.headers["content-type"]
    if media_type.startswith("application/json"):
        return response.json()["error"]
    if media_type.startswith("text/html"):
        found = re.search(r'<p class="error">(.*?)</p>', response.text, re.DOTALL)
        return html.unescape(found.group(1)) if found else ""
    return response.text


# -- query parameters ----------------------------------------------------------------------------------


def values(name: str) -> st.SearchStrategy[str]:
    """Hostile values for a parameter, with valid ones so that a request gets past the first check."""
    return st.one_of(st.sampled_from(VALID.get(name, ["1"])), st.sampled_from(NUMBERS), st.sampled_from(TEXTS),
                     st.text(max_size=30))


@st.composite
def fields(draw, names: list[str]) -> list[tuple[str, str]]:
    """Known parameters with hostile values, some repeated, and unknown ones."""
    known = [st.sampled_from(names).flatmap(lambda name: st.tuples(st.just(name), values(name)))] * 2 if names else []
    unknown = st.tuples(st.text(max_size=10), st.sampled_from(TEXTS))
    return draw(st.lists(st.one_of(*known, unknown), max_size=6))


@st.composite
def requests(draw) -> dict:
    path = draw(st.sampled_from(sorted(ROUTES)))
    pairs = draw(fields(ROUTES[path]))
    method = draw(st.sampled_from(METHODS))
    accept = draw(st.sampled_from(ACCEPTS))
    request = {"method": method, "url": path, "headers": {} if accept is None else {"accept": accept}}
    if method == "POST" and draw(st.booleans()):  # the fields as a form
        request["content"] = urlencode(pairs).encode()
        request["headers"]["content-type"] = "application/x-www-form-urlencoded"
    else:
        request["params"] = pairs
    return request


@settings(FUZZ, max_examples=120)
@given(request=requests())
def test_hostile_parameters(client, request):
    check(client.request(**request))


#: One route of each handler and the parameters it reads (a twin differs by its format only, which the Accept header
#: varies here; the filters /network and /regions share are read by one function, swept once); the named queries'
#: parameters through the queries that declare them.
SWEEP = {"/entity": ["iri"], "/shared.json": ["a", "b"], "/search": ["q", "page"],
         "/query.json": ["name", "query", "page", "sort"], "/network": ROUTES["/network"],
         "/regions.json": ["n", "level", "weight", "min_projects"], "/sparql": ROUTES["/sparql"],
         "/queries/network-participations-filtered/bind.json": ["programmes", "first_year", "last_year", "roles"],
         "/queries/describe/bind.json": ["iri"]}
#: What the sweep sends to each: every number, and the texts that are hostile whatever the parameter.
SWEPT = NUMBERS + TEXTS[:12]
@pytest.mark.parametrize("path", SWEEP)
def test_every_hostile_value_of_every_parameter(client, path):
    """Each parameter alone with each value of :data:`SWEPT`, the others valid or absent: a value too rare for the
    fuzzing to draw (such as "²") still gets sent."""
    base = {"/query.json": {"page": "1", "query": "ASK {}"}, "/sparql": {"query": "ASK {}"}}.get(path, {})
    for number, (name, value) in enumerate((name, value) for name in SWEEP[path] for value in SWEPT):
        accept = ACCEPTS[number % len(ACCEPTS)]
        check(client.get(path, params={**base, name: value}, headers={} if accept is None else {"accept": accept}))


@st.composite
def raw_queries(draw) -> str:
    """A query string as bytes on the wire may be: invalid percent escapes, invalid UTF-8, separators alone."""
    path = draw(st.sampled_from(sorted(ROUTES)))
    names = ROUTES[path] or ["x"]
    piece = st.one_of(st.sampled_from(["%", "%%", "%f", "%zz", "%ff%fe", "%c3", "%c3%28", "%ed%a0%80", "%00", "&",
                                       "=", "==", "+", ";", "%26", "%3D", "%2B", "%20"]),
                      st.binary(max_size=4).map(lambda data: quote(data, safe="")),
                      st.text(st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#"), max_size=8))
    parts = draw(st.lists(st.tuples(st.sampled_from(names), st.lists(piece, max_size=4).map("".join)), max_size=5))
    return path + "?" + "&".join(f"{name}={value}" for name, value in parts) + draw(st.sampled_from(["", "&", "&&"]))


@FUZZ
@given(url=raw_queries(), accept=st.sampled_from(ACCEPTS))
def test_raw_query_strings(client, url, accept):
    check(client.get(url, headers={} if accept is None else {"accept": accept}))


@settings(FUZZ, max_examples=60)
@given(route=st.sampled_from(PATH_ROUTES), name=st.one_of(st.sampled_from(PATH_NAMES), st.text(
    st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#?"), max_size=12)),
       method=st.sampled_from(["GET", "POST"]), pairs=fields(["level", "iri", "query", "parameters"]))
def test_hostile_paths(client, route, name, method, pairs):
    check(client.request(method, route.format(name), params=pairs))


# -- SPARQL text -------------------------------------------------------------------------------------------

SEEDS = [EXAMPLE, "ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
         f"DESCRIBE <{PIKE}>", "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 5",
         'SELECT * WHERE { ?p coop:acronym ?a FILTER(REGEX(?a, "^P", "i")) } LIMIT 5',
         *(query.text for name, query in catalogue().items() if name in ("projects", "programmes", "describe"))]
FRAGMENTS = ["{", "}", "(", ")", "[", "]", "<", ">", '"', "'", '"""', "'''", "\\", "\\u0053ERVICE", "\\", "#",
             "\n", "\x00", "\ufffd", "?", "$", "_:", "@en", "^^xsd:integer", "*", "|", "/", "^", "!", ".", ";", ",",
             "foo:bar", ":", "PREFIX : <>", "PREFIX x: <not an iri>", "BASE <::>", "99999999999999999999999999",
             "1e999999", "-1e-999999", "NaN", "INF", "LIMIT -1", "OFFSET 99999999999999999999", "LIMIT 0",
             "GRAPH ?g", "VALUES ?x { 1 2 }", "FILTER(", "BIND(1 AS ?x)", "OPTIONAL", "UNION", "MINUS", "EXISTS",
             "SELECT", "WHERE", "ASK", "CONSTRUCT", "DESCRIBE", "FROM <urn:x>", "FROM NAMED <urn:x>",
             f"SERVICE {NOWHERE} {{ ?s ?p ?o }}", f"INSERT DATA {{ {PLANTED} }}", "LOAD <http://127.0.0.1:9/>",
             "DROP ALL", "CLEAR DEFAULT", "<<( ?s ?p ?o )>>", "xsd:integer(\"9\")", "STRDT(", "LANG(", "COALESCE()"]
#: Nesting within what Oxigraph survives (see test_deep_nesting_does_not_crash_the_server).
DEPTH = 300


@st.composite
def mutated(draw) -> str:
    """A valid query with pieces spliced in and cut out."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 12))
        text = text[:at] + draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6))) + text[at + cut:]
    return text


@st.composite
def nested(draw) -> str:
    depth = draw(st.integers(1, DEPTH))
    shape = draw(st.sampled_from(["braces", "parens", "nots", "unions", "optionals", "unclosed", "subqueries"]))
    return {"braces": "ASK " + "{" * depth + "}" * depth,
            "parens": "ASK { FILTER(" + "(" * depth + "1" + ")" * depth + ") }",
            "nots": "ASK { FILTER(" + "!" * depth + "true) }",
            "unions": "ASK { " + " UNION ".join(["{ BIND(1 AS ?x) }"] * depth) + " }",
            "optionals": "ASK { " + " ".join(["OPTIONAL { BIND(1 AS ?x) }"] * depth) + " }",
            "unclosed": "SELECT * WHERE " + "{ ?s ?p ?o " * depth,
            "subqueries": "SELECT * WHERE " + "{ SELECT * WHERE " * depth + "{}" + "}" * depth}[shape]


SPARQL = st.one_of(mutated(), mutated(), nested(), st.text(max_size=80), st.sampled_from(FRAGMENTS),
                   st.builds(lambda text: 'ASK { FILTER("' + text + ') }', st.text(max_size=20)))


def send(client, transport: str, query: str | bytes):
    """A query as each kind of request can carry it: the endpoint's (a form either way) and the editor's two."""
    body = query if isinstance(query, bytes) else query.encode()
    text = body.decode("utf-8", "replace")
    if transport == "get":
        return client.get("/sparql", params={"query": text})
    if transport == "form":
        return client.post("/sparql", data={"query": text})
    if transport == "body":
        return client.post("/sparql", content=body, headers={"content-type": "application/sparql-query"})
    if transport == "update":
        return client.post("/sparql", content=body, headers={"content-type": "application/sparql-update"})
    if transport == "multipart":
        return client.post("/sparql", files={"query": (None, body)})
    if transport == "editor":
        return client.get("/query.json", params={"query": text, "page": "1"})
    return client.post("/query.json?page=1", data={"query": text})  # the editor's long queries


TRANSPORTS = st.sampled_from(["get", "form", "multipart", "body", "update", "editor", "editor-form"])


@settings(FUZZ, max_examples=160)
@given(query=st.one_of(SPARQL, st.binary(max_size=40)), transport=TRANSPORTS)
def test_hostile_sparql(client, kg, query, transport):
    check(send(client, transport, query))
    assert not kg.query(f"ASK {{ {PLANTED} }}")  # no Update got through


#: SERVICE as a query may spell it, and where it may stand.
SERVICES = ["SERVICE", "service", "Service", "sErViCe", "SERVICE SILENT", "service silent", "SERVICE  SILENT"]
ESCAPED = ["\\u0053ERVICE", "\\U00000053ERVICE", "SERV\\u0049CE", "\\u0073ervice", "S\\u0045RVICE SILENT"]
SERVICE_PLACES = ["ASK {{ {} {} {{ ?s ?p ?o }} }}", "SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ {} {} {{ ?s ?p ?o }} }} }}",
                  "SELECT * {{ {{ SELECT * {{ {} {} {{ }} }} }} UNION {{ }} }}",
                  "# SERVICE in a comment\nASK {{ FILTER(\"SERVICE\" != \"\") {} {} {{ }} }}",
                  "ASK {{ FILTER EXISTS {{ {} {} {{ }} }} }}",
                  "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {} {} {{ ?s ?p ?o }} }}"]


@settings(FUZZ, max_examples=80)
@given(keyword=st.sampled_from(SERVICES + ESCAPED), place=st.sampled_from(SERVICE_PLACES),
       space=st.sampled_from([" ", "", "\n", "\t", "#c\n", "\r\n"]), transport=TRANSPORTS)
def test_service_never_runs(client, keyword, place, space, transport):
    """A SERVICE (to a closed port, SILENT or not) is refused; an escaped one does not parse: either way not a 200."""
    response = send(client, transport, place.format(keyword + space, NOWHERE))
    check(response)
    if keyword in ESCAPED:
        assert response.status_code in (400, 403), response.text
    else:
        assert response.status_code == 403, response.text


UPDATES = [f"INSERT DATA {{ {PLANTED} }}", f"PREFIX x: <urn:x>\nINSERT DATA {{ {PLANTED} }}",
           f"INSERT {{ {PLANTED} }} WHERE {{ }}", f"DELETE {{ ?s ?p ?o }} INSERT {{ {PLANTED} }} WHERE {{ ?s ?p ?o }}",
           "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL", "DROP ALL", "LOAD <http://127.0.0.1:9/> INTO GRAPH <urn:g>",
           "CREATE GRAPH <urn:g>", f"ASK {{}} ; INSERT DATA {{ {PLANTED} }}", f"insert data {{ {PLANTED} }}"]


@settings(FUZZ, max_examples=40)
@given(update=st.sampled_from(UPDATES), transport=TRANSPORTS)
def test_updates_never_run(client, kg, update, transport):
    response = send(client, transport, update)
    check(response)
    assert response.status_code in (400, 403), response.text
    assert kg.query("ASK { ?s ?p ?o }") and not kg.query(f"ASK {{ {PLANTED} }}")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
BODY_NAMES = ["parameters", "query", "level", "iri", "first_year"]


@settings(FUZZ, max_examples=80)
@given(name=st.sampled_from(["region-pairs", "describe", "network-participations-filtered", "nowhere"]),
       body=st.one_of(
           st.fixed_dictionaries({}, optional={"parameters": st.one_of(JSON, st.dictionaries(
               st.sampled_from(NAMED_PARAMETERS + BODY_NAMES), st.one_of(JSON, st.sampled_from(NUMBERS + TEXTS)),
               max_size=3)), "query": st.one_of(JSON, SPARQL)}).map(lambda body: json.dumps(body).encode()),
           JSON.map(lambda body: json.dumps(body).encode()), st.binary(max_size=30),
           st.sampled_from([b"[" * 100_000, b'{"parameters": ' * 50_000, b"1e999999", b"NaN", b'{"query": "\\ud800"}',
                            b"\xff\xfe{}", b'{"parameters": {"level": 1e999}}', b'{"a": 1, "a": 2}'])))
def test_hostile_json_bodies(client, name, body):
    """The bodies ``/queries/{name}/bind.json`` reads as JSON."""
    check(client.post(f"/queries/{name}/bind.json", content=body))


# -- cases found: each a plain test ------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["²", "³", "¹", "9" * 5000, "1" * 4301, "0", "-1", "1e3", "0x10"])
@pytest.mark.parametrize("url", ["/search.json?q=pike", "/query.json?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D"])
def test_a_page_that_is_no_whole_number_is_a_400(client, url, page):
    """"²" is a digit to str.isdigit that int() refuses, and int() refuses 5,000 digits: both were a 500."""
    response = client.get(f"{url}&page={quote(page)}")
    assert response.status_code == 400 and "page must be a whole number" in response.json()["error"]


@pytest.mark.parametrize("page, shown", [("1", 1), (" 1 ", 1), ("１", 1), ("0001", 1), ("0" * 5000 + "1", 1)])
def test_a_page_in_any_decimal_digits_is_read(client, page, shown):
    assert client.get("/search.json", params={"q": "pike", "page": page}).json()["page"] == shown


CRASH = """
import coopgraph
from starlette.testclient import TestClient
from coopgraph.web import create_app
client = TestClient(create_app(coopgraph.open(":memory:")), raise_server_exceptions=False)
answer = client.post("/sparql", content=("ASK " + "{" * 20000 + "}" * 20000).encode(),
                     headers={"content-type": "application/sparql-query"})
print(answer.status_code)
"""


def test_deep_nesting_does_not_crash_the_server():
    """In a process of its own: the crash (SIGSEGV) would end the test run."""
    run = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "400", run.returncode


@pytest.mark.parametrize("url", ["/network?to=1", "/network.json?from=9998", "/network?of=organisations&to=1990"])
def test_a_network_that_the_filters_leave_empty_is_no_500(client, url):
    check(client.get(url))


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"parameters": ' * 50_000])
def test_json_nested_past_the_recursion_limit_is_a_400(client, body):
    """json.loads raises RecursionError, not JSONDecodeError, on arrays nested some 10,000 deep: it was a 500."""
    response = client.post("/queries/region-pairs/bind.json", content=body)
    assert response.status_code == 400 and "POST a JSON object" in response.json()["error"]


def test_a_query_sent_as_a_file_part_is_no_500(client):
    check(client.post("/sparql", files={"query": ("query.rq", b"ASK {}", "application/sparql-query")}))

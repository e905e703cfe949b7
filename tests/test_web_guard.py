"""What guards every request and answer: security headers, the Host check, the limit on request bodies."""

from __future__ import annotations

import doctest

import pytest
from starlette.testclient import TestClient

from coopgraph.web import create_app, guard
from coopgraph.web.guard import CONTENT_SECURITY_POLICY, allowed_hosts

ASK = b"ASK { ?p coop:acronym 'PIKE' }"


@pytest.fixture(scope="module")
def client(kg):
    return TestClient(create_app(kg, hosts=allowed_hosts("127.0.0.1"), max_body_bytes=1000),
                      base_url="http://127.0.0.1:8000")


@pytest.mark.parametrize("path", ["/", "/index.json", "/static/style.css", "/nowhere", "/search?q=PIKE",
                                  "/sparql?query=ASK%7B%7D", "/sparql?query=nonsense", "/favicon.ico"])
def test_every_answer_carries_the_security_headers(client, path):
    answer = client.get(path)
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("host, status", [("127.0.0.1:8000", 200), ("localhost:8000", 200), ("[::1]:8000", 200),
                                          ("evil.example", 400), ("127.0.0.1.evil.example:8000", 400)])
def test_a_request_must_name_a_host_the_server_is_bound_to(client, host, status):
    assert client.get("/", headers={"host": host}).status_code == status


def test_any_host_only_when_listening_everywhere_without_names():
    assert doctest.testmod(guard).failed == 0
    assert allowed_hosts("192.168.1.5") == ["192.168.1.5"]


def test_bodies_over_the_limit_are_refused_unread(client):
    query = {"content-type": "application/sparql-query", "accept": "application/sparql-results+json"}
    assert client.post("/sparql", content=ASK, headers=query).json()["boolean"] is True  # under the limit
    near = b"#" * (990 - len(ASK)) + b"\n" + ASK  # 991 bytes, declared and read: each counted once
    assert client.post("/sparql", content=near, headers=query).json()["boolean"] is True
    declared = client.post("/sparql", content=b"#" * 1001 + ASK, headers=query)
    assert declared.status_code == 413 and "over 1,000 bytes" in declared.text

    def chunks():  # no Content-Length: the bytes are counted as they come
        for _ in range(20):
            yield b"#" * 100

    chunked = client.post("/sparql", content=chunks(), headers=query)
    assert chunked.status_code == 413
    page = client.post("/sparql", content=b"x" * 5000, headers={"content-type": "application/sparql-query",
                                                                "accept": "text/html"})
    assert page.status_code == 413 and "Request too large" in page.text

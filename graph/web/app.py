"""The web app of ``coopgraph serve``: an ASGI application over one knowledge graph."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Route

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.web.endpoint import DEFAULT_LIMITS, Limits, SparqlEndpoint


def create_app(kg: KnowledgeGraph, limits: Limits = DEFAULT_LIMITS, cors_origins: tuple[str, ...] = ()) -> Starlette:
    """The app: the SPARQL endpoint at ``/sparql``; ``cors_origins`` may query it from their pages.

    Examples
    --------
    >>> import coopgraph
    >>> from starlette.testclient import TestClient
    >>> client = TestClient(create_app(coopgraph.open(":memory:")))
    >>> client.get("/sparql", params={"query": "ASK { ?p coop:acronym 'PIKE' }"}).json()["boolean"]
    True
    """
    middleware = [Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                             allow_headers=["Accept", "Content-Type"])] if cors_origins else []
    endpoint = SparqlEndpoint(kg, limits)
    return Starlette(routes=[Route("/sparql", endpoint.respond, methods=["GET", "POST"])], middleware=middleware)

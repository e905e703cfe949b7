"""The web app of ``coopgraph serve``: an ASGI application over one knowledge graph."""

from __future__ import annotations

import contextlib
import inspect
import time
from typing import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.network.build import NO_FILTERS
from coopgraph.web import editor, entities, networks, pages, search
from coopgraph.web.admission import Admission, Busy, PastTime
from coopgraph.web.endpoint import DEFAULT_LIMITS, Limits, SparqlEndpoint
from coopgraph.web.guard import MAX_BODY_BYTES, BodyLimit, SecurityHeaders
from coopgraph.web.served import Refreshing, ServedGraph
from coopgraph.web.site import STATIC, Site

#: Requests for pages that may wait for a turn (a wait costs nothing but a place in the event loop).
PAGES_WAITING = 64
_TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 413: "Request too large",
           503: "Not now",
           500: "Server error"}


def favicon(request: Request) -> Response:
    """Browsers ask for /favicon.ico whatever the page says: the same icon, not a 404."""
    return FileResponse(str(STATIC / "favicon.svg"), media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})


def _admitted(route: Route, admission: Admission, seconds: float) -> Route:
    """``route`` made in a thread in a turn of ``admission`` (:meth:`.Admission.run`), answered within ``seconds``
    of its arrival or refused (503). Past the limit, a page goes on being made and is kept (see
    :class:`.networks.Cache`), so that asking again soon gets it. The query editor's route (a coroutine, whose
    queries the endpoint bounds) is left as it is."""
    if inspect.iscoroutinefunction(route.endpoint):
        return route
    handler = route.endpoint

    async def respond(request: Request) -> Response:
        try:
            return await admission.run(time.monotonic() + seconds, handler, request)
        except Busy as busy:
            raise HTTPException(503, str(busy)) from None
        except PastTime:
            raise HTTPException(503, f"this page took longer than {seconds:g} s to make; it is still being made: "
                                     "ask again in a moment") from None

    return Route(route.path, respond, methods=route.methods, name=route.name)


def create_app(kg: KnowledgeGraph | ServedGraph, limits: Limits = DEFAULT_LIMITS, cors_origins: tuple[str, ...] = (),
               outlines: dict | None = None, hosts: list[str] | None = None,
               max_body_bytes: int = MAX_BODY_BYTES, on_ready: Callable[[], None] | None = None) -> Starlette:
    """The app over ``kg``: a knowledge graph (whose own publications it notices), or a :class:`.ServedGraph` that
    follows the snapshots of a store other processes write. Pages, their JSON, and the SPARQL endpoint at
    ``/sparql``; ``cors_origins`` may query it;
    ``outlines`` (:func:`.map.load_outlines`) draws NUTS regions on the maps and places those without organisations;
    ``hosts`` are the names a request's Host header may give (:func:`.guard.allowed_hosts`; None: any); a request
    body over ``max_body_bytes`` is refused. Every answer carries :data:`.guard.HEADERS`. ``on_ready`` is called once
    the app has started under a server (which then stops on Ctrl-C: a message saying so before may come too early).

    Examples
    --------
    >>> import coopgraph
    >>> from starlette.testclient import TestClient
    >>> client = TestClient(create_app(coopgraph.open(":memory:")))
    >>> client.get("/sparql", params={"query": "ASK { ?p coop:acronym 'PIKE' }"}).json()["boolean"]
    True
    """
    served = kg if isinstance(kg, ServedGraph) else ServedGraph.of(kg, keep_seconds=limits.timeout + 60)
    site = Site(served, limits)
    endpoint = SparqlEndpoint(served, limits)
    middleware = [Middleware(SecurityHeaders), Middleware(Refreshing, served=served),
                  Middleware(BodyLimit, limit=max_body_bytes),
                  Middleware(GZipMiddleware, minimum_size=1000)]  # network pages carry 0.5 MB of tooltip data
    if hosts is not None:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=hosts))
    if cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_methods=["GET", "POST"],
                                     allow_headers=["Accept", "Content-Type"]))

    async def error_page(request: Request, error: Exception) -> Response:
        status = error.status_code if isinstance(error, HTTPException) else 500
        message = error.detail if isinstance(error, HTTPException) else "something went wrong on the server"
        data = {"status": status, "title": _TITLES.get(status, "Error"), "error": message}
        return site.page(request, "error.html", data, status_code=status)

    explorer = networks.Explorer(site, outlines)  # the participations and networks, read once: for every page
    index = search.SearchIndex(explorer)
    routes = [Route("/sparql", endpoint.respond, methods=["GET", "POST"]), *pages.routes(explorer),
              *entities.routes(explorer), *search.routes(index), *editor.routes(site), *networks.routes(explorer),
              Route("/favicon.ico", favicon)]
    admission = Admission(limits.pages, PAGES_WAITING, "pages")
    routes = [*(_admitted(route, admission, limits.timeout) for route in routes),
              Mount("/static", StaticFiles(directory=str(STATIC)), name="static")]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        try:  # the closing here, not after the server returns: uvicorn ends the process with the stopping signal
            with explorer.warming_up(index.entries,  # the first pages and searches need not wait
                                     lambda: [explorer.region_centres(level) for level in range(4)],
                                     lambda: explorer.drawing("organisations", 2, NO_FILTERS, "fractional")):
                endpoint.runner.start()
                if on_ready is not None:
                    on_ready()
                yield
        finally:  # once the warm-up has stopped: it reads the store
            endpoint.runner.close()
            served.close()

    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={HTTPException: error_page, Exception: error_page})
    app.state.queries = endpoint.runner  # for a look at the query workers (tests, benchmarks)
    return app

"""What every page of the web app shares: the knowledge graph, the templates, and answering as HTML or JSON."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from urllib.parse import urlencode

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from coopgraph.knowledge_graph import KnowledgeGraph
from coopgraph.web.endpoint import Limits
from coopgraph.web.served import ServedGraph

#: Where the page templates and the static assets (CSS, JavaScript) live inside the package.
TEMPLATES = files("coopgraph.web") / "templates"
STATIC = files("coopgraph.web") / "static"


def entity_url(iri: str) -> str:
    """The page of a thing in the graph."""
    return "/entity?" + urlencode({"iri": iri})


@dataclass
class Site:
    """The knowledge graph a server shows, its limits and its templates (autoescaped: data is text, never HTML)."""

    served: ServedGraph
    limits: Limits

    @property
    def kg(self) -> KnowledgeGraph:
        """The knowledge graph to read now (the newest snapshot of the store)."""
        return self.served.kg

    def __post_init__(self) -> None:
        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
        environment.globals["entity_url"] = entity_url
        self.templates = Jinja2Templates(env=environment)

    def page(self, request: Request, template: str, data: dict, status_code: int = 200, **context) -> Response:
        """``data`` as JSON when asked for (a ``.json`` path or an Accept that prefers JSON), else the page."""
        if wants_json(request):
            return JSONResponse(data, status_code=status_code)
        return self.templates.TemplateResponse(request, template, {**data, **context}, status_code=status_code)


def text_parameter(request: Request, name: str, longest: int = 200) -> str | None:
    """A text parameter of the query string, trimmed (None when empty); longer than ``longest``: a 400."""
    value = request.query_params.get(name, "").strip()
    if len(value) > longest:
        raise HTTPException(400, f"{name} must be at most {longest} characters")
    return value or None


def page_number(request: Request, pages: int = 1_000_000) -> int:
    """The ``page`` parameter: a whole number from 1 (the default); anything else is a 400.

    Decimal digits of any script count ("１２" is 12), as int() reads them. Not "²", a digit int() refuses, nor
    more digits than ``pages`` has (int() refuses over 4,300): a 400 as well, never int()'s ValueError.
    """
    text = request.query_params.get("page", "").strip() or "1"
    digits = text.lstrip("0") if text.isdecimal() else ""
    number = int(digits) if 0 < len(digits) <= len(str(pages)) else 0
    if not 1 <= number <= pages:
        raise HTTPException(400, f"page must be a whole number from 1 to {pages}, not {text[:20]!r}")
    return number


def wants_json(request: Request) -> bool:
    if request.url.path.endswith(".json"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept

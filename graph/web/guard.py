"""What guards every request and answer of the server: security headers and a limit on request bodies.

The Host check is Starlette's ``TrustedHostMiddleware`` (see :func:`allowed_hosts`): a page on another site
cannot reach a server on 127.0.0.1 through a DNS name that it rebinds to 127.0.0.1.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Only the server's own scripts, styles, images and connections; no frames, plugins or foreign forms. Data
#: URIs are images vis-network's stylesheet uses.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
HEADERS = [(b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
           (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin")]
#: The largest request body the server reads, unless told otherwise (a SPARQL query is a few kB).
MAX_BODY_BYTES = 1_000_000
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def allowed_hosts(host: str, names: tuple[str, ...] = ()) -> list[str]:
    """The names a request may give in its Host header to a server listening on ``host``: a loopback address
    answers to every loopback name; any address (``0.0.0.0``, ``::``) to any name unless ``names`` are given.

    >>> allowed_hosts("127.0.0.1"), allowed_hosts("0.0.0.0"), allowed_hosts("0.0.0.0", ("coop.example",))
    (['127.0.0.1', 'localhost', '::1', '[::1]'], ['*'], ['coop.example'])
    """
    if names:
        return list(names)
    if host in ("0.0.0.0", "::", ""):
        return ["*"]
    bound = list(_LOOPBACK) if host in _LOOPBACK else [host]
    return bound + [f"[{name}]" for name in bound if ":" in name]


class SecurityHeaders:
    """Adds :data:`HEADERS` to every answer (pages, JSON, static files, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((name, value) for name, value in HEADERS if name not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    """Refuses a request body over ``limit`` bytes with 413, when the app reads it: at once when its
    Content-Length says so, else as soon as the bytes read pass the limit (a chunked body). So no body over the
    limit is ever held in memory, and the app answers the refusal as any error (a page, or JSON)."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        read = 0

        def refuse_if_over(size: int) -> None:
            if size > self.limit:
                raise HTTPException(413, f"the request body is over {self.limit:,} bytes")

        async def counted() -> Message:
            nonlocal read
            refuse_if_over(int(declared) if declared.isdigit() else 0)  # before a byte of it is read
            message = await receive()
            read += len(message.get("body", b""))
            refuse_if_over(read)
            return message

        await self.app(scope, counted, send)

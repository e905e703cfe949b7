"""Explore the knowledge graph in the browser: ``coopgraph serve`` (see :func:`.app.create_app`)."""

import importlib

__all__ = ["Limits", "create_app"]

#: Imported on first use, so that a query worker (:mod:`.workers`) does not load the whole web app.
_HOMES = {"create_app": "coopgraph.web.app", "Limits": "coopgraph.web.endpoint"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'coopgraph.web' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)

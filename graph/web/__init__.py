"""Explore the knowledge graph in the browser: ``coopgraph serve`` (see :func:`.app.create_app`)."""

from coopgraph.web.app import create_app
from coopgraph.web.endpoint import Limits

__all__ = ["Limits", "create_app"]

"""``python -m coopgraph`` runs the command line."""

from coopgraph.cli import app

app(prog_name="coopgraph")

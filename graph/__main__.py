"""``python -m coopgraph`` runs the command line."""

from coopgraph.cli import command_line

command_line()

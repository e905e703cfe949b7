"""Shipped table mappings (``*.toml``): the formats coopgraph imports, and examples for new ones."""

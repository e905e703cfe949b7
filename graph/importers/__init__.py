"""Importers: each turns one kind of source into the triples of one named graph."""

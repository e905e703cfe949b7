"""Named SPARQL queries (``*.rq``), shipped as package data and listed by ``coopgraph queries``."""

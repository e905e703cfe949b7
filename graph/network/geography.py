"""Where regions lie, for maps: at the centre of their geolocated organisations.

No package ships NUTS boundaries, but sources such as CORDIS geolocate each organisation. A region
(at any NUTS level) is placed at the median latitude and longitude of the organisations in it, which
one organisation geolocated far away (a head office abroad) cannot drag off, as it could a mean.

Examples
--------
>>> from coopgraph.network.build import Organisation, Participations, Place
>>> places = {"SE33": Place("SE33", "SE33", "Övre Norrland", 2, None, "SWE")}
>>> organisations = {f"o{n}": Organisation(f"o{n}", "SWE", "SE33") for n in range(3)}
>>> data = Participations([], organisations, places)
>>> region_centres(data, {"o0": (63.8, 20.3), "o1": (65.6, 22.1), "o2": (-22.6, 17.1)}, level=2)
{'SE33': (63.8, 20.3, 3)}
"""

from __future__ import annotations

from collections import defaultdict
from statistics import median

from coopgraph.network.build import Participations


def region_centres(data: Participations, points: dict[str, tuple[float, float]], level: int) \
        -> dict[str, tuple[float, float, int]]:
    """Each region at ``level`` with geolocated organisations: (median latitude, median longitude, organisations).

    ``points`` gives organisations' (latitude, longitude); an organisation lies in the region of its
    own place (see :meth:`.Participations.region_at`).
    """
    found: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for iri, point in points.items():
        organisation = data.organisations.get(iri)
        region = data.region_at(organisation, level) if organisation is not None else None
        if region is not None:
            found[region].append(point)
    return {region: (median(lat for lat, _ in located), median(lon for _, lon in located), len(located))
            for region, located in found.items()}

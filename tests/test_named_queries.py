"""Every named query, answered on the seed graph, against what the five source documents say."""

from collections import Counter

import pytest
from rdflib import URIRef

from coopgraph.resolver import UnknownName

ID = "https://w3id.org/coopgraph/id/"
PIKE_PARTNER_COUNTRIES = ["BG", "CZ", "ES", "GB", "GR", "IE", "IT", "SE"]


def table(rows, *columns):
    """Rows as tuples of plain strings ('' for unbound), for comparison with expected answers."""
    return [tuple("" if row[c] is None else str(row[c]).removeprefix(ID) for c in columns) for row in rows]


def test_projects(kg):
    rows = table(kg.query("projects"), "project", "acronym", "programme", "start", "end")
    assert rows == [
        ("project/bitstream-i", "BitStream I", "Botnia-Atlantica", "2013-03", "2014-05"),
        ("project/innocap-pre-study", "INNOCAP", "Interreg Northern Periphery and Arctic", "", ""),
        ("project/carpathian-city-network-platform", "",
         "Cross-border Cooperation Programme Poland – Slovak Republic 2007–2013", "2011-04-01", "2012-09-30"),
        ("project/mantt", "MaNTT", "Europe for Citizens", "", ""),
        ("project/pike", "PIKE", "INTERREG IVC", "2008", "2010"),
        ("project/planet", "Planet", "Europe for Citizens", "2012", "2012"),
        ("project/riges", "RIGES", "", "", ""),
        ("project/carpathian-city-network-first-project", "", "", "", ""),
    ]
    titles = {row.acronym.value: str(row.title) for row in kg.query("projects") if row.acronym}
    assert titles["PIKE"] == "Promoting Innovation and the Knowledge Economy"
    assert titles["MaNTT"] == "Managing Networks of Twinned Towns"


def test_project_dates_keep_their_precision(kg):
    (pike,) = [row for row in kg.query("projects") if row.acronym and row.acronym.value == "PIKE"]
    assert pike.start.datatype.endswith("#gYear")
    (carpathian,) = [row for row in kg.query("projects") if str(row.project).endswith("platform")]
    assert carpathian.start.datatype.endswith("#date")


def test_partners_of_pike(kg):
    rows = kg.query("partners", project="PIKE")
    assert sorted(row.country.value for row in rows) == PIKE_PARTNER_COUNTRIES
    named = [row for row in rows if row.region is not None]
    assert table(named, "name", "role", "region") == [("Kommunförbundet Västernorrland", "partner", "SE321")]
    assert all("Unnamed" in str(row.name) for row in rows if row.region is None)
    assert kg.query("partners", project="pike") == rows  # any letter case


def test_partners_of_innocap(kg):
    rows = kg.query("partners", project="INNOCAP")
    assert table([r for r in rows if r.role.value == "lead-partner"], "organisation") == [("organisation/ernact",)]
    assert sorted(str(row.country) for row in rows if row.country) == ["CA", "FI", "IE", "SE", "SE"]
    assert "Digitaliseringsavdelningen, Örnsköldsviks kommun" in {str(row.name) for row in rows}


def test_partners_of_mantt_are_norrbotten(kg):
    rows = kg.query("partners", project="MaNTT")
    assert len(rows) == 8
    assert {row.region.value for row in rows} == {"SE332"}
    names = {str(row.name) for row in rows}
    for town in ("Piteå", "Kalix", "Boden", "Älvsbyn", "Arvidsjaur", "Jokkmokk"):
        assert any(name.startswith(town) for name in names), town
    assert "Norrbottens läns landsting" in names and "Kommunförbundet Norrbotten" in names


def test_partners_of_planet(kg):
    rows = kg.query("partners", project="Planet")
    countries = " ".join(row.country.value for row in rows).split()
    assert sorted(set(countries)) == ["ES", "FI", "IT", "PL", "SE"]  # five countries; SERN is Sweden and Italy
    assert table([r for r in rows if r.role.value == "lead-partner"], "organisation") == [("organisation/sern",)]


def test_partners_of_the_carpathian_city_network_platform(kg):
    title = "Innowacyjna platforma współpracy sieci miast Euroregionu Karpackiego"
    rows = kg.query("partners", project=title)
    roles = Counter(row.role.value for row in rows)
    assert roles == {"lead-partner": 1, "partner": 12}
    lead = [row for row in rows if row.role.value == "lead-partner"][0]
    assert (lead.country.value, lead.region.value) == ("SK", "SK041")
    assert Counter(row.country.value for row in rows) == {"PL": 8, "SK": 5}


def test_partners_of_bitstream_are_its_financiers(kg):
    rows = kg.query("partners", project="BitStream I")
    assert {row.role.value for row in rows} == {"co-financier"}
    assert sorted(table(rows, "name", "country", "region")) == [
        ("Bodø kommune", "NO", "NO071"), ("Nordland fylkeskommune", "NO", "NO071"),
        ("Region Västerbotten", "SE", "SE331"), ("Sorsele kommun", "SE", "SE331"),
        ("Statens innkrevingssentral", "NO", "NO071"), ("Storumans kommun", "SE", "SE331"),
        ("Umeå universitet", "SE", "SE331"),
    ]


def test_projects_of(kg):
    assert table(kg.query("projects-of"), "acronym", "role") == [("INNOCAP", "partner"), ("PIKE", "partner")]
    by_iri = kg.query("projects-of", organisation=ID + "organisation/kommunforbundet-vasternorrland")
    assert table(by_iri, "acronym") == [("INNOCAP",), ("PIKE",)]
    # a municipality takes part through its unit
    rows = kg.query("projects-of", organisation="örnsköldsviks kommun")
    assert table(rows, "acronym", "participant") == [
        ("INNOCAP", "organisation/ornskoldsviks-kommun-digitaliseringsavdelningen")]
    with pytest.raises(UnknownName, match="'Nobody at all' names no organisation"):
        kg.query("projects-of", organisation="Nobody at all")


def test_programmes(kg):
    rows = table(kg.query("programmes"), "name", "funds", "projects")
    assert rows[0] == ("Europe for Citizens", "", "2")  # Planet and MaNTT; not a structural fund
    assert sorted(rows[1:]) == [
        ("Botnia-Atlantica", "ERDF", "1"),
        ("Cross-border Cooperation Programme Poland – Slovak Republic 2007–2013", "ERDF", "1"),
        ("INTERREG IVC", "ERDF", "1"),
        ("Interreg Northern Periphery and Arctic", "ERDF", "1"),
    ]


def test_organisations_in_region_include_sub_regions(kg):
    upper_norrland = kg.query("organisations-in-region", region="SE33")
    assert Counter(row.region_code.value for row in upper_norrland) == {"SE331": 4, "SE332": 8}
    assert len(kg.query("organisations-in-region", region="se332")) == 8
    assert len(kg.query("organisations-in-region", region="SE")) == 15  # 12 above + 3 in Västernorrland
    podkarpackie = kg.query("organisations-in-region", region="PL82")
    assert Counter(row.region_code.value for row in podkarpackie) == {"PL821": 3, "PL822": 3, "PL823": 2}
    assert kg.query("organisations-in-region", region="XX9") == []


def test_networks(kg):
    rows = kg.query("networks")
    members = Counter(str(row.name) for row in rows if row.member is not None)
    assert members == {"Sieć Miast Euroregionu Karpackiego": 11}
    assert {str(row.name) for row in rows if row.member is None} == {
        "European Regions Network for the Application of Communications Technology", "Sweden-Emilia-Romagna Network"}


def test_partners_of_partners(kg):
    rows = kg.query("partners-of-partners")  # ERNACT: INNOCAP -> Kommunförbundet Västernorrland -> PIKE
    assert {(row.via_project, row.via_acronym.value) for row in rows} == {(URIRef(ID + "project/pike"), "PIKE")}
    assert {str(row.via_name) for row in rows} == {"Kommunförbundet Västernorrland"}
    assert len(rows) == 7 and all("Unnamed partner region" in str(row.name) for row in rows)
    # partners shared directly are not partners of partners
    assert kg.query("partners-of-partners", organisation="Kommunförbundet Västernorrland") == []


@pytest.mark.parametrize("level, expected", [
    (0, [("NO", "SE", "1"), ("PL", "SK", "1")]),
    (2, [("NO07", "SE33", "1"), ("PL82", "SK04", "1")]),
    (3, [("NO071", "SE331", "1"), ("PL821", "PL822", "1"), ("PL821", "PL823", "1"), ("PL821", "SK041", "1"),
         ("PL822", "PL823", "1"), ("PL822", "SK041", "1"), ("PL823", "SK041", "1")]),
])
def test_region_pairs(kg, level, expected):
    assert table(kg.query("region-pairs", level=level), "region_a", "region_b", "projects") == expected


def test_region_pairs_default_level_is_2(kg):
    assert kg.query("region-pairs") == kg.query("region-pairs", level=2)


def test_country_pairs_count_each_project_once_per_pair(kg):
    rows = {(row.region_a.value, row.region_b.value): int(row.projects) for row in kg.query("country-pairs")}
    assert all(a < b for a, b in rows)
    assert rows[("IE", "SE")] == 2   # PIKE and INNOCAP
    assert rows[("FI", "SE")] == 2   # INNOCAP and Planet
    assert rows[("IT", "SE")] == 2   # PIKE and Planet (SERN)
    assert rows[("NO", "SE")] == 1   # BitStream I
    assert rows[("PL", "SK")] == 1   # the Carpathian platform, although 8 x 5 organisation pairs
    assert ("SE", "SE") not in rows
    # PIKE alone pairs all 8 of its countries: C(8, 2) = 28 pairs
    assert sum(1 for a, b in rows if a in PIKE_PARTNER_COUNTRIES and b in PIKE_PARTNER_COUNTRIES) == 28


def test_counts(kg):
    (row,) = kg.query("counts")
    assert {name: int(row[name]) for name in row.labels} == {
        "projects": 8, "organisations": 47, "participations": 46, "programmes": 5, "regions": 8, "countries": 13}

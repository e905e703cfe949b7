"""Importers on small fixtures in each format: what lands in the graph, what is rejected and why."""

import csv
import gzip
import hashlib
import io
import json
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pyoxigraph as ox
import pytest
from openpyxl import Workbook
from rdflib import Graph
from rdflib.compare import isomorphic

import coopgraph
from conftest import FIXTURES, raw_graphs, run_cli
from coopgraph.importers import IMPORTERS
from coopgraph.importers.mapping import Mapping, MappingError
from coopgraph.importers.pipeline import ImportFailed, convert, run
from coopgraph.importers.tables import TableError
from coopgraph.resolver import candidates

CORDIS = FIXTURES / "cordis"
ID = "https://w3id.org/coopgraph/id/"


def cordis_jobs(organization=CORDIS / "organization.csv"):
    return IMPORTERS["cordis"].jobs([organization], topics=CORDIS / "topics.csv",
                                    legal_basis=CORDIS / "legalBasis.csv")


def partners(kg, project):
    """(name, role, country, region) of each partner of the projects of that name (several on purpose), sorted."""
    return sorted((str(r.name), str(r.role), str(r.country or ""), str(r.region or ""))
                  for candidate in candidates(kg, "project", project)
                  for r in kg.query("partners", project=candidate.identifier))


def test_cordis_rows_become_participations(fresh_kg, tmp_path):
    (report,) = run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (13, 11, 2)
    assert partners(fresh_kg, "ALPHA") == [
        ("CENTRE NATIONAL DE LA RECHERCHE", "coordinator", "FR", "FR101"),           # spacing tidied
        ("ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON", "participant", "GR", "EL303"),  # EL is Greece
        ("UMEA UNIVERSITET", "third-party", "SE", "SE331"),
        ("UNIVERSITY COLLEGE LONDON", "participant", "GB", "UKI31"),                 # UK is GB
    ]
    assert partners(fresh_kg, "BETA") == [
        ("BOURNEMOUTH UNIVERSITY", "participant", "GB", "UKK2"),    # the UK's own 2021 UKK24: its parent
        ("MASSACHUSETTS INSTITUTE OF TECHNOLOGY", "associated-partner", "US", ""),  # only a country code
        ("STICHTING DELTARES", "participant", "NL", ""),            # no NUTS code at all
        ("UMEA UNIVERSITET", "coordinator", "SE", "SE331"),         # the same PIC: the same organisation
        ("UNIVERSITETI I PRISHTINES", "participant", "XK", ""),     # Kosovo, without an ISO code
    ]
    assert partners(fresh_kg, "GAMMA") == [("BROKEN AMOUNT GMBH", "participant", "DE", "DE300"),  # amount left out
                                           ("CENTRE NATIONAL DE LA RECHERCHE", "coordinator", "FR", "FR101")]


def test_cordis_amounts_programmes_topics_and_identifiers(fresh_kg, tmp_path):
    run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    budgets = {str(r.name): r.value.toPython() for r in fresh_kg.query("""
        SELECT ?name ?value WHERE { ?p coop:organisation/skos:prefLabel ?name ; coop:budget ?value ;
                                       coop:project/coop:acronym "ALPHA" }""")}
    assert budgets["CENTRE NATIONAL DE LA RECHERCHE"] == Decimal("625000.5")        # decimal comma
    assert budgets["ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON"] == Decimal("491873.75")
    assert budgets["UMEA UNIVERSITET"] == Decimal("12500.25")                      # decimal point
    (alpha,) = fresh_kg.query("""SELECT ?programme ?title ?topic WHERE { ?p coop:acronym "ALPHA" ;
        coop:programme [ coop:acronym ?programme ; skos:prefLabel ?title ] ; coop:topic/skos:notation ?topic }""")
    assert (str(alpha.programme), str(alpha.title), str(alpha.topic)) == (
        "HORIZON.2.5", "Climate, Energy and Mobility", "HORIZON-CL5-2021-D1-01")    # the unique programme part
    (umea,) = fresh_kg.query("SELECT ?o ?pic ?vat WHERE { ?o coop:pic '999000004' ; coop:vatNumber ?vat ; "
                             "coop:pic ?pic }")
    assert str(umea.o) == f"{ID}organisation/pic/999000004"


def test_a_short_name_that_is_the_name_is_not_written_again(fresh_kg, tmp_path):
    table = tmp_path / "organization.csv"
    table.write_text((CORDIS / "organization.csv").read_text(encoding="utf-8").replace(
        '"BROKEN AMOUNT GMBH";""', '"BROKEN AMOUNT GMBH";"BROKEN AMOUNT GMBH"'), encoding="utf-8")
    run(fresh_kg, cordis_jobs(table), report_dir=tmp_path)
    names = {str(r.pic): (str(r.name), str(r.short or "")) for r in fresh_kg.query(
        "SELECT ?pic ?name ?short WHERE { ?o coop:pic ?pic ; skos:prefLabel ?name "
        "OPTIONAL { ?o coop:acronym ?short } }")}
    assert names["999000010"] == ("BROKEN AMOUNT GMBH", "")  # the name says it: no acronym
    assert names["999000001"] == ("CENTRE NATIONAL DE LA RECHERCHE", "CNRS")


def test_rejects_are_reported_with_file_line_and_reason(fresh_kg, tmp_path):
    (report,) = run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    with open(report.rejects, encoding="utf-8") as rejects:
        rows = list(csv.DictReader(rejects))
    assert [(r["file"], r["line"], r["reason"].split(" (")[0]) for r in rows] == [
        ("organization.csv", "12", "unknown role 'observer'"),
        ("organization.csv", "14", "no project id"),
    ]
    assert rows[0]["name"] == "OBSERVATORY LTD"  # the row itself, to fix and import again
    saved = json.loads((tmp_path / "cordis--organization.csv" / "report.json").read_text())
    assert saved["rows_rejected"] == 2
    assert saved["warnings"] == {
        "participation eu_contribution left out: not an amount: '12,5,x' (a thousands mark ',' not between groups of "
        "three digits: set decimal or thousands in the mapping's [source])": {"rows": 1, "first line": 13},
    }
    # UKK24 (the UK's own 2021 code) is read as its parent UKK2; Kosovo is a country; DELTARES gives no region
    assert saved["data_quality"]["regions read from other codes"] == {"parent": 1}
    assert saved["data_quality"]["rows with a country but no region"]["rows"] == 3  # MIT, Kosovo, Deltares


def test_gzip_and_plain_give_the_same_graph(fresh_kg, tmp_path):
    packed = tmp_path / "organization.csv.gz"
    packed.write_bytes(gzip.compress((CORDIS / "organization.csv").read_bytes()))
    (plain,) = run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    (gzipped,) = run(fresh_kg, cordis_jobs(packed), report_dir=tmp_path)
    assert gzipped.triples == plain.triples > 0

    def triples(source):
        out = io.BytesIO()
        fresh_kg.export(out, "nt", source)
        return set(out.getvalue().decode().splitlines())

    assert triples("cordis/organization.csv.gz") == triples("cordis/organization.csv")  # the same IRIs too


def test_strict_imports_nothing_when_a_row_fails(fresh_kg, tmp_path):
    before = fresh_kg.store.sizes()
    with pytest.raises(ImportFailed, match="2 row.s. rejected, nothing imported"):
        run(fresh_kg, cordis_jobs(), strict=True, report_dir=tmp_path)
    assert fresh_kg.store.sizes() == before
    assert (tmp_path / "cordis--organization.csv" / "rejects.csv").is_file()


def test_the_same_file_twice_changes_nothing_and_a_newer_file_replaces_its_source(fresh_kg, tmp_path):
    run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    graph = ("SELECT ?g ?t WHERE { ?s coop:sourceName 'cordis/organization.csv' ; coop:graph ?g . "
             "?g prov:generatedAtTime ?t }")
    first = fresh_kg.query(graph)
    (again,) = run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    assert again.unchanged and fresh_kg.query(graph) == first
    newer = tmp_path / "newer" / "organization.csv"
    newer.parent.mkdir()
    lines = (CORDIS / "organization.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    newer.write_text("".join(line for line in lines if "MASSACHUSETTS" not in line), encoding="utf-8")
    (replaced,) = run(fresh_kg, cordis_jobs(newer), report_dir=tmp_path)
    assert not replaced.unchanged and replaced.rows_read == 12
    assert fresh_kg.query(graph) != first
    assert "MASSACHUSETTS INSTITUTE OF TECHNOLOGY" not in [n for n, *_ in partners(fresh_kg, "BETA")]


def test_provenance_of_an_import(fresh_kg, tmp_path):
    run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    # the import is a prov:Activity: it used the file and generated the graph, which carries the time
    (row,) = fresh_kg.query("""SELECT * WHERE { ?s coop:sourceName 'cordis/organization.csv' ; a coop:Source ;
        coop:importer ?importer ; prov:used ?used ; coop:rowsRead ?read ; coop:rowsImported ?imported ;
        coop:rowsRejected ?rejected ; coop:graph ?g ; coop:mapping ?m .
        ?used a prov:Entity ; coop:fileName ?file ; coop:sha256 ?sha . ?g prov:generatedAtTime ?time
        FILTER(?file = "organization.csv") }""")
    assert (str(row.importer), str(row.file), int(row.read), int(row.imported), int(row.rejected)) == (
        "cordis", "organization.csv", 13, 11, 2)
    assert str(row.sha) == hashlib.sha256((CORDIS / "organization.csv").read_bytes()).hexdigest()


def keep_workbook(path):
    """The keep.eu export as keep.eu gives it: one workbook, two sheets (built from the CSV fixtures)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet, name in (("Search results, projects", "projects"), ("Search results, partners", "partners")):
        worksheet = workbook.create_sheet(sheet)
        with open(FIXTURES / "keep" / f"{name}.csv", encoding="utf-8") as table:
            for row in csv.reader(table):
                worksheet.append(row)
    workbook.save(path)
    return path


@pytest.mark.parametrize("shape", ["xlsx", "two csv files in either order"])
def test_keep_projects_and_partners_are_joined(fresh_kg, tmp_path, shape):
    files = ([keep_workbook(tmp_path / "keep-export.xlsx")] if shape == "xlsx"
             else [FIXTURES / "keep" / "partners.csv", FIXTURES / "keep" / "projects.csv"])
    (report,) = run(fresh_kg, IMPORTERS["keep"].jobs(files), report_dir=tmp_path)
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (8, 7, 1)  # a partner without name
    projects = {(str(r.acronym), str(r.programme), str(r.start), str(r.end)) for r in fresh_kg.query("projects")
                if r.acronym and str(r.project).startswith(f"{ID}project/keep/")}
    assert projects == {  # one acronym in two programmes: two projects; dates day-first or ISO
        ("BRIDGE", "Interreg VI-A Sweden-Norway", "2022-09-01", "2025-08-31"),
        ("BRIDGE", "Interreg Baltic Sea Region", "2023-01-15", "2025-12-31"),
        ("OLDCODES", "Interreg Europe", "2016-01-01", "2019-12-31")}
    assert ("Region Jämtland Härjedalen", "lead-partner", "SE", "SE322") in partners(fresh_kg, "BRIDGE")
    assert ("Region Västerbotten", "partner", "SE", "SE33") in partners(fresh_kg, "BRIDGE")  # NUTS 2 only
    old = partners(fresh_kg, "OLDCODES")
    assert ("Province of Limburg (BE)", "lead-partner", "BE", "BE224") in old  # NUTS 2016 BE221: 97.6 % in BE224
    assert ("Gemeente Zaanstad", "partner", "NL", "NL332") in old              # NUTS 2024 NL361 -> 2021 NL332
    assert ("Attica Region", "partner", "GR", "EL303") in old
    (amount,) = fresh_kg.query("""SELECT ?v WHERE { ?p coop:acronym "BRIDGE" ; coop:budget ?v ;
                                  coop:programme/skos:prefLabel "Interreg VI-A Sweden-Norway" }""")
    assert amount.v.toPython() == Decimal("1234567.89")                       # 1.234.567,89
    themes = {(str(r.acronym), str(r.theme)) for r in fresh_kg.query(
        "SELECT ?acronym ?theme WHERE { ?p coop:acronym ?acronym ; coop:theme/skos:prefLabel ?theme . "
        "FILTER(STRSTARTS(STR(?p), 'https://w3id.org/coopgraph/id/project/keep/')) }")}
    assert themes == {("BRIDGE", "Health"), ("BRIDGE", "Cross-border public services"), ("BRIDGE", "Green transition"),
                      ("OLDCODES", "Digitalisation"), ("OLDCODES", "Green transition")}
    assert report.warnings == {}
    assert report.data_quality["regions read from other codes"] == {"NUTS 2016": 1, "NUTS 2024": 1}
    (why,) = fresh_kg.query("""SELECT ?given ?why WHERE { ?p coop:regionAsGiven ?given .
        ?i a coop:Inference ; rdf:subject ?p ; rdf:predicate coop:region ; coop:justification ?why }
        ORDER BY ?given LIMIT 1""")
    assert (str(why.given), str(why.why)) == ("BE221", "NUTS 2016 code BE221 read as NUTS 2021 BE224, the region "
                                              "holding 97.6 % of its population (JRC NUTS converter)")


def test_swedish_interreg_county_names_resolve_to_nuts(fresh_kg, tmp_path):
    (report,) = run(fresh_kg, IMPORTERS["interreg-se"].jobs([FIXTURES / "interreg-se" / "partners.csv"]),
                    report_dir=tmp_path)
    assert (report.rows_imported, report.rows_rejected) == (6, 1)                # role XX
    assert partners(fresh_kg, "Boost Nordic Biogas") == [                       # the same name in two programmes
        ("BioFuel Region BFR AB", "partner", "SE", "SE331"),
        ("Region Skåne", "partner", "SE", "SE224"),
        ("Umeå universitet", "lead-partner", "SE", "SE331"),
    ]
    assert len({str(r.project) for r in fresh_kg.query(
        "SELECT ?project WHERE { ?project coop:title 'Boost Nordic Biogas' }")}) == 2
    assert partners(fresh_kg, "Grenseløs helse") == [                          # a feasibility study and the project
        ("Lappland Turism", "associated-partner", "SE", ""),                     # no such county
        ("Region Jämtland Härjedalen", "lead-partner", "SE", "SE32"),            # the NUTS 2 name when no county
        ("Region Jämtland Härjedalen", "lead-partner", "SE", "SE322"),           # each row its own region
    ]
    assert report.warnings == {"no NUTS 2021 region named 'Lappland': region left out": {"rows": 1, "first line": 5}}


def test_any_table_with_a_mapping(fresh_kg, tmp_path):
    jobs = IMPORTERS["table"].jobs([FIXTURES / "table" / "twinning.csv"], mapping=FIXTURES / "table" / "twinning.toml")
    (report,) = run(fresh_kg, jobs, report_dir=tmp_path)
    assert (report.rows_imported, report.rows_rejected) == (5, 0)
    assert report.warnings == {"project start left out: not a date in a known format: '31.02.2013'":
                               {"rows": 1, "first line": 6}}
    assert partners(fresh_kg, "TW-003") == [("Lesko", "partner", "PL", "PL821")]  # the partnership is kept
    assert partners(fresh_kg, "TW-001") == [("Humenné", "partner", "SK", "SK041"),
                                            ("Przemyśl", "lead-partner", "PL", "PL822")]
    assert partners(fresh_kg, "TW-002") == [("Jasło", "lead-partner", "PL", "PL821"),
                                            ("Snina", "partner", "SK", "SK041")]  # "Słowacja" is Slovakia
    (row,) = fresh_kg.query("SELECT ?start WHERE { ?p coop:acronym 'TW-001' ; coop:startDate ?start }")
    assert str(row.start) == "2011-05-12" and row.start.datatype.endswith("#date")
    (budget,) = fresh_kg.query("""SELECT ?v WHERE { ?x coop:organisation/skos:prefLabel "Przemyśl" ;
                                  coop:budget ?v }""")
    assert budget.v.toPython() == Decimal("12500.00")                           # "12 500,00"


@pytest.mark.parametrize("text, message", [
    ('[source]\nprefix = "x"\n[project]\nid = "a"\n[organisation]\nname = "b"\n[participation]\nrole = "r"\n'
     'role_values = { LP = "leader" }', "'leader' is not a role"),
    ('[source]\nprefix = "x"\n[project]\nid = "a"\nbudjet = "c"\n[organisation]\nname = "b"',
     "unknown key(s) budjet in [project]"),
    ('[source]\nprefix = "x"\n[project]\nid = "a"', "[organisation] needs name"),
    ('[source]\nprefix = "x"\n[project]\nid = "a"\n[organisation]\nname = "b"', "needs role or default_role"),
    ('[sorce]\nprefix = "x"', "unknown section [sorce]"),
])
def test_mapping_mistakes_are_named(text, message):
    with pytest.raises(MappingError) as error:
        Mapping.parse(text, "m.toml")
    assert message in str(error.value)


def test_a_mapping_naming_missing_columns_is_refused_before_anything_is_written(fresh_kg, tmp_path):
    mapping = tmp_path / "wrong.toml"
    mapping.write_text((FIXTURES / "table" / "twinning.toml").read_text().replace('"town"', '"city"'))
    before = fresh_kg.store.sizes()
    with pytest.raises(MappingError, match=r"twinning.csv \(read with the separator .\|., sniffed\) "
                                           r"lacks column.s. city"):
        run(fresh_kg, IMPORTERS["table"].jobs([FIXTURES / "table" / "twinning.csv"], mapping=mapping),
            report_dir=tmp_path)
    assert fresh_kg.store.sizes() == before


def test_cli_import_sources_and_remove(store_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", "interreg-se", str(FIXTURES / "interreg-se" / "partners.csv"), store=store_copy)
    assert result.returncode == 0, result.stderr
    assert "rows/s" not in result.stderr  # no progress bar when not on a terminal, nothing per row
    assert "1 row(s) rejected" in result.stderr and "rejects.csv" in result.stderr
    assert (store_copy / "reports" / "interreg-se--partners.csv" / "rejects.csv").is_file()
    listed = run_cli("sources", store=store_copy).stdout
    assert "interreg-se/partners.csv" in listed and "interreg-se" in listed
    assert run_cli("remove", "interreg-se/partners.csv", store=store_copy).returncode == 0
    assert "interreg-se/partners.csv" not in run_cli("sources", store=store_copy).stdout
    strict = run_cli("import", "interreg-se", str(FIXTURES / "interreg-se" / "partners.csv"), "--strict",
                     store=store_copy)
    assert strict.returncode == 1 and "nothing imported" in strict.stderr
    assert "interreg-se/partners.csv" not in run_cli("sources", store=store_copy).stdout


def test_cli_match_links_one_university_across_three_sources(store_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for importer, path in (("interreg-se", FIXTURES / "interreg-se" / "partners.csv"),
                           ("cordis", CORDIS / "organization.csv")):
        assert run_cli("import", importer, str(path), store=store_copy).returncode == 0
    result = run_cli("match", "--show", store=store_copy)
    assert result.returncode == 0, result.stderr
    assert "matched 2 pairs" in result.stderr and "2 by name" in result.stderr
    assert "'Umeå universitet'" in result.stdout and "'UMEA UNIVERSITET'" in result.stdout
    links = run_cli("query", "SELECT ?a WHERE { ?a coop:nameMatch ?pic }",
                    "-p", f"pic=<{ID}organisation/pic/999000004>", "-f", "csv", store=store_copy).stdout.split()[1:]
    assert sorted(links) == [f"{ID}organisation/interreg-se/SWE/umea%20universitet",
                             f"{ID}organisation/umea-universitet"]


@pytest.mark.parametrize("args, message", [
    (("import", "cordiss", "x.csv"), "no importer 'cordiss'"),
    (("import", "table", "x.csv"), "the table importer needs --mapping"),
    (("import", "keep", "x.csv", "--topics", "t.csv"), "--topics does not go with the keep importer"),
    (("import", "interreg-se", "missing.csv"), "cannot read missing.csv: no such file"),
    (("remove", "nothing/here"), "no source 'nothing/here'"),
])
def test_cli_import_errors(store_copy, args, message):
    result = run_cli(*args, store=store_copy)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert message in result.stderr


def big_table(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write("agreement|town|country|province|role|signed|budget\n")
        for i in range(rows):
            out.write(f"TW-{i // 4}|Town {i}|Polska|Przemyski|{'lead' if i % 4 == 0 else 'member'}|12.05.2011|{i},5\n")


@pytest.mark.parametrize("how", ["SIGINT", "SIGKILL"])
def test_an_import_interrupted_midway_changes_nothing(store_copy, tmp_path, how):
    table = tmp_path / "big.csv"
    big_table(table, 400_000)
    before = run_cli("stats", "--format", "json", store=store_copy).stdout
    graphs_before = raw_graphs(store_copy)
    importer = subprocess.Popen([sys.executable, "-m", "coopgraph", "--store", str(store_copy), "import", "table",
                                 str(table), "--mapping", str(FIXTURES / "table" / "twinning.toml"),
                                 "--report-dir", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(3.0)
    assert importer.poll() is None, "the import finished before it could be interrupted: make the table bigger"
    importer.send_signal(getattr(signal, how))
    importer.wait(timeout=120)
    assert importer.returncode != 0
    assert run_cli("stats", "--format", "json", store=store_copy).stdout == before
    assert "table/big.csv" not in run_cli("sources", store=store_copy).stdout
    run_cli("remove", "seed", store=store_copy, check=True)  # the next write drops what was written meanwhile
    assert raw_graphs(store_copy) == graphs_before - {g for g in graphs_before if "/graph/seed" in g}


def test_a_streamed_import_writes_exactly_the_triples_of_its_conversion(fresh_kg, tmp_path, monkeypatch):
    monkeypatch.setattr("coopgraph.store.oxigraph.PIECE_BYTES", 1000)  # many pieces, written two at a time
    run(fresh_kg, cordis_jobs(), report_dir=tmp_path)
    (job,) = cordis_jobs()
    converted = b"".join(convert(job))  # all of it first, then loaded whole, as imports did before they streamed
    fresh_kg.store.publish({"file/converted.nt": (converted, "application/n-triples")})
    assert len(converted.splitlines()) > 150
    graphs = []
    for source in ("cordis/organization.csv", "file/converted.nt"):  # both through Oxigraph: "50.0" is "50"
        written = io.BytesIO()
        fresh_kg.export(written, "nt", source)
        graphs.append(Graph().parse(data=written.getvalue(), format="nt"))
    assert len(graphs[0]) == len(converted.splitlines())
    assert isomorphic(*graphs)  # the same triples, blank nodes named otherwise


def test_what_an_import_writes_is_valid_though_the_store_does_not_check_it(fresh_kg, tmp_path):
    """An import is loaded without Oxigraph validating it again (``MadeTriples``): whatever the cells hold, the
    converter's N-Triples must pass Oxigraph's strict parser and be the triples the store then holds."""
    table = tmp_path / "hostile.csv"
    with open(table, "w", encoding="utf-8", newline="") as out:
        csv.writer(out, delimiter="|").writerows([
            ["agreement", "town", "country", "province", "role", "signed", "budget"],
            ['TW 1 <x> "q"', 'Town "quoted" \\ back\\slash', "Polska", "Przemyski", "lead", "12.05.2011", "1,5"],
            ["TW{2}^`|#?", "Zażółć\u0007 bell \u2028 <b>&amp;", "Slovakia", "Prešovský kraj", "member", "", "2"],
            ["TW%41 \u00e9\U0001f600", "line one\nline two\r\n", "Polska", "<Przemyski>", "lead", "", ""],
        ])
    (job,) = IMPORTERS["table"].jobs([table], mapping=FIXTURES / "table" / "twinning.toml")
    written = b"".join(convert(job))
    parsed = list(ox.parse(written, format=ox.RdfFormat.N_TRIPLES))  # strict: raises on anything invalid
    run(fresh_kg, [job], report_dir=tmp_path)
    stored = io.BytesIO()
    fresh_kg.export(stored, "nt", "table/hostile.csv")
    assert len(parsed) == len(written.splitlines()) > 20
    assert isomorphic(Graph().parse(data=written, format="nt"), Graph().parse(data=stored.getvalue(), format="nt"))


@pytest.mark.parametrize("failure", ["damaged", "strict"])
def test_an_import_failing_midway_publishes_nothing_and_leaves_no_graph(tmp_path, monkeypatch, failure):
    monkeypatch.setattr("coopgraph.store.oxigraph.PIECE_BYTES", 100_000)  # written while the table is read
    store, table = tmp_path / "store", tmp_path / "big.csv"
    big_table(table, 3000)
    packed = gzip.compress(table.read_bytes())
    if failure == "damaged":  # the gzip file ends early: found when its last rows are read
        table.with_suffix(".csv.gz").write_bytes(packed[:-200])
    else:  # a row without a project id, at the end: rejected, so --strict refuses the whole file
        table.with_suffix(".csv.gz").write_bytes(packed + gzip.compress(b"|Town X|Polska|Przemyski|lead||1\n"))
    with coopgraph.open(store) as kg:
        sizes_before = kg.store.sizes()
    graphs_before = raw_graphs(store)
    rows = []
    with coopgraph.open(store) as kg:
        jobs = IMPORTERS["table"].jobs([table.with_suffix(".csv.gz")], mapping=FIXTURES / "table" / "twinning.toml")
        with pytest.raises(TableError if failure == "damaged" else ImportFailed,
                           match="damaged gzip" if failure == "damaged" else "1 row.s. rejected, nothing imported"):
            run(kg, jobs, strict=True, report_dir=tmp_path, progress=lambda _, read, *__: rows.append(read))
        assert max(rows) >= 2000  # read far beyond the first pieces written
        assert kg.store.sizes() == sizes_before
    assert raw_graphs(store) == graphs_before

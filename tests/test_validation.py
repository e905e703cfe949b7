"""Validation at full size: the shapes as SPARQL find exactly what pySHACL finds, imports conform, the report reads.

pySHACL is the reference: each case validates the same store both ways and compares the violations (blank nodes
compared as blank, since each engine names them its own way).
"""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from rdflib import BNode, Graph
from test_importers import cordis_jobs, keep_workbook

import coopgraph
from conftest import FIXTURES, run_cli
from coopgraph.importers import IMPORTERS
from coopgraph.importers.pipeline import run
from coopgraph.validation import validate, validate_by_queries

#: More broken data, for the constraints that broken.ttl leaves unexercised.
MORE_BROKEN = """@prefix coop: <https://w3id.org/coopgraph/ontology#> .
@prefix role: <https://w3id.org/coopgraph/role/> .
@prefix orgtype: <https://w3id.org/coopgraph/organisation-type/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/broken/> .
ex:p a coop:Project ; coop:acronym "" ; coop:startDate "2012-13-45"^^xsd:date ; coop:theme ex:org ;
    coop:programme ex:org ; coop:continues ex:org .
ex:org a coop:Organisation ; skos:prefLabel "A"@en, "B"@en ; coop:organisationType role:partner, orgtype:other ;
    coop:unnamed true ; coop:hasMember ex:p .
ex:unit a coop:OrganisationalUnit ; skos:prefLabel "Unit"@en .
ex:wp a coop:WorkPackage ; coop:number "one" .
ex:event a coop:Event ; coop:eventOf ex:org ; coop:participantCount -3 .
ex:part coop:project ex:p ; coop:partnerNumber ex:org, "PP2" ; coop:role role:partner ;
    coop:euContribution "5"^^xsd:decimal .
ex:lone coop:project ex:q ; coop:euContribution "7"^^xsd:decimal .  # nor its project has a currency
ex:p coop:budget "12"^^xsd:integer ; coop:currency "euro" ;
    coop:region "SE33" ; coop:country <https://example.org/SWE> .
ex:fund a coop:Fund .
ex:doc a coop:SourceDocument .
ex:why a coop:Inference ; coop:justification ex:org .
"""


def counted(violations) -> Counter:
    """Violations as comparable rows, blank nodes compared as blank (each engine names them its own way)."""
    return Counter(tuple("_:" if isinstance(term, BNode) else term for term in (v.focus, v.path, v.value, v.message,
                                                                                v.shape)) for v in violations)


def both_ways(kg) -> tuple[Counter, Counter]:
    """The violations found by the SPARQL translation and by pySHACL over the same store."""
    by_queries = validate_by_queries(lambda sparql: kg.store.query(sparql, {}))
    by_pyshacl = validate(kg.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    return counted(by_queries.violations), counted(by_pyshacl.violations)


def test_the_seed_store_conforms_both_ways(kg):
    assert both_ways(kg) == (Counter(), Counter())
    assert kg.validate().conforms


@pytest.mark.parametrize("broken", [(FIXTURES / "broken.ttl").read_text(), MORE_BROKEN])
def test_the_queries_find_what_pyshacl_finds_on_broken_data(fresh_kg, tmp_path, broken):
    (tmp_path / "broken.ttl").write_text(broken)
    fresh_kg.load(tmp_path / "broken.ttl")
    by_queries, by_pyshacl = both_ways(fresh_kg)
    assert by_queries == by_pyshacl and sum(by_pyshacl.values()) >= 8


def test_every_importer_gives_data_that_conforms(tmp_path):
    """Each importer on its fixture: the store conforms, by the queries and by pySHACL alike."""
    keep_workbook(tmp_path / "keep.xlsx")
    imports = {"cordis": cordis_jobs(), "keep": IMPORTERS["keep"].jobs([tmp_path / "keep.xlsx"]),
               "interreg-se": IMPORTERS["interreg-se"].jobs([FIXTURES / "interreg-se" / "partners.csv"]),
               "table": IMPORTERS["table"].jobs([FIXTURES / "table" / "twinning.csv"],
                                                mapping=FIXTURES / "table" / "twinning.toml")}
    assert set(imports) == set(IMPORTERS)
    for name, jobs in imports.items():
        with coopgraph.open(":memory:") as kg:
            run(kg, jobs, report_dir=tmp_path / name)
            assert both_ways(kg) == (Counter(), Counter()), name


def test_a_project_without_acronym_or_title_is_named_by_its_identifier(fresh_kg, tmp_path):
    table = tmp_path / "nameless.csv"
    table.write_text("projectID;name;role\n42;Umeå universitet;coordinator\n", encoding="utf-8")
    mapping = tmp_path / "nameless.toml"
    mapping.write_text('[source]\nprefix = "nameless"\ndelimiter = ";"\n[project]\nid = "projectID"\n'
                       '[organisation]\nname = "name"\n[participation]\nrole = "role"\n'
                       'role_values = { coordinator = "coordinator" }\n', encoding="utf-8")
    run(fresh_kg, IMPORTERS["table"].jobs([table], mapping=mapping), report_dir=tmp_path)
    assert [str(row.acronym) for row in fresh_kg.query("projects") if "nameless" in row.project] == ["42"]
    assert fresh_kg.validate().conforms


def test_validate_prints_a_summary_by_shape_and_writes_every_violation(initialised_store, tmp_path):
    details = tmp_path / "details.csv"
    done = run_cli("validate", str(FIXTURES / "broken.ttl"), "--details", str(details), store=initialised_store,
                   env={"COLUMNS": "80"})
    assert done.returncode == 1 and f"all of them in {details}" in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "SHACL report by shape" and all(len(line) <= 80 for line in lines)
    written = list(csv.DictReader(details.open(encoding="utf-8")))
    expected = validate(Graph().parse(FIXTURES / "broken.ttl")).violations  # the files' own nodes, by pySHACL
    assert len(written) == len(expected) == 8
    summary = Counter()
    for line in lines[3:]:
        if line[:1].isalpha():  # a row's first line: shape, number of violations, problem
            summary[line.split()[0]] += int(line.split()[1])
    assert summary == Counter(row["shape"].rsplit("#", 1)[-1] for row in written)
    assert {row["focus"] for row in written if not row["focus"].startswith("_:")} <= {
        str(v.focus) for v in expected}

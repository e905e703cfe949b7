"""Importers against bad input: every mistake gives a clear message or a rejected row, never a traceback."""

import csv
import gzip
import shutil
import subprocess

import pytest

from conftest import FIXTURES, run_cli
from coopgraph.importers import IMPORTERS
from coopgraph.importers.mapping import Mapping, MappingError
from coopgraph.importers.pipeline import ImportFailed, run
from coopgraph.importers.tables import Table, TableError

TWINNING = FIXTURES / "table" / "twinning.toml"
HEADER = "agreement|town|country|province|role|signed|budget\n"


def table_jobs(tmp_path, text, name="t.csv", mapping=TWINNING, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return IMPORTERS["table"].jobs([path], mapping=mapping)


@pytest.mark.parametrize("change, message", [
    (("prefix = \"twinning\"", "prefix = 3"), "[source] prefix must be text"),
    (("id = \"agreement\"", "id = []"), "[project] id must be a column name or a list of column names"),
    (("id = \"agreement\"", "id = 3"), "[project] id must be a column name"),
    (("id = \"agreement\"", "id = [\"agreement\", 4]"), "[project] id must be a column name"),
    (("currency = \"EUR\"", "currency = 3"), "[source] currency must be text like [A-Z]{3}"),
    (("currency = \"EUR\"", "currency = \"EUR\"\nencoding = \"nope\""), "'nope' is not an encoding"),
    (("currency = \"EUR\"", "currency = \"EUR\"\ndelimiter = \";;\""), "[source] delimiter must be text"),
    (("role_values = { lead = \"leadPartner\", member = \"partner\" }", "role_values = \"x\""),
     "[participation] role_values must be a table of values"),
    (("date_formats = [\"%d.%m.%Y\", \"%Y-%m-%d\"]", "date_formats = \"%d.%m.%Y\""),
     "[source] date_formats must be a list of formats"),
])
def test_badly_typed_mappings_are_refused(change, message):
    text = TWINNING.read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(MappingError) as error:
        Mapping.parse(text.replace(change[0], change[1], 1), "m.toml")
    assert message in str(error.value)


def test_rows_of_the_wrong_width_are_rejected_with_their_line(fresh_kg, tmp_path):
    jobs = table_jobs(tmp_path, HEADER + "TW-1|Jasło|Polska|Krośnieński|lead|01.03.2012|4000\n"
                      "TW-1|Snina|Slovakia|Prešovský kraj|member|01.03.2012|4000|extra\n"
                      '"TW-1"|"Lesko\nwith a newline"|Polska|Krośnieński|member|01.03.2012|1\n'
                      "TW-1|Boguchwała|Polska\n")
    (report,) = run(fresh_kg, jobs, report_dir=tmp_path)
    assert (report.rows_imported, report.rows_rejected) == (2, 2)
    lines = (tmp_path / "table--t.csv" / "rejects.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("t.csv,3,8 cells where the header has 7")
    assert lines[2].startswith("t.csv,6,3 cells where the header has 7")  # line 6: the quoted newline counts


def test_a_repeated_participation_is_reported(fresh_kg, tmp_path):
    row = "TW-1|Jasło|Polska|Krośnieński|lead|01.03.2012|4000\n"
    (report,) = run(fresh_kg, table_jobs(tmp_path, HEADER + row + row), report_dir=tmp_path)
    (warning,) = report.warnings
    assert warning.startswith("the same project, organisation and role as an earlier row")
    assert report.warnings[warning] == {"rows": 1, "first line": 3}


@pytest.mark.parametrize("content, message", [
    (b"", "t.csv is empty"),
    ("agreement|town|town\nA|B|C\n".encode(), "names column(s) town twice"),
    (gzip.compress(HEADER.encode() * 50)[:-20], "damaged gzip file"),
    ((HEADER + "TW-1|Gdańsk|Polska|Trójmiejski|lead|01.03.2012|1\n").encode("cp1250"), "is not utf-8-sig text"),
])
def test_unreadable_tables_are_named(fresh_kg, tmp_path, content, message):
    with pytest.raises(TableError) as error:
        run(fresh_kg, table_jobs(tmp_path, content), report_dir=tmp_path)
    assert message in str(error.value)


def test_a_byte_order_mark_and_a_huge_cell_are_fine(fresh_kg, tmp_path):
    huge = "x" * 200_000
    text = "\ufeff" + '"agreement"|"town"|"country"|"province"|"role"|"signed"|"budget"\n' + \
        f"TW-1|{huge}|Polska|Krośnieński|lead|01.03.2012|1e3\n"
    (report,) = run(fresh_kg, table_jobs(tmp_path, text), report_dir=tmp_path)
    assert report.rows_imported == 1
    (row,) = fresh_kg.query("SELECT ?v WHERE { ?x coop:budget ?v }")
    assert str(row.v) == "1000"  # 1e3 written as a plain xsd:decimal


def test_rejects_are_safe_to_open_in_a_spreadsheet_and_never_stale(fresh_kg, tmp_path):
    bad = HEADER + "TW-1|=HYPERLINK(\"http://evil\")|Polska|Krośnieński|boss|01.03.2012|1\n"
    run(fresh_kg, table_jobs(tmp_path, bad), report_dir=tmp_path)
    rejects = tmp_path / "table--t.csv" / "rejects.csv"
    assert "'=HYPERLINK" in rejects.read_text(encoding="utf-8")
    run(fresh_kg, table_jobs(tmp_path, HEADER + "TW-1|Jasło|Polska|Krośnieński|lead|01.03.2012|1\n"),
        report_dir=tmp_path)
    assert not rejects.exists()


def test_strict_also_refuses_an_unchanged_source_that_had_rejects(fresh_kg, tmp_path):
    jobs = table_jobs(tmp_path, HEADER + "TW-1|Jasło|Polska|Krośnieński|boss|01.03.2012|1\n"
                      "TW-1|Snina|Slovakia|Prešovský kraj|member|01.03.2012|1\n")
    run(fresh_kg, jobs, report_dir=tmp_path)
    with pytest.raises(ImportFailed, match="1 row.s. rejected"):
        run(fresh_kg, jobs, strict=True, report_dir=tmp_path)


def test_every_input_file_is_in_the_provenance(fresh_kg, tmp_path):
    cordis = FIXTURES / "cordis"
    run(fresh_kg, IMPORTERS["cordis"].jobs([cordis / "organization.csv"], topics=cordis / "topics.csv",
                                           legal_basis=cordis / "legalBasis.csv"), report_dir=tmp_path)
    files = {str(r.file) for r in fresh_kg.query(
        "SELECT ?file WHERE { ?s coop:sourceName 'cordis/organization.csv' ; prov:used/coop:fileName ?file }")}
    assert files == {"organization.csv", "topics.csv", "legalBasis.csv"}
    run(fresh_kg, IMPORTERS["cordis"].jobs([cordis / "organization.csv"]), report_dir=tmp_path)  # replaced
    assert [str(row.file) for row in fresh_kg.query("SELECT ?file WHERE { ?s coop:sourceName "
                                                    "'cordis/organization.csv' ; prov:used/coop:fileName ?file }")] == [
        "organization.csv"]


def test_a_wrong_companion_table_is_named(tmp_path):
    wrong = tmp_path / "topics.csv"
    shutil.copy(FIXTURES / "cordis" / "legalBasis.csv", wrong)  # the legal basis table given as --topics
    with pytest.raises(TableError, match="topics.csv is not a CORDIS topic table"):
        IMPORTERS["cordis"].jobs([FIXTURES / "cordis" / "organization.csv"], topics=wrong)


def test_keep_rejects_a_partner_without_a_project_row_and_refuses_one_csv(fresh_kg, tmp_path):
    partners = tmp_path / "partners.csv"
    partners.write_text((FIXTURES / "keep" / "partners.csv").read_text(encoding="utf-8") +
                        "Interreg Europe,NOSUCH,Some Partner,SE,SE3,SE33,SE331,Umeå,No,1,1\n", encoding="utf-8")
    (report,) = run(fresh_kg, IMPORTERS["keep"].jobs([FIXTURES / "keep" / "projects.csv", partners]),
                    report_dir=tmp_path)
    assert report.rows_rejected == 2  # the partner without a name, and the one without a project row
    assert "no row for this project" in (tmp_path / "keep--partners.csv" / "rejects.csv").read_text(encoding="utf-8")
    with pytest.raises(TableError, match="keep takes one keep.eu workbook"):
        IMPORTERS["keep"].jobs([partners])


def test_a_feasibility_study_and_its_regular_project_stay_two_projects(fresh_kg, tmp_path):
    run(fresh_kg, IMPORTERS["interreg-se"].jobs([FIXTURES / "interreg-se" / "partners.csv"]), report_dir=tmp_path)
    rows = fresh_kg.query("SELECT ?p ?start WHERE { ?p coop:title 'Grenseløs helse' ; coop:startDate ?start }")
    assert sorted(str(r.start) for r in rows) == ["2023-01-01", "2024-01-01"]


def test_matches_are_flagged_stale_after_a_change(store_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli("match", store=store_copy).returncode == 0
    result = run_cli("import", "interreg-se", str(FIXTURES / "interreg-se" / "partners.csv"), store=store_copy)
    assert "run `coopgraph match` again" in result.stderr


@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1) for a terminal")
def test_a_progress_bar_with_rows_per_second_on_a_terminal(store_copy, tmp_path):
    command = (f"COLUMNS=150 coopgraph --store {store_copy} import interreg-se "
               f"{FIXTURES / 'interreg-se' / 'partners.csv'} --report-dir {tmp_path}")
    result = subprocess.run(["script", "-qc", command, "/dev/null"], capture_output=True, text=True, timeout=120)
    assert "rows/s" in result.stdout and "interreg-se/partners.csv" in result.stdout


def test_header_reads_only_the_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "x|y|z|w|v|u|t\n", encoding="utf-8")
    assert Table(path).header() == HEADER.strip().split("|")


def resaved(source, target, separator, original):
    """A copy of a CSV file written again with another separator, as a spreadsheet re-saves it."""
    with open(source, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file, delimiter=original))
    with open(target, "w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=separator).writerows(rows)
    return target


@pytest.mark.parametrize("importer, path, original, separators", [
    ("cordis", FIXTURES / "cordis" / "organization.csv", ";", (",", "\t")),
    ("interreg-se", FIXTURES / "interreg-se" / "partners.csv", ",", (";", "\t"))])
def test_shipped_mappings_read_a_file_resaved_with_another_separator(fresh_kg, tmp_path, importer, path, original,
                                                                    separators):
    (first,) = run(fresh_kg, IMPORTERS[importer].jobs([path]), report_dir=tmp_path)
    for number, separator in enumerate(separators):
        (tmp_path / str(number)).mkdir()
        copy = resaved(path, tmp_path / str(number) / path.name, separator, original)
        (again,) = run(fresh_kg, IMPORTERS[importer].jobs([copy]), report_dir=tmp_path)
        assert (again.rows_imported, again.rows_rejected, again.triples) == (
            first.rows_imported, first.rows_rejected, first.triples), separator


def test_a_missing_column_names_the_separator_and_the_header(fresh_kg, tmp_path):
    path = tmp_path / "organization.csv"
    path.write_text("projectID|organisationID|name\n1|2|x\n", encoding="utf-8")
    with pytest.raises(MappingError) as error:
        run(fresh_kg, IMPORTERS["cordis"].jobs([path]), report_dir=tmp_path)
    message = str(error.value)
    assert "organization.csv (read with the separator '|', sniffed) lacks column(s) " in message
    assert message.endswith("its header: 'projectID', 'organisationID', 'name'")


def test_a_workbook_is_read_as_its_cells_say_and_a_damaged_one_is_refused(tmp_path):
    """Dates as ISO text, whole numbers without ".0", lines counted from the sheet's top even where the table starts
    lower; a missing sheet, a damaged or an empty workbook each get a message."""
    from datetime import date, datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "partners"
    sheet.append([])
    sheet.append([])  # the table starts on line 3, a title row or two above it as exports have
    sheet.append(["name", "signed", "budget", "share", 2021])
    sheet.append(["Umeå kommun", date(2011, 5, 12), 125000, 0.25, datetime(2020, 1, 2, 13, 30)])
    sheet.append([])
    sheet.append(["Jasło", None, 12500.5, None, None])
    workbook.create_sheet("empty")
    path = tmp_path / "partners.xlsx"
    workbook.save(path)

    table = Table(path)
    rows = list(table.rows())
    assert table.columns == ["name", "signed", "budget", "share", "2021"]
    assert [(row.line, row.cells) for row in rows] == [
        (4, {"name": "Umeå kommun", "signed": "2011-05-12", "budget": "125000", "share": "0.25", "2021": "2020-01-02"}),
        (6, {"name": "Jasło", "signed": "", "budget": "12500.5", "share": "", "2021": ""})]
    with pytest.raises(TableError, match="has no sheet 'projects' \\(sheets: partners, empty\\)"):
        Table(path, sheet="projects").header()
    with pytest.raises(TableError, match="sheet 'empty' of partners.xlsx is empty"):
        Table(path, sheet="empty").header()
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(TableError, match="cannot read damaged.xlsx as a workbook"):
        Table(damaged).header()

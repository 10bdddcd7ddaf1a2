"""The HMIS CSV export against the machine-readable list of the format's files, columns and code
lists kept in tests/vendor/hmis-csv-fy2026 (its README says where each part comes from): the
format Waymark writes is the listed one, and the export of the demo organisation (street outreach
asks HUD's data elements) passes every check of its files, columns, types and codes."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.hmis import codes, export
from webapp.jobs import demo
from webapp.models import Program, Role, User, utcnow

SPEC = Path(__file__).parent / "vendor" / "hmis-csv-fy2026"


@dataclass(frozen=True)
class Column:
    file: str
    order: int
    name: str
    data_type: str
    list: str
    nullable: bool
    section: str


def spec_columns() -> dict[str, list[Column]]:
    files: dict[str, list[Column]] = defaultdict(list)
    with (SPEC / "columns.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            files[row["File"]].append(
                Column(
                    file=row["File"],
                    order=int(row["Order"]),
                    name=row["ColumnName"],
                    data_type=row["DataType"],
                    list=row["List"],
                    nullable=row["Nullable"] == "Y",
                    section=row["Section"],
                )
            )
    return dict(files)


def spec_lists() -> dict[str, set[str]]:
    lists: dict[str, set[str]] = defaultdict(set)
    with (SPEC / "lists.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lists[row["List"]].add(row["Value"])
    return dict(lists)


DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
INTEGER = re.compile(r"^-?\d+$")
MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")


def problems_in(archive: bytes) -> list[str]:
    """Every way the zip departs from the listed format; empty when it conforms."""
    columns, lists = spec_columns(), spec_lists()
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        names = set(zipped.namelist())
        for missing in sorted(set(columns) - names):
            found.append(f"{missing}: missing")
        for extra in sorted(names - set(columns)):
            found.append(f"{extra}: not a file of the format")
        for name in sorted(names & set(columns)):
            text = zipped.read(name).decode("utf-8")
            rows = list(csv.reader(io.StringIO(text, newline="")))
            expected = [column.name for column in columns[name]]
            if not rows or rows[0] != expected:
                found.append(f"{name}: header {rows[0] if rows else None} is not {expected}")
                continue
            for number, row in enumerate(rows[1:], start=2):
                if len(row) != len(expected):
                    found.append(f"{name} line {number}: {len(row)} fields")
                    continue
                for column, value in zip(columns[name], row, strict=True):
                    found += [
                        f"{name} line {number} {column.name} ({column.section}): {problem}"
                        for problem in _value_problems(column, value, lists)
                    ]
    return found


def _value_problems(column: Column, value: str, lists: dict[str, set[str]]) -> list[str]:
    if value == "":
        return [] if column.nullable else ["empty, and the column may not be"]
    kind = column.data_type
    problems = []
    if kind == "I" and not INTEGER.match(value):
        problems.append(f"{value!r} is not an integer")
    elif kind == "D":
        if not DATE.match(value):
            problems.append(f"{value!r} is not yyyy-mm-dd")
        else:
            date.fromisoformat(value)
    elif kind == "T":
        if not DATETIME.match(value):
            problems.append(f"{value!r} is not yyyy-mm-dd hh:mm:ss")
        else:
            datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    elif kind == "M" and not MONEY.match(value):
        problems.append(f"{value!r} is not money")
    elif kind.startswith("S") and kind[1:].isdigit() and len(value) > int(kind[1:]):
        problems.append(f"longer than {kind[1:]} characters")
    if column.list and value not in lists.get(column.list, set()):
        problems.append(f"{value!r} is not in list {column.list}")
    return problems


def test_the_vendored_list_is_whole():
    """Every column names a list the list file has, and the version is the one Waymark writes."""
    columns, lists = spec_columns(), spec_lists()
    assert len(columns) == 24
    referenced = {column.list for file in columns.values() for column in file if column.list}
    assert referenced - set(lists) == set()
    for file in columns.values():
        assert [column.order for column in file] == list(range(1, len(file) + 1))
    readme = (SPEC / "README.md").read_text()
    assert codes.CSV_VERSION in readme


def test_waymark_writes_the_listed_files_and_columns_in_order():
    listed = {
        name: [(column.name, column.data_type) for column in file]
        for name, file in spec_columns().items()
    }
    assert {name: list(file) for name, file in codes.FILES.items()} == listed
    assert list(codes.FILES)[:3] == ["Export.csv", "Organization.csv", "User.csv"]


def test_the_checks_catch_what_they_forbid(app, make_user, make_program):
    """The validator can fail: a code not in its list, a bad date, a missing file or column."""
    admin = make_user(Role.ADMIN)
    program = make_program(hud_elements=True)
    made = export.build(
        programs=[program],
        start=date(2026, 1, 1),
        end=date(2026, 12, 31),
        exported_by=admin,
        organization_name="Agency",
        implementation_id="waymark-test",
        now=utcnow(),
    )
    good = made.to_zip()
    assert problems_in(good) == []

    def changed(name: str, old: str, new: str, drop: bool = False) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.namelist():
                if drop and item == name:
                    continue
                text = src.read(item).decode()
                dst.writestr(item, text.replace(old, new, 1) if item == name else text)
        return out.getvalue()

    assert any("list 2.02.6" in p for p in problems_in(changed("Project.csv", ",4,", ",5,")))
    assert any(
        "CSVVersion" in p or "yyyy" in p for p in problems_in(changed("Export.csv", "-", "/"))
    )
    assert problems_in(changed("Services.csv", "", "", drop=True)) == ["Services.csv: missing"]
    assert any(
        "header" in p for p in problems_in(changed("Client.csv", "HispanicLatinao", "Hispanic"))
    )


def test_the_demo_organisations_hmis_export_passes(app):
    """Done when (issue 23): the demo data, street outreach with the pack on, exports to files
    that pass every column and code check, with every kind of record in them."""
    demo.load()
    db.session.commit()
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    street = db.session.scalar(sa.select(Program).where(Program.name == demo.STREET))
    housing = db.session.scalar(sa.select(Program).where(Program.name == demo.HOUSING))
    assert street.hud_elements and not housing.hud_elements
    today = date.today()
    made = export.build(
        programs=[street, housing],
        start=today - timedelta(days=400),
        end=today + timedelta(days=1),
        exported_by=admin,
        organization_name="Demo Outreach Collective",
        implementation_id="waymark-demo",
        now=utcnow(),
    )
    archive = made.to_zip()
    assert problems_in(archive) == []
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        read = {
            name: list(csv.DictReader(io.StringIO(zipped.read(name).decode(), newline="")))
            for name in zipped.namelist()
        }
    assert read["Export.csv"][0]["CSVVersion"] == codes.CSV_VERSION
    assert [row["ProjectType"] for row in read["Project.csv"]] == ["4"]
    assert [row["ProjectName"] for row in read["Project.csv"]] == [demo.STREET]
    for name in ("Client.csv", "Enrollment.csv", "Exit.csv", "CurrentLivingSituation.csv"):
        assert read[name], f"{name} is empty"
    assert read["Services.csv"] == []
    # Clients who did not agree to HMIS data sharing (every third street case) are not there.
    assert 0 < len(read["Client.csv"]) < len({case.client_id for case in street_cases(street)})
    # HUD's reasons for missing data went out as HUD's codes.
    assert {"8", "9"} <= {row["DisablingCondition"] for row in read["Enrollment.csv"]} | {
        row["VeteranStatus"] for row in read["Client.csv"]
    }
    exported_ids = {row["ExportID"] for rows in read.values() for row in rows}
    assert exported_ids == {made.export_id}


def street_cases(program: Program):
    from webapp.models import Case

    return db.session.scalars(sa.select(Case).where(Case.program_id == program.id)).all()


@pytest.mark.parametrize("name", ["columns.csv", "lists.csv"])
def test_the_vendored_files_are_utf8_csv(name):
    text = (SPEC / name).read_text(encoding="utf-8")
    assert text.startswith(("File,Order,ColumnName", "List,ListName,Value,Text"))

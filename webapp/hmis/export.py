"""The HMIS CSV export: a zip of every file of HUD's HMIS CSV format (see `codes`), for the
programs with HUD's data elements on, the cases open in the period, and only the clients whose
HMIS data sharing consent is in force.

Identifiers are Waymark's own and never change between exports: PersonalID is the client's
persistent ID, EnrollmentID and ExitID the case's number, ProjectID the program's, HouseholdID the
household's (or the case's, for someone alone), UserID the staff account's. Only ExportID is new
each time. Dates are the organisation's local dates (D: yyyy-mm-dd; T: yyyy-mm-dd hh:mm:ss)."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.hmis import codes
from webapp.models import (
    AuditAction,
    Case,
    Client,
    Consent,
    ConsentScope,
    HouseholdMember,
    HudAnswers,
    Program,
    User,
)
from webapp.models import hud as elements
from webapp.models.types import N_
from webapp.services import audit
from webapp.timeutil import to_local

ORGANIZATION_ID = "1"
NOT_COLLECTED = elements.NOT_COLLECTED


class ExportError(ValueError):
    """The export cannot be made as asked (named in words a person reads)."""


@dataclass
class HmisExport:
    """What an export holds: each file's rows (dicts by HUD column name), and its counts."""

    export_id: str
    files: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def count(self, name: str) -> int:
        return len(self.files.get(name, []))

    def to_zip(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, columns in codes.FILES.items():
                archive.writestr(name, write_csv(columns, self.files.get(name, [])))
        return buffer.getvalue()


def _cell(value: object, data_type: str) -> str:
    """One value as the format writes it: strings in double quotes, numbers and dates bare, an
    empty value as nothing at all."""
    if value is None or value == "":
        return ""
    if data_type == "T" and isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M:%S")
    if data_type == "D" and isinstance(value, date | datetime):
        return (to_local(value).date() if isinstance(value, datetime) else value).isoformat()
    if data_type.startswith("S"):
        text = str(value)
        limit = int(data_type[1:]) if data_type[1:].isdigit() else None
        if limit is not None:
            text = text[:limit]
        return '"' + text.replace('"', '""') + '"'
    return str(value)


def write_csv(columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, object]]) -> str:
    names = [name for name, _ in columns]
    unknown = {key for row in rows for key in row} - set(names)
    if unknown:
        raise ValueError(f"columns not in the format: {sorted(unknown)}")
    lines = [",".join(names)]
    for row in rows:
        lines.append(",".join(_cell(row.get(name), kind) for name, kind in columns))
    return "\r\n".join(lines) + "\r\n"


def exportable_programs(programs: Sequence[Program]) -> list[Program]:
    return [program for program in programs if program.hud_elements]


def _consenting_client_ids(client_ids: set[int], today: date) -> set[int]:
    consents = db.session.scalars(
        sa.select(Consent).where(
            Consent.client_id.in_(client_ids), Consent.scope == ConsentScope.HMIS_SHARING
        )
    )
    return {consent.client_id for consent in consents if consent.is_in_force(today)}


def _cases(programs: Sequence[Program], start: date, end: date, today: date) -> list[Case]:
    """Cases of these programs open at some time in the period, of clients who consent."""
    candidates = db.session.scalars(
        sa.select(Case)
        .where(Case.program_id.in_([program.id for program in programs]))
        .options(so.selectinload(Case.client))
        .order_by(Case.id)
    ).all()
    in_period = [
        case
        for case in candidates
        if to_local(case.opened_at).date() <= end
        and (case.closed_at is None or to_local(case.closed_at).date() >= start)
        and case.client.merged_into_id is None
    ]
    consenting = _consenting_client_ids({case.client_id for case in in_period}, today)
    return [case for case in in_period if case.client_id in consenting]


def _name_parts(client: Client) -> tuple[str, str, int]:
    """First name, last name and HUD's name data quality (list 3.01.5)."""
    if client.legal_name and len(client.legal_name.split()) > 1:
        words = client.legal_name.split()
        return " ".join(words[:-1]), words[-1], 1
    return client.legal_name or client.preferred_name, "", 2


def _dob(client: Client) -> tuple[date | None, int]:
    if client.date_of_birth is not None:
        return client.date_of_birth, 1
    if client.estimated_birth_year:
        return date(client.estimated_birth_year, 1, 1), 2
    return None, NOT_COLLECTED


def _or_missing(value: int | None) -> int:
    return NOT_COLLECTED if value is None else value


def _household_ids(cases: Sequence[Case]) -> dict[int, str]:
    """Each client's household (a current membership), or the case alone."""
    memberships = db.session.scalars(
        sa.select(HouseholdMember)
        .where(
            HouseholdMember.client_id.in_({case.client_id for case in cases}),
            HouseholdMember.left_on.is_(None),
        )
        .order_by(HouseholdMember.id)
    )
    households = {member.client_id: f"H{member.household_id}" for member in memberships}
    return {case.id: households.get(case.client_id, f"C{case.id}") for case in cases}


def build(
    *,
    programs: Sequence[Program],
    start: date,
    end: date,
    exported_by: User,
    organization_name: str,
    implementation_id: str,
    now: datetime,
) -> HmisExport:
    """Gather the export (nothing written yet). Programs without the HUD data elements are left
    out; an export of none of them is refused."""
    if end < start:
        raise ExportError(N_("The period ends before it starts."))
    chosen = exportable_programs(programs)
    if not chosen:
        raise ExportError(N_("None of these programs asks HUD's data elements."))
    today = to_local(now).date()
    export = HmisExport(export_id=uuid.uuid4().hex)
    export_id = export.export_id
    cases = _cases(chosen, start, end, today)
    answers = {
        row.case_id: row
        for row in db.session.scalars(
            sa.select(HudAnswers).where(HudAnswers.case_id.in_([case.id for case in cases]))
        )
    }
    households = _household_ids(cases)
    users: dict[int, User] = {exported_by.id: exported_by}

    def user_id(user_id: int | None) -> str:
        if user_id is None:
            return str(exported_by.id)
        if user_id not in users:
            users[user_id] = db.session.get_one(User, user_id)
        return str(user_id)

    def stamps(created: datetime, updated: datetime, by: int | None) -> dict[str, object]:
        return {
            "DateCreated": created,
            "DateUpdated": updated,
            "UserID": user_id(by),
            "ExportID": export_id,
        }

    name_words = exported_by.display_name.split()
    export.files["Export.csv"] = [
        {
            "ExportID": export_id,
            "SourceType": 2,  # list 1.9: a standalone, agency-specific application
            "SourceName": organization_name,
            "SourceContactFirst": " ".join(name_words[:-1]) or exported_by.display_name,
            "SourceContactLast": name_words[-1] if len(name_words) > 1 else "",
            "SourceContactEmail": exported_by.email,
            "ExportDate": now,
            "ExportStartDate": start,
            "ExportEndDate": end,
            "SoftwareName": codes.SOFTWARE_NAME,
            "CSVVersion": codes.CSV_VERSION,
            "ExportPeriodType": 3,  # list 1.1: reporting period
            "ExportDirective": 2,  # list 1.2: full refresh
            "HashStatus": 1,  # list 1.5: unhashed
            "ImplementationID": implementation_id,
        }
    ]
    first_program = min(chosen, key=lambda program: program.created_at)
    export.files["Organization.csv"] = [
        {
            "OrganizationID": ORGANIZATION_ID,
            "OrganizationName": organization_name,
            "VictimServiceProvider": 0,
            **stamps(first_program.created_at, now, None),
        }
    ]
    export.files["Project.csv"] = [
        {
            "ProjectID": str(program.id),
            "OrganizationID": ORGANIZATION_ID,
            "ProjectName": program.name,
            "OperatingStartDate": program.created_at,
            "OperatingEndDate": None if program.active else program.updated_at,
            "ContinuumProject": 1,
            "ProjectType": codes.PROJECT_TYPE_STREET_OUTREACH,
            "TargetPopulation": 4,  # list 2.02.7: not applicable
            "HOPWAMedAssistedLivingFac": 2,  # list 2.02.8: not a HOPWA-funded project
            **stamps(program.created_at, program.updated_at, None),
        }
        for program in sorted(chosen, key=lambda program: program.id)
    ]

    clients: dict[int, Client] = {}
    latest: dict[int, HudAnswers] = {}
    for case in cases:
        clients[case.client_id] = case.client
        if case.id in answers:
            latest[case.client_id] = answers[case.id]  # cases are in id order: the last wins
    client_rows = []
    for client in sorted(clients.values(), key=lambda client: client.persistent_id):
        first, last, name_quality = _name_parts(client)
        dob, dob_quality = _dob(client)
        said = latest.get(client.id)
        races = said.races if said else []
        race_missing = (said.race_missing_reason if said else None) or (
            None if races else NOT_COLLECTED
        )
        client_rows.append(
            {
                "PersonalID": client.persistent_id,
                "FirstName": first,
                "LastName": last,
                "NameDataQuality": name_quality,
                "SSNDataQuality": NOT_COLLECTED,
                "DOB": dob,
                "DOBDataQuality": dob_quality,
                "Sex": said.sex if said else None,
                **{column: int(column in races) for column in elements.RACES},
                "RaceNone": race_missing,
                "VeteranStatus": _or_missing(said.veteran_status if said else None),
                **stamps(client.created_at, client.updated_at, client.created_by_id),
            }
        )
    export.files["Client.csv"] = client_rows

    enrollments, exits, living = [], [], []
    for case in cases:
        said = answers.get(case.id)
        household = households[case.id]
        relationship = said.relationship_to_hoh if said else None
        if relationship is None and household.startswith("C"):
            relationship = 1  # alone: their own head of household
        enrollments.append(
            {
                "EnrollmentID": str(case.id),
                "PersonalID": case.client.persistent_id,
                "ProjectID": str(case.program_id),
                "EntryDate": case.opened_at,
                "HouseholdID": household,
                "RelationshipToHoH": _or_missing(relationship),
                "LivingSituation": said.prior_living_situation if said else None,
                "DisablingCondition": _or_missing(said.disabling_condition if said else None),
                "DateOfEngagement": said.date_of_engagement if said else None,
                **stamps(case.opened_at, case.updated_at, case.created_by_id),
            }
        )
        if said is not None and said.current_living_situation is not None:
            living.append(
                {
                    "CurrentLivingSitID": f"I{case.id}",
                    "EnrollmentID": str(case.id),
                    "PersonalID": case.client.persistent_id,
                    "InformationDate": case.opened_at,
                    "CurrentLivingSituation": said.current_living_situation,
                    **stamps(said.recorded_at, said.updated_at, said.recorded_by_id),
                }
            )
        if case.closed_at is not None and to_local(case.closed_at).date() <= end:
            exits.append(
                {
                    "ExitID": str(case.id),
                    "EnrollmentID": str(case.id),
                    "PersonalID": case.client.persistent_id,
                    "ExitDate": case.closed_at,
                    "Destination": _or_missing(said.exit_destination if said else None),
                    **stamps(case.closed_at, case.updated_at, case.primary_worker_id),
                }
            )
    export.files["Enrollment.csv"] = enrollments
    export.files["Exit.csv"] = exits
    export.files["CurrentLivingSituation.csv"] = living
    export.files["Services.csv"] = []
    export.files["User.csv"] = [
        {
            "UserID": str(user.id),
            "UserFirstName": " ".join(user.display_name.split()[:-1]) or user.display_name,
            "UserLastName": user.display_name.split()[-1]
            if len(user.display_name.split()) > 1
            else "",
            "UserEmail": user.email,
            "DateCreated": getattr(user, "created_at", None) or now,
            "DateUpdated": now,
            "ExportID": export_id,
        }
        for user in sorted(users.values(), key=lambda user: user.id)
    ]
    return export


def export(
    *,
    programs: Sequence[Program],
    start: date,
    end: date,
    exported_by: User,
    organization_name: str,
    implementation_id: str,
    now: datetime,
) -> HmisExport:
    """Build the export and audit it: one export event, and one per client whose record left."""
    made = build(
        programs=programs,
        start=start,
        end=end,
        exported_by=exported_by,
        organization_name=organization_name,
        implementation_id=implementation_id,
        now=now,
    )
    audit.record(AuditAction.EXPORT, "hmis_export", made.export_id[:32], user=exported_by)
    client_ids = db.session.scalars(
        sa.select(Client.id).where(
            Client.persistent_id.in_([row["PersonalID"] for row in made.files["Client.csv"]])
        )
    ).all()
    if client_ids:
        audit.record_all(AuditAction.EXPORT, "client", list(client_ids), user=exported_by)
    return made

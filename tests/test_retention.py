"""Retention (issue 21, item 6): who a policy would anonymise, anonymising in batches after a
report, legal holds, and what stays for reports. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.jobs import retention as job
from webapp.models import (
    Assessment,
    AssessmentScore,
    AuditAction,
    AuditEvent,
    Case,
    CaseEvent,
    CaseModel,
    Client,
    ClientMerge,
    ClientRelationship,
    ClosureRequest,
    Consent,
    ContactLog,
    Document,
    Goal,
    Household,
    HouseholdMember,
    Intake,
    IntakeScreening,
    InternalReferral,
    Invitation,
    LegalHold,
    MergeSuggestion,
    Phase,
    PlanSignature,
    PlanTask,
    PostClosureFollowUp,
    Provider,
    Referral,
    ReferralMessage,
    ReferralRequest,
    ReferralStatusChange,
    RetentionRun,
    Role,
    SelfIntakeSubmission,
    Service,
    ServicePlan,
    WaitingOffer,
    utcnow,
)
from webapp.queries import retention as queries
from webapp.reports import extract
from webapp.reports.scope import Scope
from webapp.services import retention as services
from webapp.timeutil import local_today

MARK = "Zebulon"


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def years_ago(years: int, days: int = 0) -> datetime:
    return utcnow() - timedelta(days=365 * years + days)


def close(case: Case, when: datetime) -> None:
    case = db.session.get(Case, case.id)
    case.closed_at, case.phase, case.closure_reason = when, Phase.CLOSED, "goals_met"
    case.opened_at = when - timedelta(days=200)
    db.session.commit()


def row(model: type, **given: Any) -> Any:
    """A row with every required column filled by its type, for the coverage test."""
    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.name in given or column.primary_key or column.nullable or column.foreign_keys:
            continue
        if column.default is not None or column.server_default is not None:
            continue
        kind = column.type
        if isinstance(kind, sa.Enum):
            values[column.key] = next(iter(kind.enum_class))
        elif isinstance(kind, sa.JSON):
            values[column.key] = {}
        elif isinstance(kind, sa.String | sa.Text):
            values[column.key] = "x"
        elif isinstance(kind, sa.Boolean):
            values[column.key] = False
        elif isinstance(kind, sa.Integer):
            values[column.key] = 1
        elif isinstance(kind, sa.Date):
            values[column.key] = local_today()
        elif isinstance(kind, sa.DateTime) or hasattr(kind, "impl"):
            values[column.key] = utcnow()
    instance = model(**values, **given)
    db.session.add(instance)
    db.session.flush()
    return instance


def text_columns() -> dict[str, sa.Column]:
    return {
        f"{table.name}.{column.name}": column
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text | sa.JSON)
    }


def everything_said() -> list[tuple[str, str]]:
    """Every text and JSON value in the database, by column."""
    found = []
    for name, column in text_columns().items():
        for value in db.session.execute(sa.select(column)).scalars():
            if value is not None:
                found.append((name, str(value)))
    return found


@pytest.fixture
def agency(make_program, make_user):
    street = make_program("Street Outreach", model=CaseModel.BROKERAGE, retention_years=5)
    housing = make_program("Housing", model=CaseModel.INTENSIVE, retention_years=7)
    forever = make_program("Health", model=CaseModel.CLINICAL)
    admin = make_user(Role.ADMIN)
    boss = make_user(Role.SUPERVISOR, [street, housing, forever])
    worker = make_user(Role.CASE_MANAGER, [street, housing, forever], supervisor=boss)
    return street, housing, forever, admin, boss, worker


def ids(report: queries.Report) -> set[int]:
    return {found.client_id for found in report.clients}


def test_every_text_column_is_either_replaced_or_kept_on_purpose():
    """A new column that can hold a name or free text fails here until retention knows it."""
    columns = set(text_columns())
    unknown = columns - services.SCRUBBED - set(services.KEPT)
    assert not unknown, f"retention does not know these text columns: {sorted(unknown)}"
    assert not services.SCRUBBED & set(services.KEPT)
    assert not (services.SCRUBBED | set(services.KEPT)) - columns, "names a column that is gone"


def test_a_client_goes_only_when_every_case_in_every_program_is_past_its_program(agency, make_case):
    street, housing, forever, admin, boss, worker = agency
    gone = make_case(street, worker, name="Gone Gina")
    close(gone, years_ago(6))
    # Closed in two programs: Street kept 5 years (passed), Housing 7 (not yet).
    split = make_case(street, worker, name="Split Sam")
    close(split, years_ago(6))
    later = make_case(housing, worker, name="Other")
    later.client_id = split.client_id
    close(later, years_ago(6))
    # An open case elsewhere in the agency keeps the client.
    open_elsewhere = make_case(street, worker, name="Open Olga")
    close(open_elsewhere, years_ago(9))
    still_open = make_case(forever, worker, name="x")
    still_open.client_id = open_elsewhere.client_id
    db.session.commit()
    # A program without a policy keeps its clients forever.
    kept = make_case(forever, worker, name="Kept Karl")
    close(kept, years_ago(30))
    # Not yet five years.
    recent = make_case(street, worker, name="Recent Rita")
    close(recent, years_ago(4, days=300))
    # A legal hold.
    held = make_case(street, worker, name="Held Hank")
    close(held, years_ago(8))
    services.place_hold(held.client, reason="Court order 22-114", placed_by=boss)
    db.session.commit()

    report = queries.report(queries.current_policy(), local_today(), utcnow())
    assert ids(report) == {gone.client_id}
    assert report.cases_by_program == {"Street Outreach": 1}
    # Eight years on, the Housing case is past its seven too.
    later_day = local_today() + timedelta(days=366 * 2)
    assert ids(queries.report(queries.current_policy(), later_day, utcnow())) == {
        gone.client_id,
        split.client_id,
        recent.client_id,
    }


def test_report_then_apply_anonymises_in_batches_and_leaves_open_cases_untouched(
    app, agency, make_case
):
    street, housing, forever, admin, boss, worker = agency
    old = [make_case(street, worker, name=f"Old {n}") for n in range(5)]
    for case in old:
        close(case, years_ago(6))
    opened = make_case(street, worker, name="Quintessa Open", phone="555-0101")
    before = facts(admin, street)

    # Apply refuses without a report.
    refused = run(app, "retention", "apply", "0" * 16, "--yes")
    assert refused.exit_code != 0 and "run `flask retention report` first" in refused.output

    reported = run(app, "retention", "report")
    assert reported.exit_code == 0, reported.output
    assert "5 clients would be anonymised" in reported.output
    assert "Old" not in reported.output  # IDs, never names
    assert f"{old[0].client.display_id}  1 case, last closed" in reported.output
    assert "Street Outreach: 5 closed cases" in reported.output
    digest = reported.output.split("Digest: ")[1].split()[0]
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Client).where(Client.anonymised_at.is_not(None))
        )
        == 0
    )

    # Stopped after one batch of two: two done, committed; run again, it carries on.
    first = job.apply(digest, batch_size=2, stop_after=1)
    assert (first.anonymised, first.batches) == (2, 1)
    assert first.run.finished_at is None
    applied = run(app, "retention", "apply", digest, "--batch-size", "2", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "3 clients anonymised now, 5 of the report's 5 in all" in applied.output
    again = run(app, "retention", "apply", digest, "--yes")
    assert "0 clients anonymised now, 5 of the report's 5 in all" in again.output

    db.session.expire_all()
    for case in old:
        client = db.session.get(Client, case.client_id)
        assert client.anonymised_at is not None
        assert client.preferred_name == services.REMOVED and client.legal_name is None
        assert db.session.get(Case, case.id).closed_at is not None  # the case stays
    untouched = db.session.get(Client, opened.client_id)
    assert (untouched.preferred_name, untouched.phone) == ("Quintessa Open", "555-0101")
    assert untouched.anonymised_at is None
    # One audit event per client, ids only.
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.ANONYMISE)
    ).all()
    assert sorted(int(event.record_id) for event in events) == sorted(c.client_id for c in old)
    # The de-identified extract counts the same cases, row for row.
    assert facts(admin, street) == before
    assert len(before) == 6


def facts(admin, program) -> list[list]:
    """The extract's rows without its pseudonyms (made afresh for each extract)."""
    return sorted(row[2:] for row in extract.rows(scope(admin, program)))


def scope(admin, program) -> Scope:
    today = local_today()
    return Scope(admin, (program.id,), date(today.year - 20, 1, 1), today)


def test_apply_refuses_a_changed_policy_or_an_old_report_and_rechecks_each_client(
    app, agency, make_case
):
    street, housing, forever, admin, boss, worker = agency
    first, second, third = (make_case(street, worker, name=n) for n in ("Ann", "Bo", "Cy"))
    for case in (first, second, third):
        close(case, years_ago(6))
    report, run_ = job.make_report()
    digest = run_.digest[: job.DIGEST_SHOWN]
    # Since the report: Bo has a new case, Cy a legal hold.
    reopened = make_case(housing, worker, name="Bo again")
    reopened.client_id = second.client_id
    db.session.commit()
    services.place_hold(db.session.get(Client, third.client_id), reason="Subpoena", placed_by=boss)
    db.session.commit()

    street = db.session.get(type(street), street.id)
    street.retention_years = 6
    db.session.commit()
    with pytest.raises(job.ApplyRefused, match="policy changed"):
        job.apply(digest)
    street.retention_years = 5
    db.session.commit()
    run_ = db.session.get(RetentionRun, run_.id)
    run_.reported_at = utcnow() - timedelta(days=8)
    db.session.commit()
    with pytest.raises(job.ApplyRefused, match="more than a week old"):
        job.apply(digest)
    run_.reported_at = utcnow()
    db.session.commit()
    with pytest.raises(job.ApplyRefused, match="characters"):
        job.apply(digest[:6])

    applied = job.apply(digest)
    assert (applied.anonymised, applied.skipped) == (1, 2)
    db.session.expire_all()
    assert db.session.get(Client, first.client_id).anonymised_at is not None
    assert db.session.get(Client, second.client_id).preferred_name == "Bo"
    assert db.session.get(Client, third.client_id).preferred_name == "Cy"


def test_apply_without_yes_asks_first(app, agency, make_case):
    street, *_, worker = agency
    case = make_case(street, worker, name="Dee")
    close(case, years_ago(6))
    _report, run_ = job.make_report()
    digest = run_.digest[: job.DIGEST_SHOWN]
    declined = run(app, "retention", "apply", digest, input="n\n")
    assert declined.exit_code != 0
    db.session.expire_all()
    assert db.session.get(Client, case.client_id).anonymised_at is None
    accepted = run(app, "retention", "apply", digest, input="y\n")
    assert accepted.exit_code == 0, accepted.output
    db.session.expire_all()
    assert db.session.get(Client, case.client_id).anonymised_at is not None


def test_nothing_said_about_the_person_is_left_in_any_table(app, agency, make_case):
    """Every table that can hold the client's name or words about them, filled with a marker;
    after anonymising, the marker is nowhere in the database (another client's words stay)."""
    street, housing, forever, admin, boss, worker = agency
    case = make_case(street, worker, name=MARK, legal_name=MARK, date_of_birth=date(1970, 3, 4))
    client = case.client
    merged = row(Client, persistent_id="ZZZZZZZZZ", merged_into_id=client.id)
    row(ClientMerge, survivor_id=client.id, merged_id=merged.id)
    row(MergeSuggestion, client_id=client.id, other_id=merged.id)
    consent = row(Consent, client_id=client.id, case_id=case.id)
    row(LegalHold, client_id=client.id, lifted_at=utcnow())
    if case.intake is None:
        row(Intake, case_id=case.id)
    row(ContactLog, case_id=case.id, occurred_at=utcnow())
    assessment = row(Assessment, case_id=case.id)
    row(AssessmentScore, assessment_id=assessment.id)
    plan = row(ServicePlan, case_id=case.id)
    goal = row(Goal, plan_id=plan.id)
    row(PlanTask, goal_id=goal.id)
    row(CaseEvent, case_id=case.id)
    row(ClosureRequest, case_id=case.id)
    row(PostClosureFollowUp, case_id=case.id, due_on=local_today())
    service = Service(name="Shelter bed", category="housing", provider=Provider(name="Harbor"))
    db.session.add(service)
    db.session.flush()
    referral = row(Referral, case_id=case.id, service_id=service.id, consent_id=consent.id)
    change = row(ReferralStatusChange, referral_id=referral.id)
    row(ReferralMessage, referral_id=referral.id, status_change_id=change.id)
    internal = row(
        InternalReferral,
        from_case_id=case.id,
        to_program_id=housing.id,
        consent_id=consent.id,
        status="declined",
    )
    row(ReferralRequest, case_id=case.id, program_id=housing.id, internal_referral_id=internal.id)
    invitation = row(
        Invitation,
        client_id=client.id,
        program_id=street.id,
        created_by_id=worker.id,
        token_hash="a" * 64,
        expires_at=utcnow() - timedelta(days=1),
    )
    row(SelfIntakeSubmission, invitation_id=invitation.id, status="accepted")
    household = row(Household)
    row(HouseholdMember, household_id=household.id, client_id=client.id)
    row(HouseholdMember, household_id=household.id, name=MARK, birth_year=2012)
    row(ClientRelationship, client_id=client.id, name=MARK, kind="friend")
    row(PlanSignature, plan_id=plan.id, terms_version=1, strokes=[[[1, 2], [3, 4]]])
    # A photo of their ID, on disk as well: the row says deleted, the file is gone.
    directory = Path(app.config["DOCUMENT_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "retention-test-photo").write_bytes(b"their face")
    row(Document, client_id=client.id, case_id=case.id, stored_name="retention-test-photo")
    screening = row(IntakeScreening, program_id=street.id, client_id=client.id, outcome="opened")
    row(WaitingOffer, screening_id=screening.id)
    db.session.commit()
    # Every column retention replaces, in every row there is now, says the marker.
    tables = {column.table for name, column in text_columns().items() if name in services.SCRUBBED}
    for table in tables:
        values = {}
        for column in table.columns:
            if f"{table.name}.{column.name}" not in services.SCRUBBED:
                continue
            values[column.name] = {"said": MARK} if isinstance(column.type, sa.JSON) else MARK
        db.session.execute(table.update().values(**values))
    db.session.commit()
    close(case, years_ago(6))
    # Another client, still open, whose words stay.
    other = make_case(street, worker, name="Quintessa", phone="555-0199")
    assert any(MARK in value for _name, value in everything_said())

    report, run_ = job.make_report()
    assert ids(report) == {client.id}
    job.apply(run_.digest)
    db.session.expire_all()
    left = [(name, value) for name, value in everything_said() if MARK.lower() in value.lower()]
    assert left == []
    assert db.session.get(Client, client.id).date_of_birth is None
    assert db.session.get(Client, client.id).estimated_birth_year == 1970
    assert db.session.get(Client, other.client_id).preferred_name == "Quintessa"
    assert db.session.get(Client, merged.id).anonymised_at is not None
    assert not (directory / "retention-test-photo").exists()
    assert db.session.scalars(sa.select(Document)).one().deleted_at is not None
    assert db.session.scalars(sa.select(PlanSignature)).one().strokes is None


def test_a_supervisor_places_a_legal_hold_with_a_reason_shown_and_audited(
    as_user, agency, make_case, make_user, make_program
):
    street, housing, forever, admin, boss, worker = agency
    case = make_case(street, worker, name="Hana")
    client = case.client
    path = f"/clients/{client.display_id}/hold"
    # Workers may not; a supervisor who cannot see the client gets 404; no reason: 422.
    assert as_user(worker).post(path, data={"reason": "x"}).status_code == 403
    stranger = make_user(Role.SUPERVISOR, [make_program()])
    assert as_user(stranger).post(path, data={"reason": "x"}).status_code == 404
    empty = as_user(boss).post(path, data={"reason": "   "})
    assert empty.status_code == 422
    assert 'id="reason-error">Say why the record is held.' in empty.get_data(as_text=True)
    too_long = as_user(boss).post(path, data={"reason": "y" * 2001})
    assert too_long.status_code == 422 and "y" * 2001 in too_long.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LegalHold)) == 0

    placed = as_user(boss).post(path, data={"reason": "Court order 22-114"})
    assert placed.status_code == 302
    hold = db.session.scalar(sa.select(LegalHold))
    assert (hold.client_id, hold.placed_by_id, hold.reason) == (
        client.id,
        boss.id,
        "Court order 22-114",
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.record_type == "legal_hold"))
    assert (event.action, event.record_id, event.user_id) == (
        AuditAction.CREATE,
        str(hold.id),
        boss.id,
    )
    page = as_user(worker).get(f"/clients/{client.display_id}").get_data(as_text=True)
    assert "Legal hold" in page and "Court order 22-114" in page
    assert "Lift the legal hold" not in page and "Place a legal hold" not in page
    again = as_user(boss).post(path, data={"reason": "Twice"})
    assert again.status_code == 422 and "already held" in again.get_data(as_text=True)

    # Only an admin lifts it; the row stays, with who and when.
    lift = f"/clients/{client.display_id}/hold/lift"
    assert as_user(boss).post(lift).status_code == 403
    assert "Lift the legal hold" in as_user(admin).get(f"/clients/{client.display_id}").get_data(
        as_text=True
    )
    assert as_user(admin).post(lift).status_code == 302
    db.session.expire_all()
    hold = db.session.get(LegalHold, hold.id)
    assert hold.lifted_at is not None and hold.lifted_by_id == admin.id
    assert as_user(admin).post(lift).status_code == 409
    assert "Place a legal hold" in as_user(boss).get(f"/clients/{client.display_id}").get_data(
        as_text=True
    )


def test_a_held_client_is_left_alone_until_the_hold_is_lifted(agency, make_case):
    street, housing, forever, admin, boss, worker = agency
    case = make_case(street, worker, name="Ivo")
    close(case, years_ago(6))
    hold = services.place_hold(case.client, reason="Complaint", placed_by=boss)
    db.session.commit()
    report, _run = job.make_report()
    assert report.clients == []
    services.lift_hold(hold, lifted_by=admin)
    db.session.commit()
    report, run_ = job.make_report()
    assert ids(report) == {case.client_id}
    job.apply(run_.digest)
    db.session.expire_all()
    assert db.session.get(LegalHold, hold.id).reason == ""


def test_a_household_stays_while_another_of_its_clients_keeps_their_record(agency, make_case):
    street, housing, forever, admin, boss, worker = agency
    leaving = make_case(street, worker, name="Jon")
    staying = make_case(street, worker, name="Kim")
    close(leaving, years_ago(6))
    household = row(Household, name="12 Elm Street")
    row(HouseholdMember, household_id=household.id, client_id=leaving.client_id)
    row(HouseholdMember, household_id=household.id, client_id=staying.client_id)
    row(HouseholdMember, household_id=household.id, name="Little Lou", birth_year=2018)
    db.session.commit()
    _report, run_ = job.make_report()
    job.apply(run_.digest)
    db.session.expire_all()
    assert db.session.get(Household, household.id).name == "12 Elm Street"
    names = set(
        db.session.scalars(
            sa.select(HouseholdMember.name).where(HouseholdMember.household_id == household.id)
        )
    )
    assert "Little Lou" in names
    # Kim's case closes and passes its years too: now the household goes.
    close(staying, years_ago(6))
    _report, run_ = job.make_report()
    job.apply(run_.digest)
    db.session.expire_all()
    assert db.session.get(Household, household.id).name == services.REMOVED
    assert "Little Lou" not in set(
        db.session.scalars(
            sa.select(HouseholdMember.name).where(HouseholdMember.household_id == household.id)
        )
    )
    # Counted still: the child's birth year stays.
    assert (
        db.session.scalar(
            sa.select(HouseholdMember.birth_year).where(HouseholdMember.client_id.is_(None))
        )
        == 2018
    )


def test_the_anonymised_client_page_says_so(as_user, agency, make_case):
    street, housing, forever, admin, boss, worker = agency
    case = make_case(street, worker, name="Lena")
    close(case, years_ago(6))
    _report, run_ = job.make_report()
    job.apply(run_.digest)
    page = as_user(boss).get(f"/clients/{case.client.display_id}").get_data(as_text=True)
    assert "Anonymised" in page and "Lena" not in page
    assert "Place a legal hold" not in page


def test_something_still_waiting_on_the_client_keeps_them(agency, make_case):
    street, housing, forever, admin, boss, worker = agency
    invited, referred, held_merged = (
        make_case(street, worker, name=n) for n in ("Mo", "Ned", "Oz")
    )
    for case in (invited, referred, held_merged):
        close(case, years_ago(6))
    # A self-intake link still usable.
    row(
        Invitation,
        client_id=invited.client_id,
        program_id=street.id,
        created_by_id=worker.id,
        token_hash="b" * 64,
        expires_at=utcnow() + timedelta(days=3),
    )
    # A referral to another program still waiting for its decision.
    consent = row(Consent, client_id=referred.client_id, case_id=referred.id)
    row(
        InternalReferral,
        from_case_id=referred.id,
        to_program_id=housing.id,
        consent_id=consent.id,
        status="pending",
    )
    # A hold on a record since merged into this one.
    merged = row(Client, persistent_id="YYYYYYYYY", merged_into_id=held_merged.client_id)
    row(LegalHold, client_id=merged.id)
    db.session.commit()
    assert queries.report(queries.current_policy(), local_today(), utcnow()).clients == []


def test_a_merge_moves_the_hold_to_the_record_that_stays(agency, make_case):
    from webapp.services import merge

    street, housing, forever, admin, boss, worker = agency
    kept, duplicate = make_case(street, worker, name="Pat"), make_case(street, worker, name="Pat B")
    hold = services.place_hold(duplicate.client, reason="Complaint 7", placed_by=boss)
    db.session.commit()
    merge.merge_clients(kept.client, duplicate.client, take_from_merged=set(), merged_by=admin)
    db.session.commit()
    assert db.session.get(LegalHold, hold.id).client_id == kept.client_id
    assert queries.hold_in_force(db.session.get(Client, kept.client_id)).id == hold.id


def test_someone_waiting_for_a_place_is_kept_whatever_their_old_cases(agency, make_case):
    """An old case closed long ago, and a place waited for now in another program: they are
    being served, so retention passes them by until they are off the list."""
    street, housing, forever, admin, boss, worker = agency
    case = make_case(street, worker, name="Wendell Waiting")
    close(case, years_ago(6))
    report, _run = job.make_report()
    assert ids(report) == {case.client_id}
    entry = row(IntakeScreening, program_id=housing.id, client_id=case.client_id, outcome="waiting")
    db.session.commit()
    report, _run = job.make_report()
    assert ids(report) == set()
    entry.outcome = "opened"
    db.session.commit()
    report, _run = job.make_report()
    assert ids(report) == {case.client_id}

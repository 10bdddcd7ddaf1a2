"""Taking someone off a waiting list without opening a case (leftovers): they found help
elsewhere, no longer want the place, could not be reached, moved away, or another reason with a
note. The list, its counts and the holder's check-ins no longer hold them; their record stays and
says what happened; "known to the agency" reads them as known there, no case now."""

from datetime import timedelta

import sqlalchemy as sa

from tests.test_intake_rules import Agency, agency, wait  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    IntakeScreening,
    LeftReason,
    ReminderKind,
    Role,
    ScreeningOutcome,
    WaitPriority,
)
from webapp.queries.intake_rules import check_ins_due, waiting_counts, waiting_list
from webapp.queries.today import due_items
from webapp.services import intake_rules
from webapp.timeutil import local_today


def leave_url(entry: IntakeScreening) -> str:
    return f"/waiting/{entry.id}/leave"


def fresh(entry: IntakeScreening) -> IntakeScreening:
    db.session.expire_all()
    return db.session.get(IntakeScreening, entry.id)


def test_taking_someone_off_without_a_case(as_user, agency: Agency):  # noqa: F811
    today = local_today()
    entry = wait(agency, "Rosa", WaitPriority.HIGH, 10, check_in=today)
    other = wait(agency, "Sam", WaitPriority.NORMAL, 3)
    assert check_ins_due(agency.worker, today) == [entry]
    assert waiting_counts(agency.worker)[agency.program.id] == 2
    colleague = as_user(agency.colleague)
    page = colleague.get(f"/waiting/{entry.id}").get_data(as_text=True)
    assert "Take off the list without a case" in page and leave_url(entry) in page
    response = colleague.post(
        leave_url(entry), data={"reason": "found_help", "note": "Housed by her sister."}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/waiting/{entry.id}"
    entry = fresh(entry)
    assert entry.outcome == ScreeningOutcome.LEFT and entry.left_reason == LeftReason.FOUND_HELP
    assert entry.left_note == "Housed by her sister."
    assert entry.taken_off_by_id == agency.colleague.id and entry.taken_off_at is not None
    assert entry.case_id is None and entry.next_check_in_on is None
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.record_type == "intake_screening", AuditEvent.record_id == str(entry.id)
        )
    ).all()
    assert AuditAction.UPDATE in events
    # Off the list, its counts, and the holder's check-ins (which Today reads).
    assert waiting_list(agency.worker, agency.program).screenings == [fresh(other)]
    assert waiting_list(agency.worker, agency.program).total == 1
    assert waiting_counts(agency.worker)[agency.program.id] == 1
    assert check_ins_due(agency.worker, today) == []
    assert not [
        item
        for item in due_items(agency.worker, today)
        if item.kind == ReminderKind.WAITING_CHECK_IN
    ]
    # What happened is shown on the entry and on the client's record.
    page = colleague.get(f"/waiting/{entry.id}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    said = "Taken off the Housing First waiting list on"
    assert said in body and "found help elsewhere — by Ben Okafor" in body
    assert "Housed by her sister." in body
    assert "Take off the list without a case" not in body
    assert "Rosa is off the waiting list of Housing First: found help elsewhere." in body
    listed = colleague.get(f"/waiting/programs/{agency.program.id}").get_data(as_text=True)
    assert "Rosa" not in listed and "Sam" in listed
    record = colleague.get(f"/clients/{entry.client.display_id}")
    assert record.status_code == 200
    body = record.get_data(as_text=True)
    assert said in body and "found help elsewhere — by Ben Okafor" in body
    assert "Housed by her sister." in body


def test_other_needs_a_note_and_bad_input_writes_nothing(as_user, agency: Agency):  # noqa: F811
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3)
    client = as_user(agency.worker)
    for data, field in (
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "got_bored"}, "reason"),
        ({"reason": "other"}, "note"),
        ({"reason": "other", "note": "   "}, "note"),
        ({"reason": "moved_away", "note": "x" * 501}, "note"),
    ):
        response = client.post(leave_url(entry), data=data)
        assert response.status_code == 422, data
        assert f'id="{field}-error"' in response.get_data(as_text=True), data
        assert fresh(entry).outcome == ScreeningOutcome.WAITING
    response = client.post(
        leave_url(entry), data={"reason": "other", "note": "In hospital for months"}
    )
    assert response.status_code == 302
    entry = fresh(entry)
    assert entry.left_reason == LeftReason.OTHER and entry.left_note == "In hospital for months"


def test_someone_no_longer_waiting_is_not_taken_off_again(as_user, agency: Agency):  # noqa: F811
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3)
    intake_rules.leave(entry, by=agency.worker, reason=LeftReason.MOVED_AWAY)
    db.session.commit()
    response = as_user(agency.colleague).post(
        leave_url(entry), data={"reason": "not_reached", "note": "Phone off"}
    )
    assert response.status_code == 409
    assert "no longer on the waiting list" in response.get_data(as_text=True)
    entry = fresh(entry)
    assert entry.left_reason == LeftReason.MOVED_AWAY and entry.left_note == ""
    assert entry.taken_off_by_id == agency.worker.id
    # Nor taken off into a case.
    assert as_user(agency.colleague).post(f"/waiting/{entry.id}/take-off").status_code == 409
    # Someone whose case opened off the list is not "taken off" either.
    opened = wait(agency, "Sam", WaitPriority.NORMAL, 3)
    intake_rules.take_off(opened, by=agency.worker, worker=agency.worker, today=local_today())
    db.session.commit()
    response = as_user(agency.worker).post(leave_url(opened), data={"reason": "moved_away"})
    assert response.status_code == 409 and fresh(opened).outcome == ScreeningOutcome.OPENED


def test_who_may_take_someone_off(app, as_user, agency: Agency, make_user):  # noqa: F811
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3)
    data = {"reason": "no_longer_wants"}
    assert app.test_client().post(leave_url(entry), data=data).status_code == 401
    assert as_user(agency.outsider).post(leave_url(entry), data=data).status_code == 404
    assert as_user(agency.worker).post("/waiting/999999/leave", data=data).status_code == 404
    assert fresh(entry).outcome == ScreeningOutcome.WAITING
    # The program's people who see the list may, as they may take someone off into a case.
    for user in (agency.supervisor, agency.admin):
        other = wait(agency, f"Kim {user.id}", WaitPriority.NORMAL, 3)
        assert as_user(user).post(leave_url(other), data=data).status_code == 302, user
        assert fresh(other).outcome == ScreeningOutcome.LEFT
    assert as_user(agency.worker).post(leave_url(entry), data=data).status_code == 302


def test_known_to_the_agency_reads_them_as_known_with_no_case_now(
    as_user,
    agency: Agency,  # noqa: F811
    make_user,
):
    entry = wait(agency, "Lena Okafor", WaitPriority.NORMAL, 3)
    entry.client.legal_name = "Lena Okafor"
    entry.client.phone = "555-0199"
    db.session.commit()
    stranger = as_user(make_user(Role.OUTREACH_WORKER, [agency.other]))

    def card() -> str:
        body = stranger.get("/clients", query_string={"q": "Lena Okafor"}).get_data(as_text=True)
        return body.split('id="agency-card"')[1]

    assert "Waiting for a place, held by Ana Torres." in card()
    intake_rules.leave(entry, by=agency.worker, reason=LeftReason.NOT_REACHED)
    db.session.commit()
    told = card()
    assert "Known to Housing First; no open case now." in told
    assert "Waiting for a place" not in told


def test_a_later_intake_may_put_them_on_the_list_again(agency: Agency):  # noqa: F811
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3)
    intake_rules.leave(entry, by=agency.worker, reason=LeftReason.NO_LONGER_WANTS)
    db.session.commit()
    from webapp.queries.intake_rules import Evaluation

    again = intake_rules.record_screening(
        program=agency.program,
        client=entry.client,
        evaluation=Evaluation(qualified=True, priority=WaitPriority.NORMAL),
        outcome=ScreeningOutcome.WAITING,
        screened_by=agency.worker,
        today=local_today(),
        next_check_in_on=local_today() + timedelta(days=7),
    )
    db.session.commit()
    assert waiting_list(agency.worker, agency.program).screenings == [again]


def test_what_happened_is_said_in_spanish(as_user, agency: Agency):  # noqa: F811
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3)
    agency.colleague.language = "es"
    db.session.commit()
    client = as_user(agency.colleague)
    page = client.get(f"/waiting/{entry.id}").get_data(as_text=True)
    assert "Sacar de la lista sin abrir caso" in page and "Encontró ayuda en otro lugar" in page
    response = client.post(leave_url(entry), data={"reason": "other"})
    assert "Con «Otro», escriba por qué salió." in response.get_data(as_text=True)
    client.post(leave_url(entry), data={"reason": "moved_away"})
    page = client.get(f"/waiting/{entry.id}").get_data(as_text=True)
    assert "Salió de la lista de espera de Housing First el" in page
    assert "se mudó lejos — registrado por Ben Okafor" in page

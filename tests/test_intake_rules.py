"""Program intake rules and waiting lists (issue 21, items 3 and 4): an admin's questions and
priority rules, quick intake asking them (a person who does not qualify recorded with the reason
and no case), a full program's waiting list by priority then date, the holder's check-in on
Today, resources offered while waiting, and taking someone off the list into a case."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.test_internal_referrals import refer, setup  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import (
    Case,
    Client,
    Consent,
    EligibilityQuestion,
    IntakeScreening,
    InternalReferralStatus,
    Program,
    QuestionKind,
    ReminderKind,
    Role,
    ScreeningOutcome,
    User,
    WaitingOffer,
    WaitPriority,
)
from webapp.queries.intake_rules import evaluate, waiting_list
from webapp.queries.today import due_items
from webapp.services import clients, intake_rules
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Agency:
    program: Program
    other: Program
    worker: User
    colleague: User
    supervisor: User
    outsider: User
    admin: User
    housed: EligibilityQuestion
    age: EligibilityQuestion


@pytest.fixture
def agency(make_program, make_user) -> Agency:
    program = make_program("Housing First")
    other = make_program("Food Bank")
    admin = make_user(Role.ADMIN)
    housed = intake_rules.add_question(
        program,
        text="Sleeping outside?",
        kind=QuestionKind.YES_NO,
        priority_answers=["yes"],
        priority=WaitPriority.HIGH,
        added_by=admin,
    )
    age = intake_rules.add_question(
        program,
        text="Age group",
        kind=QuestionKind.CHOICE,
        choices="Under 18\n18 to 24\n25 or older",
        qualifying="18 to 24\n25 or older",
        added_by=admin,
    )
    db.session.commit()
    supervisor = make_user(Role.SUPERVISOR, [program], name="Marcus Oyelaran")
    return Agency(
        program=program,
        other=other,
        worker=make_user(Role.OUTREACH_WORKER, [program, other], name="Ana Torres"),
        colleague=make_user(Role.CASE_MANAGER, [program], name="Ben Okafor"),
        supervisor=supervisor,
        outsider=make_user(Role.CASE_MANAGER, [other], name="Out Sider"),
        admin=admin,
        housed=housed,
        age=age,
    )


def intake(program, answers=None, **overrides):
    data = {
        "preferred_name": "Dee",
        "approximate_age": "30",
        "program": str(program.id),
        "presenting_circumstances": "Sleeping in the underpass on 5th.",
        "consent_given": "y",
        "consent_method": "verbal",
        "next_follow_up_on": (local_today() + timedelta(days=2)).isoformat(),
        **(answers or {}),
    }
    data.update(overrides)
    return data


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def answered(agency, housed="yes", age="25 or older"):
    return {agency.housed.field_name: housed, agency.age.field_name: age}


def fill_up(agency, make_case):
    """The program holds one open case at most, and has it."""
    agency.program.open_case_limit = 1
    db.session.commit()
    make_case(agency.program, agency.colleague, name="Already Here")


# Evaluation


def test_answers_qualify_by_the_rules_and_the_highest_priority_wins(agency, app):
    questions = [agency.housed, agency.age]
    yes = evaluate(questions, {agency.housed.id: "yes", agency.age.id: "18 to 24"})
    assert yes.qualified and yes.reasons == [] and yes.priority == WaitPriority.HIGH
    assert yes.answers == [("Sleeping outside?", "yes"), ("Age group", "18 to 24")]
    no = evaluate(questions, {agency.housed.id: "no", agency.age.id: "Under 18"})
    assert not no.qualified and no.priority == WaitPriority.NORMAL
    assert no.reasons == ["Age group: Under 18"]
    urgent = intake_rules.add_question(
        agency.program,
        text="Fleeing violence?",
        kind=QuestionKind.YES_NO,
        priority_answers="yes",
        priority=WaitPriority.URGENT,
        added_by=agency.admin,
    )
    both = evaluate(
        [*questions, urgent],
        {agency.housed.id: "yes", agency.age.id: "25 or older", urgent.id: "yes"},
    )
    assert both.priority == WaitPriority.URGENT
    # No questions: everyone qualifies, at normal priority.
    assert evaluate([], {}).qualified and evaluate([], {}).priority == WaitPriority.NORMAL


def test_a_rule_must_use_the_answers_its_question_offers(agency, app):
    def add(**fields):
        with pytest.raises(intake_rules.IntakeRuleError) as raised:
            intake_rules.add_question(agency.program, added_by=agency.admin, **fields)
        return raised.value.field

    assert add(text="  ", kind=QuestionKind.YES_NO) == "text"
    assert add(text="Pick", kind=QuestionKind.CHOICE, choices="Only one") == "choices"
    assert add(text="Housed?", kind=QuestionKind.YES_NO, qualifying="maybe") == "qualifying"
    assert add(text="Housed?", kind=QuestionKind.YES_NO, priority_answers="yes") == "priority"
    assert (
        add(
            text="Pick",
            kind=QuestionKind.CHOICE,
            choices="a\nb",
            priority_answers="c",
            priority=WaitPriority.HIGH,
        )
        == "priority_answers"
    )


# Admin pages


def test_only_admins_define_a_programs_questions(as_user, agency):
    url = f"/admin/programs/{agency.program.id}/intake"
    for user in (agency.worker, agency.supervisor):
        assert as_user(user).get(url).status_code == 403
        assert as_user(user).post(url, data={"text": "X?", "kind": "yes_no"}).status_code == 403
    page = as_user(agency.admin).get(url).get_data(as_text=True)
    assert "Sleeping outside?" in page and "Age group" in page
    response = as_user(agency.admin).post(
        url,
        data={
            "text": "Has a pet?",
            "kind": "yes_no",
            "qualifying": "",
            "priority_answers": "yes",
            "priority": "high",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(
        sa.select(EligibilityQuestion.priority).where(EligibilityQuestion.text == "Has a pet?")
    ) == (WaitPriority.HIGH)
    assert as_user(agency.admin).get("/admin/programs/999999/intake").status_code == 404


def test_an_admin_writes_yes_and_no_in_their_own_language(as_user, agency):
    """A Spanish-speaking admin types "Sí" (or "no") for a yes/no question's qualifying and
    priority answers; the rule keeps the stored yes and no the intake form answers with."""
    admin = as_user(agency.admin)
    admin.post(
        "/account/settings",
        data={"language": "es", "time_zone": "", "quiet_from": "", "quiet_until": ""},
    )
    response = admin.post(
        f"/admin/programs/{agency.program.id}/intake",
        data={
            "text": "¿Tiene mascota?",
            "kind": "yes_no",
            "qualifying": "Sí\nNO",
            "priority_answers": " sí ",
            "priority": "high",
        },
    )
    assert response.status_code == 302
    question = db.session.scalar(
        sa.select(EligibilityQuestion).where(EligibilityQuestion.text == "¿Tiene mascota?")
    )
    assert (question.qualifying_answers, question.priority_answer_list) == (["yes", "no"], ["yes"])
    # Words that are neither are still refused beside the field.
    response = admin.post(
        f"/admin/programs/{agency.program.id}/intake",
        data={"text": "¿Fuma?", "kind": "yes_no", "qualifying": "quizás"},
    )
    assert response.status_code == 422 and 'id="qualifying-error"' in response.get_data(
        as_text=True
    )


def test_a_bad_question_is_refused_beside_its_field_with_what_was_typed(as_user, agency):
    url = f"/admin/programs/{agency.program.id}/intake"
    response = as_user(agency.admin).post(
        url, data={"text": "Which shelter?", "kind": "choice", "choices": "Only one"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="choices-error"' in page and "from 2 to 8 answers" in page
    assert 'value="Which shelter?"' in page
    response = as_user(agency.admin).post(url, data={"text": "", "kind": "nonsense"})
    assert response.status_code == 422
    assert 'id="text-error"' in response.get_data(as_text=True)
    assert count(EligibilityQuestion) == 2


def test_an_admin_removes_a_question_and_sets_the_programs_limits(as_user, agency):
    client = as_user(agency.admin)
    assert (
        as_user(agency.worker)
        .post(f"/admin/programs/{agency.program.id}/intake/{agency.age.id}/remove")
        .status_code
        == 403
    )
    # A question of another program is not found under this one.
    assert (
        client.post(f"/admin/programs/{agency.other.id}/intake/{agency.age.id}/remove").status_code
        == 404
    )
    assert (
        client.post(
            f"/admin/programs/{agency.program.id}/intake/{agency.age.id}/remove"
        ).status_code
        == 302
    )
    assert count(EligibilityQuestion) == 1
    edit = {
        "name": "Housing First",
        "model": "generalist",
        "active": "y",
        "open_case_limit": "0",
    }
    response = client.post(f"/admin/programs/{agency.program.id}", data=edit)
    assert response.status_code == 422
    assert 'id="open_case_limit-error"' in response.get_data(as_text=True)
    edit.update(open_case_limit="20", intake_closed="y")
    assert client.post(f"/admin/programs/{agency.program.id}", data=edit).status_code == 302
    program = db.session.get(Program, agency.program.id)
    assert program.open_case_limit == 20 and program.intake_closed


# Quick intake


def test_the_intake_form_carries_every_programs_questions_for_offline_use(as_user, agency):
    for url in ("/clients/new", "/forms/intake"):
        page = as_user(agency.worker).get(url).get_data(as_text=True)
        assert f'data-program-questions="{agency.program.id}"' in page
        assert f'name="{agency.housed.field_name}"' in page
        assert f'name="{agency.age.field_name}" value="Under 18"' in page
    # A program the worker is not in: its questions are not in their form.
    page = as_user(agency.outsider).get("/forms/intake").get_data(as_text=True)
    assert agency.housed.field_name not in page


def test_an_unanswered_or_unknown_answer_is_refused_beside_the_question(as_user, agency):
    client = as_user(agency.worker)
    response = client.post("/clients/new", data=intake(agency.program))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{agency.housed.field_name}-error"' in page
    assert f'id="{agency.age.field_name}-error"' in page
    assert 'value="Dee"' in page
    response = client.post(
        "/clients/new", data=intake(agency.program, answered(agency, age="Over 90"))
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choose one of the answers shown." in page
    # The answer typed to the other question is kept.
    assert f'name="{agency.housed.field_name}" value="yes" checked' in page
    assert count(Client) == 0 and count(Case) == 0 and count(IntakeScreening) == 0


def test_another_programs_questions_are_not_asked(as_user, agency):
    response = as_user(agency.worker).post("/clients/new", data=intake(agency.other))
    assert response.status_code == 302
    assert count(Case) == 1 and count(IntakeScreening) == 0


def test_a_person_who_qualifies_gets_a_case_and_their_answers_are_kept(as_user, agency):
    response = as_user(agency.worker).post(
        "/clients/new", data=intake(agency.program, answered(agency))
    )
    case = db.session.scalar(sa.select(Case))
    assert response.headers["Location"] == f"/cases/{case.id}"
    screening = db.session.scalar(sa.select(IntakeScreening))
    assert screening.outcome == ScreeningOutcome.OPENED and screening.case_id == case.id
    assert screening.answers == [["Sleeping outside?", "yes"], ["Age group", "25 or older"]]
    assert screening.priority == WaitPriority.HIGH


def test_a_person_who_does_not_qualify_is_recorded_with_the_reason_and_no_case(as_user, agency):
    response = as_user(agency.worker).post(
        "/clients/new",
        data=intake(
            agency.program, answered(agency, age="Under 18"), referred_to="Youth Shelter on 3rd"
        ),
    )
    assert response.status_code == 302
    client = db.session.scalar(sa.select(Client))
    assert response.headers["Location"] == f"/clients/{client.display_id}"
    assert count(Case) == 0
    screening = db.session.scalar(sa.select(IntakeScreening))
    assert screening.outcome == ScreeningOutcome.NOT_ELIGIBLE and not screening.qualified
    assert screening.reasons == "Age group: Under 18"
    assert screening.referred_to == "Youth Shelter on 3rd"
    assert db.session.scalar(sa.select(Consent.client_id)) == client.id
    # The program's people see the person recorded; another program's do not.
    page = as_user(agency.colleague).get(f"/clients/{client.display_id}").get_data(as_text=True)
    assert "Youth Shelter on 3rd" in page and "Age group: Under 18" in page
    assert as_user(agency.outsider).get(f"/clients/{client.display_id}").status_code == 404


def test_a_full_program_puts_the_person_on_its_waiting_list(as_user, agency, make_case):
    fill_up(agency, make_case)
    response = as_user(agency.worker).post(
        "/clients/new", data=intake(agency.program, answered(agency))
    )
    screening = db.session.scalar(
        sa.select(IntakeScreening).where(IntakeScreening.outcome == ScreeningOutcome.WAITING)
    )
    assert response.headers["Location"] == f"/waiting/{screening.id}"
    assert count(Case) == 1  # only the one already there
    assert screening.priority == WaitPriority.HIGH
    assert screening.waiting_since == local_today()
    assert screening.next_check_in_on == local_today() + timedelta(days=2)
    assert screening.holding_worker_id == agency.worker.id
    assert screening.intake["presenting_circumstances"] == "Sleeping in the underpass on 5th."


def test_a_closed_intake_puts_everyone_who_qualifies_on_the_list(as_user, agency):
    agency.other.intake_closed = True
    db.session.commit()
    # No questions in this program: everyone qualifies, and waits.
    as_user(agency.worker).post("/clients/new", data=intake(agency.other))
    screening = db.session.scalar(sa.select(IntakeScreening))
    assert screening.outcome == ScreeningOutcome.WAITING and screening.program_id == agency.other.id
    assert screening.priority == WaitPriority.NORMAL and count(Case) == 0


# The waiting list


def wait(agency, name, priority, days_ago, holder=None, check_in=None):
    client = clients.create_client(
        clients.ClientDetails(preferred_name=name), created_by=agency.worker
    )
    screening = IntakeScreening(
        program=agency.program,
        client=client,
        answers=[],
        qualified=True,
        priority=priority,
        outcome=ScreeningOutcome.WAITING,
        intake={"presenting_circumstances": f"{name} needs a flat."},
        waiting_since=local_today() - timedelta(days=days_ago),
        next_check_in_on=check_in or local_today() + timedelta(days=3),
        holding_worker_id=(holder or agency.worker).id,
    )
    db.session.add(screening)
    db.session.commit()
    return screening


def test_the_list_is_ordered_by_priority_then_by_date(as_user, agency):
    wait(agency, "Newest Normal", WaitPriority.NORMAL, 1)
    wait(agency, "Oldest Normal", WaitPriority.NORMAL, 30)
    wait(agency, "Recent High", WaitPriority.HIGH, 2)
    wait(agency, "Urgent", WaitPriority.URGENT, 0)
    wait(agency, "Older High", WaitPriority.HIGH, 10)
    expected = ["Urgent", "Older High", "Recent High", "Oldest Normal", "Newest Normal"]
    assert [
        s.client.preferred_name for s in waiting_list(agency.worker, agency.program).screenings
    ] == (expected)
    page = as_user(agency.colleague).get(f"/waiting/programs/{agency.program.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert [text.index(name) for name in expected] == sorted(text.index(n) for n in expected)
    # Each person listed was seen: a view of their record in the audit trail, as in a search.
    from webapp.models import AuditAction, AuditEvent

    db.session.expire_all()
    seen = set(
        db.session.scalars(
            sa.select(AuditEvent.record_id).where(
                AuditEvent.action == AuditAction.VIEW,
                AuditEvent.record_type == "client",
                AuditEvent.user_id == agency.colleague.id,
            )
        )
    )
    listed = waiting_list(agency.worker, agency.program).screenings
    assert seen == {str(screening.client_id) for screening in listed}


def test_a_long_waiting_list_shows_a_page_at_a_time(as_user, agency):
    from webapp.models import AuditAction, AuditEvent
    from webapp.queries.intake_rules import WAITING_PAGE_SIZE

    for n in range(WAITING_PAGE_SIZE + 3):
        wait(agency, f"Person {n:02d}", WaitPriority.NORMAL, 100 - n)
    url = f"/waiting/programs/{agency.program.id}"
    client = as_user(agency.colleague)
    first = client.get(url).get_data(as_text=True)
    assert "Person 00" in first and f"Person {WAITING_PAGE_SIZE - 1:02d}" in first
    assert f"Person {WAITING_PAGE_SIZE:02d}" not in first
    assert f"More ({WAITING_PAGE_SIZE} of {WAITING_PAGE_SIZE + 3} shown)" in first
    assert f"{url}?page=2" in first and '<ol class="list waiting-list" start="1"' in first
    # "More" asked by htmx: the next people only, numbered on from the first page.
    more = client.get(f"{url}?page=2", headers={"HX-Request": "true"})
    text = more.get_data(as_text=True)
    assert more.status_code == 200 and "<html" not in text and "HX-Request" in more.headers["Vary"]
    assert f'start="{WAITING_PAGE_SIZE + 1}"' in text
    assert [f"Person {n:02d}" in text for n in range(WAITING_PAGE_SIZE + 3)] == (
        [False] * WAITING_PAGE_SIZE + [True] * 3
    )
    assert "More (" not in text
    # The same page on its own is a whole page, with the way back.
    alone = client.get(f"{url}?page=2").get_data(as_text=True)
    assert "<html" in alone and f"{url}?page=1" in alone
    # Only who was shown is recorded as seen.
    db.session.expire_all()
    seen = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.record_type == "client",
            AuditEvent.user_id == agency.colleague.id,
        )
    )
    assert seen == WAITING_PAGE_SIZE + 3 + 3
    for bad in ("0", "-1", "x", "10001", "9" * 40):
        assert client.get(f"{url}?page={bad}").status_code == 400


def test_who_sees_a_programs_waiting_list(as_user, agency):
    entry = wait(agency, "Rosa", WaitPriority.HIGH, 3)
    for user in (agency.worker, agency.colleague, agency.supervisor, agency.admin):
        assert as_user(user).get(f"/waiting/programs/{agency.program.id}").status_code == 200
        assert as_user(user).get(f"/waiting/{entry.id}").status_code == 200
    assert as_user(agency.outsider).get(f"/waiting/programs/{agency.program.id}").status_code == 404
    assert as_user(agency.outsider).get(f"/waiting/{entry.id}").status_code == 404
    assert as_user(agency.outsider).get(f"/clients/{entry.client.display_id}").status_code == 404
    assert "Rosa" not in as_user(agency.outsider).get("/waiting").get_data(as_text=True)
    assert as_user(agency.outsider).post(f"/waiting/{entry.id}/take-off").status_code == 404
    assert as_user(agency.worker).get("/waiting/999999").status_code == 404
    assert as_user(agency.worker).get("/waiting/programs/999999").status_code == 404


def test_the_holders_check_in_is_on_their_today_and_can_be_moved(as_user, agency):
    today = local_today()
    entry = wait(agency, "Rosa", WaitPriority.HIGH, 3, check_in=today)

    def check_ins(user):
        return [i for i in due_items(user, today) if i.kind == ReminderKind.WAITING_CHECK_IN]

    (item,) = check_ins(agency.worker)
    assert item.heading == "Rosa" and item.program_name == "Housing First"
    assert item.link.endpoint == "waiting.entry"
    assert check_ins(agency.colleague) == []
    assert "Rosa" in as_user(agency.worker).get("/").get_data(as_text=True)
    assert "Rosa" in as_user(agency.worker).get("/reminders").get_data(as_text=True)
    assert ReminderKind.WAITING_CHECK_IN.count(2) == "2 check-ins with people waiting"
    client = as_user(agency.worker)
    url = f"/waiting/{entry.id}/check-in"
    yesterday = (today - timedelta(days=1)).isoformat()
    response = client.post(url, data={"next_check_in_on": yesterday})
    assert response.status_code == 422
    assert 'id="next_check_in_on-error"' in response.get_data(as_text=True)
    assert client.post(url, data={"next_check_in_on": "not a day"}).status_code == 422
    later = today + timedelta(days=5)
    assert client.post(url, data={"next_check_in_on": later.isoformat()}).status_code == 302
    assert db.session.get(IntakeScreening, entry.id).next_check_in_on == later
    assert check_ins(agency.worker) == []


def test_resources_offered_while_waiting(as_user, agency):
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3)
    client = as_user(agency.colleague)
    url = f"/waiting/{entry.id}/offers"
    today = local_today()
    response = client.post(url, data={"what": "", "offered_on": today.isoformat()})
    assert response.status_code == 422
    assert 'id="what-error"' in response.get_data(as_text=True)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = client.post(url, data={"what": "Night shelter bed", "offered_on": tomorrow})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="offered_on-error"' in page and 'value="Night shelter bed"' in page
    assert count(WaitingOffer) == 0
    response = client.post(url, data={"what": "Night shelter bed", "offered_on": today})
    assert response.status_code == 302
    assert "Night shelter bed" in client.get(f"/waiting/{entry.id}").get_data(as_text=True)
    list_page = client.get(f"/waiting/programs/{agency.program.id}").get_data(as_text=True)
    assert "1 resource offered" in list_page


def test_taking_someone_off_the_list_opens_their_case(as_user, agency, make_case):
    fill_up(agency, make_case)
    as_user(agency.worker).post("/clients/new", data=intake(agency.program, answered(agency)))
    entry = db.session.scalar(
        sa.select(IntakeScreening).where(IntakeScreening.outcome == ScreeningOutcome.WAITING)
    )
    response = as_user(agency.colleague).post(f"/waiting/{entry.id}/take-off")
    case = db.session.scalar(sa.select(Case).where(Case.client_id == entry.client_id))
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert case.primary_worker_id == agency.colleague.id and case.closed_at is None
    assert case.intake.presenting_circumstances == "Sleeping in the underpass on 5th."
    consent = db.session.scalar(sa.select(Consent).where(Consent.client_id == entry.client_id))
    assert consent.case_id == case.id
    entry = db.session.get(IntakeScreening, entry.id)
    assert entry.outcome == ScreeningOutcome.OPENED and entry.case_id == case.id
    assert entry.taken_off_by_id == agency.colleague.id
    assert waiting_list(agency.worker, agency.program).screenings == []
    # Its page now leads to the case; a second take-off is refused, nothing more opened.
    assert as_user(agency.worker).get(f"/waiting/{entry.id}").headers["Location"] == (
        f"/cases/{case.id}"
    )
    assert as_user(agency.worker).post(f"/waiting/{entry.id}/take-off").status_code == 409
    assert as_user(agency.worker).post(f"/waiting/{entry.id}/offers", data={}).status_code == 422
    later = (local_today() + timedelta(days=3)).isoformat()
    response = as_user(agency.worker).post(
        f"/waiting/{entry.id}/check-in", data={"next_check_in_on": later}
    )
    assert response.status_code == 409
    assert "no longer on the waiting list" in response.get_data(as_text=True)
    response = as_user(agency.worker).post(
        f"/waiting/{entry.id}/offers",
        data={"what": "Food bank", "offered_on": local_today().isoformat()},
    )
    assert response.status_code == 409 and count(WaitingOffer) == 0
    assert count(Case) == 2


def test_an_admin_takes_someone_off_for_the_worker_who_held_them(as_user, agency):
    entry = wait(agency, "Rosa", WaitPriority.NORMAL, 3, holder=agency.colleague)
    assert as_user(agency.admin).post(f"/waiting/{entry.id}/take-off").status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert case.primary_worker_id == agency.colleague.id
    # A holder who left the program: the admin is told a worker of the program must do it.
    second = wait(agency, "Sam", WaitPriority.NORMAL, 3, holder=agency.outsider)
    response = as_user(agency.admin).post(f"/waiting/{second.id}/take-off")
    assert response.status_code == 409
    assert "a worker of Housing First takes them off" in response.get_data(as_text=True)
    assert db.session.get(IntakeScreening, second.id).outcome == ScreeningOutcome.WAITING


# Internal referrals into a program with intake rules


@pytest.fixture
def referred(setup, make_user):  # noqa: F811
    """Maria, referred from Street Outreach to Housing First, which asks who it takes."""
    admin = make_user(Role.ADMIN)
    question = intake_rules.add_question(
        setup.housing,
        text="Sleeping outside?",
        kind=QuestionKind.YES_NO,
        qualifying="yes",
        priority_answers="yes",
        priority=WaitPriority.HIGH,
        added_by=admin,
    )
    db.session.commit()
    return refer(setup), question


def decide(as_user, user, referral, answers):
    return as_user(user).post(
        f"/intake-queue/internal/{referral.id}/accept",
        data={"accept-next_follow_up_on": local_today().isoformat(), **answers},
    )


def test_accepting_a_referral_asks_the_programs_questions(as_user, setup, referred):  # noqa: F811
    referral, question = referred
    page = as_user(setup.hana).get(f"/intake-queue/internal/{referral.id}").get_data(as_text=True)
    assert "Sleeping outside?" in page and f'name="{question.field_name}"' in page
    response = decide(as_user, setup.hana, referral, {})
    assert response.status_code == 422
    assert f'id="{question.field_name}-error"' in response.get_data(as_text=True)
    assert decide(as_user, setup.hana, referral, {question.field_name: "maybe"}).status_code == 422
    # Someone outside the receiving program cannot decide it.
    assert decide(as_user, setup.ngozi, referral, {question.field_name: "yes"}).status_code == 404
    db.session.refresh(referral)
    assert referral.status == InternalReferralStatus.PENDING and count(IntakeScreening) == 0


def test_a_referral_that_does_not_qualify_is_declined_with_the_reason(as_user, setup, referred):  # noqa: F811
    referral, question = referred
    response = decide(as_user, setup.hana, referral, {question.field_name: "no"})
    assert response.status_code == 302
    db.session.refresh(referral)
    assert referral.status == InternalReferralStatus.DECLINED
    assert referral.decline_reason == "Sleeping outside?: no"
    screening = db.session.scalar(sa.select(IntakeScreening))
    assert screening.outcome == ScreeningOutcome.NOT_ELIGIBLE
    assert count(Case) == 1


def test_a_referral_into_a_full_program_waits_on_its_list(as_user, setup, referred):  # noqa: F811
    referral, question = referred
    setup.housing.intake_closed = True
    db.session.commit()
    response = decide(as_user, setup.hana, referral, {question.field_name: "yes"})
    screening = db.session.scalar(sa.select(IntakeScreening))
    assert response.headers["Location"] == f"/waiting/{screening.id}"
    db.session.refresh(referral)
    assert referral.status == InternalReferralStatus.ACCEPTED and referral.new_case_id is None
    assert screening.outcome == ScreeningOutcome.WAITING
    assert screening.priority == WaitPriority.HIGH
    assert screening.holding_worker_id == setup.hana.id
    assert screening.intake["presenting_circumstances"] == "Sleeping rough since March"
    # Taken off the list, the case opens with the referral's intake and its consent.
    assert as_user(setup.hana).post(f"/waiting/{screening.id}/take-off").status_code == 302
    new = db.session.scalar(sa.select(Case).where(Case.program_id == setup.housing.id))
    assert new.intake.presenting_circumstances == "Sleeping rough since March"
    assert any(c.case_id == new.id and c.scope == "data_collection" for c in new.client.consents)


def test_a_qualifying_referral_into_a_program_with_room_opens_the_case(as_user, setup, referred):  # noqa: F811
    referral, question = referred
    assert decide(as_user, setup.hana, referral, {question.field_name: "yes"}).status_code == 302
    db.session.refresh(referral)
    assert referral.new_case is not None
    screening = db.session.scalar(sa.select(IntakeScreening))
    assert screening.outcome == ScreeningOutcome.OPENED
    assert screening.case_id == referral.new_case_id


def test_a_known_client_is_not_put_twice_on_the_same_list(as_user, agency, make_case):
    fill_up(agency, make_case)
    client = as_user(agency.worker)
    client.post("/clients/new", data=intake(agency.program, answered(agency)))
    known = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Dee"))
    response = client.post(
        f"/clients/new?client={known.display_id}", data=intake(agency.program, answered(agency))
    )
    assert response.status_code == 422
    assert "already on this program" in response.get_data(as_text=True)
    assert count(IntakeScreening) == 1


def test_someone_waiting_is_found_by_the_programs_people_only(as_user, agency):
    wait(agency, "Rosalind Waiting", WaitPriority.NORMAL, 3)
    found = as_user(agency.colleague).get("/clients?q=Rosalind").get_data(as_text=True)
    assert "Rosalind Waiting" in found
    hidden = as_user(agency.outsider).get("/clients?q=Rosalind").get_data(as_text=True)
    assert "Rosalind Waiting" not in hidden

"""Today: one list of what is due, most urgent first, each with the action that clears it."""

from datetime import time, timedelta

import sqlalchemy as sa

from tests.lifecycle import planned_case, refer
from webapp.extensions import db
from webapp.models import (
    Case,
    CaseModel,
    ConfirmationMethod,
    GoalStatus,
    Provider,
    ReferralStatus,
    RiskLevel,
    Service,
    TaskOwner,
    utcnow,
)
from webapp.queries.today import due_items
from webapp.services import plans, referrals
from webapp.timeutil import local_today


def service():
    svc = Service(
        name="Emergency shelter bed", category="housing", provider=Provider(name="Harbor Light")
    )
    db.session.add(svc)
    db.session.commit()
    return svc


def titles(page):
    import re

    return [name.strip() for name in re.findall(r'<span class="list__title">([^<]+)', page)]


def test_overdue_and_due_follow_ups_are_listed_most_overdue_first(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam, ngozi = make_user(programs=[program]), make_user(programs=[program])
    make_case(program, sam, name="Today Tomas", follow_up_in_days=0)
    make_case(program, sam, name="Overdue Olga", follow_up_in_days=-3)
    make_case(program, sam, name="Later Lena", follow_up_in_days=2)
    make_case(program, ngozi, name="Not Mine Nadia", follow_up_in_days=-1)
    page = as_user(sam).get("/").get_data(as_text=True)
    assert titles(page) == ["Overdue Olga", "Today Tomas"]
    assert "3 days overdue" in page and "due today" in page


def test_urgent_cases_come_first_whatever_their_dates(as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    make_case(program, sam, name="Long Overdue Lou", follow_up_in_days=-9)
    urgent = make_case(program, sam, name="Urgent Uma", follow_up_in_days=0)
    urgent.risk_level = RiskLevel.URGENT
    quiet_urgent = make_case(program, sam, name="Urgent Quiet Quinn", follow_up_in_days=5)
    quiet_urgent.risk_level = RiskLevel.URGENT
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert titles(page) == ["Urgent Uma", "Urgent Quiet Quinn", "Long Overdue Lou"]


def test_unconfirmed_referrals_past_their_date_ask_for_confirmation(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam, name="Wes", follow_up_in_days=10)
    svc = service()
    waiting = refer(case, svc, created_by=sam, today=local_today() - timedelta(days=8))
    not_yet = refer(case, svc, created_by=sam, today=local_today())
    done = refer(case, svc, created_by=sam, today=local_today() - timedelta(days=8))
    referrals.change_status(
        done, ReferralStatus.DECLINED, confirmed_by=sam, method=ConfirmationMethod.CLIENT
    )
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert page.count("Referral to Harbor Light") == 1
    assert f'href="/referrals/{waiting.id}?next=/">Confirm</a>' in page
    assert f"/referrals/{not_yet.id}" not in page and f"/referrals/{done.id}" not in page


def test_cases_past_their_models_contact_standard_are_due(
    as_user, make_user, make_program, make_case
):
    intensive = make_program("ICM", CaseModel.INTENSIVE)  # contact every 7 days
    brokerage = make_program("Broker", CaseModel.BROKERAGE)  # every 30 days
    sam = make_user(programs=[intensive, brokerage])
    stale = make_case(intensive, sam, name="Stale Stan")
    fine = make_case(brokerage, sam, name="Fine Fiona")
    for case in (stale, fine):
        case.last_contact_at = utcnow() - timedelta(days=10)
    db.session.commit()
    page = as_user(sam).get("/").get_data(as_text=True)
    assert titles(page) == ["Stale Stan"]
    assert "No contact for 10 days (standard: every 7)" in page
    assert f'href="/cases/{stale.id}/contacts/new?next=/">Log contact</a>' in page


def test_the_programs_own_standard_applies_when_edited(app, make_user, make_program, make_case):
    program = make_program("ICM", CaseModel.INTENSIVE, contact_standard_days=3)
    sam = make_user(programs=[program])
    case = make_case(program, sam)
    case.opened_at = utcnow() - timedelta(days=4)
    db.session.commit()
    assert [item.kind for item in due_items(sam, local_today())] == ["contact_standard"]


def test_closed_cases_ask_for_nothing(as_user, make_user, make_program, make_case):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam, name="Closed Carl", follow_up_in_days=-2)
    case.closed_at = utcnow()
    db.session.commit()
    assert "Closed Carl" not in as_user(sam).get("/").get_data(as_text=True)


def test_with_nothing_due_today_says_so(as_user, make_user):
    assert "Nothing is due." in as_user(make_user()).get("/").get_data(as_text=True)


def test_query_count_does_not_grow_with_the_caseload(
    app, as_user, make_user, make_program, make_case, count_queries
):
    program = make_program()
    sam = make_user(programs=[program])
    client = as_user(sam)
    svc = service()

    def statements_for_today():
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        return queries()

    def add_cases(count):
        for number in range(count):
            case, goal = planned_case(
                make_case, program, sam, name=f"Client {number}", follow_up_in_days=-1 - number % 3
            )
            refer(case, svc, created_by=sam, today=local_today() - timedelta(days=10))
            book(
                refer(case, svc, created_by=sam, today=local_today()),
                sam,
                local_today(),
            )
            plans.add_task(
                case,
                goal,
                description="Call",
                responsible=TaskOwner.CLIENT,
                due_on=local_today(),
                user=sam,
            )
            db.session.commit()

    add_cases(2)
    few = statements_for_today()
    add_cases(15)
    assert statements_for_today() == few


def book(referral, worker, on, at=None, place=""):
    referrals.change_status(
        referral,
        ReferralStatus.SCHEDULED,
        confirmed_by=worker,
        method=ConfirmationMethod.PHONE,
        appointment=referrals.Appointment(on, at, place),
    )
    db.session.commit()


def test_an_appointment_shows_on_its_day_and_is_confirmed_the_day_after(
    app, as_user, make_user, make_program, make_case
):
    program = make_program()
    sam = make_user(programs=[program])
    case = make_case(program, sam, name="Wes", follow_up_in_days=10)
    svc = service()
    today = local_today()
    todays = refer(case, svc, created_by=sam, today=today)
    book(todays, sam, today, time(10, 30), "Pier 3 entrance")
    later = refer(case, svc, created_by=sam, today=today)
    book(later, sam, today + timedelta(days=2))

    page = as_user(sam).get("/").get_data(as_text=True)
    assert (
        "Appointment today: Wes at Harbor Light (Emergency shelter bed), 10:30, Pier 3 entrance"
        in page
    )
    assert f'href="/referrals/{todays.id}?next=/">Open referral</a>' in page
    assert f"/referrals/{later.id}" not in page
    # The day after, the appointment has gone and the referral asks what happened.
    tomorrow = [(item.kind, item.record) for item in due_items(sam, today + timedelta(days=1))]
    assert tomorrow == [("referral", todays.id)]
    # Once the client went, the appointment asks for nothing on its day either.
    referrals.change_status(
        later, ReferralStatus.CONNECTED, confirmed_by=sam, method=ConfirmationMethod.CLIENT
    )
    db.session.commit()
    assert "appointment" not in [item.kind for item in due_items(sam, today + timedelta(days=2))]


def test_plan_tasks_due_or_overdue_show_as_mine_to_do_or_someone_to_follow_up(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam = make_user(programs=[program])
    case, goal = planned_case(make_case, program, sam, name="Wes")
    today = local_today()

    def task(description, responsible, due_in_days):
        return plans.add_task(
            case,
            goal,
            description=description,
            responsible=responsible,
            due_on=today + timedelta(days=due_in_days) if due_in_days is not None else None,
            user=sam,
        )

    mine = task("Call the landlord", TaskOwner.CASE_MANAGER, 0)
    theirs = task("Bring two forms of ID", TaskOwner.CLIENT, -2)
    provider = task("Send the housing application", TaskOwner.PROVIDER, -1)
    task("Visit the flat", TaskOwner.CLIENT, 3)
    task("Someday", TaskOwner.CLIENT, None)
    done = task("Fill in the form", TaskOwner.CASE_MANAGER, -4)
    plans.set_task_done(case, done, True, user=sam)
    db.session.commit()

    page = as_user(sam).get("/").get_data(as_text=True)
    assert "Do: Call the landlord" in page
    assert "Follow up with Wes on: Bring two forms of ID" in page
    assert "Follow up with Wes on: Send the housing application (provider&#39;s task)" in page
    assert "Visit the flat" not in page and "Someday" not in page and "Fill in the form" not in page
    assert f'href="/cases/{case.id}/plan#goal-{goal.id}">Open plan</a>' in page
    items = [item for item in due_items(sam, today) if item.kind == "plan_task"]
    assert [item.record for item in items] == [
        theirs.id,
        provider.id,
        mine.id,
    ]  # most overdue first

    # A goal with its outcome takes its tasks with it.
    goal.status = GoalStatus.DROPPED
    db.session.commit()
    assert "plan_task" not in [item.kind for item in due_items(sam, today)]


def test_appointments_and_tasks_of_cases_someone_may_not_see_never_reach_their_today(
    app, make_user, make_program, make_case
):
    """Today lists the worker's own cases; a case that is someone else's, restricted from them,
    or in another program never lends them an appointment or a task."""
    own, other = make_program("Own"), make_program("Other")
    sam = make_user(programs=[own])
    colleague = make_user(programs=[own])
    elsewhere = make_user(programs=[other])
    svc = service()
    for program, worker, restricted in (
        (own, colleague, True),
        (own, colleague, False),
        (other, elsewhere, False),
    ):
        case, goal = planned_case(make_case, program, worker, restricted=restricted)
        plans.add_task(
            case,
            goal,
            description="Call",
            responsible=TaskOwner.CLIENT,
            due_on=local_today(),
            user=worker,
        )
        book(
            refer(case, svc, created_by=worker, today=local_today()),
            worker,
            local_today(),
        )
    assert [item.kind for item in due_items(sam, local_today())] == []
    for worker in (colleague, elsewhere):
        kinds = [item.kind for item in due_items(worker, local_today())]
        assert "appointment" in kinds and "plan_task" in kinds
    # Still named on a case of a program they have left: no longer theirs to see.
    for case in db.session.scalars(sa.select(Case).where(Case.program_id == other.id)):
        case.primary_worker_id = sam.id
    db.session.commit()
    assert [item.kind for item in due_items(sam, local_today())] == []


def test_the_reminders_page_snoozes_and_hides_appointments_and_tasks(
    as_user, make_user, make_program, make_case
):
    program = make_program()
    sam = make_user(programs=[program])
    case, goal = planned_case(make_case, program, sam, name="Wes")
    plans.add_task(
        case,
        goal,
        description="Call the landlord",
        responsible=TaskOwner.CASE_MANAGER,
        due_on=local_today() - timedelta(days=1),
        user=sam,
    )
    book(
        refer(case, service(), created_by=sam, today=local_today()),
        sam,
        local_today(),
    )
    client = as_user(sam)
    page = client.get("/reminders").get_data(as_text=True)
    assert "Appointment today: Wes" in page and "Do: Call the landlord" in page
    keys = {
        key.split(":")[0]: key
        for key in (part.split('"')[0] for part in page.split('name="key" value="')[1:])
    }
    assert (
        client.post("/reminders/snooze", data={"key": keys["appointment"], "for": "1d"}).status_code
        == 302
    )
    # Snoozed until tomorrow morning where the worker is, not 24 hours on.
    from datetime import UTC, datetime, time

    from webapp.models import ReminderState
    from webapp.timeutil import zone_of

    state = db.session.scalar(
        sa.select(ReminderState).where(ReminderState.item_key == keys["appointment"])
    )
    until = state.snoozed_until.astimezone(zone_of(sam))
    assert until.time() == time(8, 0)
    assert until.date() == datetime.now(UTC).astimezone(zone_of(sam)).date() + timedelta(days=1)
    assert client.post("/reminders/done", data={"key": keys["plan_task"]}).status_code == 302
    for url in ("/reminders", "/"):
        page = client.get(url).get_data(as_text=True)
        assert "Appointment today" not in page and "Call the landlord" not in page

"""A program's intake questions and waiting list in a real browser at 360×740 (issue 21, items 3
and 4): an outreach worker in two programs types an intake offline; the cached form shows only
the chosen program's questions; sent when the signal returns, the person lands on the full
program's waiting list, ordered by priority then date, and comes off it into a case."""

from datetime import timedelta

import sqlalchemy as sa

from tests.test_offline import sign_in_as_outreach, wait_until
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import (
    IntakeScreening,
    Program,
    QuestionKind,
    ScreeningOutcome,
    User,
    WaitPriority,
)
from webapp.services import clients, intake_rules
from webapp.timeutil import local_today


def _waiting(program, holder, name, priority, days_ago):
    client = clients.create_client(clients.ClientDetails(preferred_name=name), created_by=holder)
    db.session.add(
        IntakeScreening(
            program=program,
            client=client,
            answers=[["Sleeping outside?", "no"]],
            qualified=True,
            priority=priority,
            outcome=ScreeningOutcome.WAITING,
            intake={"presenting_circumstances": f"{name} is waiting for a flat."},
            waiting_since=local_today() - timedelta(days=days_ago),
            next_check_in_on=local_today() + timedelta(days=4),
            holding_worker_id=holder.id,
        )
    )


def test_an_offline_intake_joins_a_full_programs_waiting_list_by_priority(
    browser_page,  # noqa: F811
):
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        housing = db.session.scalar(sa.select(Program).where(Program.name == demo.HOUSING))
        street = db.session.scalar(sa.select(Program).where(Program.name == demo.STREET))
        outreach = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@demo.example"))
        outreach.programs.append(housing)
        intake_rules.add_question(
            housing,
            text="Sleeping outside?",
            kind=QuestionKind.YES_NO,
            priority_answers="yes",
            priority=WaitPriority.HIGH,
            added_by=admin,
        )
        intake_rules.add_question(
            housing,
            text="Age group",
            kind=QuestionKind.CHOICE,
            choices="Under 18\n18 or older",
            qualifying="18 or older",
            added_by=admin,
        )
        housing.intake_closed = True
        _waiting(housing, outreach, "Nadia Normal", WaitPriority.NORMAL, 40)
        _waiting(housing, outreach, "Hugo High", WaitPriority.HIGH, 6)
        _waiting(housing, outreach, "Uma Urgent", WaitPriority.URGENT, 1)
        db.session.commit()
        housing_id, street_id = housing.id, street.id
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in_as_outreach(page)

    # Offline, from the kept form: the questions follow the program chosen.
    page.context.set_offline(True)
    page.goto("/clients/new")
    questions = page.locator(f'[data-program-questions="{housing_id}"]')
    page.get_by_label("Program").select_option(str(street_id))
    assert questions.is_hidden()
    page.get_by_label("Program").select_option(str(housing_id))
    questions.wait_for(state="visible")
    page.get_by_label("First name, street name or alias").fill("Dee")
    page.get_by_label("What is going on").fill("Sleeping in the underpass on 5th since June.")
    questions.get_by_label("Yes").check()
    questions.get_by_label("18 or older").check()
    page.get_by_label("They agreed to us recording their information").check()
    questions.scroll_into_view_if_needed()
    check_phone_layout(page, "waiting-1-intake-questions-offline", browser_page.problems)
    page.get_by_role("button", name="Save intake").click()
    page.get_by_text("Saved on this phone").wait_for()

    # The signal returns: the server asks the program's rules, the program is full.
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    with browser_page.app.app_context():
        dee = db.session.scalar(
            sa.select(IntakeScreening)
            .join(IntakeScreening.client)
            .where(
                IntakeScreening.outcome == ScreeningOutcome.WAITING,
                IntakeScreening.program_id == housing_id,
                IntakeScreening.screened_by_id.is_not(None),
            )
        )
        assert dee.client.preferred_name == "Dee" and dee.priority == WaitPriority.HIGH
        dee_id = dee.id

    # The program's waiting list: by priority, then the longest waiting first.
    page.goto(f"/waiting/programs/{housing_id}")
    names = page.locator("#waiting-list .list__title").all_inner_texts()
    assert names == ["Uma Urgent", "Hugo High", "Dee", "Nadia Normal"]
    assert "Intake is closed" in page.locator("#capacity").inner_text()
    check_phone_layout(page, "waiting-2-list-by-priority", browser_page.problems)

    # Dee's place: something offered while she waits, then off the list into her case.
    page.get_by_role("link", name="Dee").click()
    page.wait_for_url(f"**/waiting/{dee_id}")
    page.get_by_label("Resource offered").fill("Night shelter bed at St. Anne's")
    page.get_by_role("button", name="Save what was offered").click()
    page.get_by_text("Resource offered: saved").wait_for()
    check_phone_layout(page, "waiting-3-entry", browser_page.problems)
    page.get_by_role("button", name="Take off the list and open their case").click()
    page.wait_for_url("**/cases/*")
    assert "Dee is off the waiting list" in page.locator("body").inner_text()
    check_phone_layout(page, "waiting-4-case-opened", browser_page.problems)
    page.goto(f"/waiting/programs/{housing_id}")
    names = page.locator("#waiting-list .list__title").all_inner_texts()
    assert names == ["Uma Urgent", "Hugo High", "Nadia Normal"]

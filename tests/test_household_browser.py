"""Households and the support network in a real browser at 360×740 (issue 19): a quick intake of a
mother with her partner and two children typed offline and sent when the signal returns, the
client page's household and network, a landlord who may be contacted (with her consent), a plan
task her partner carries, and a collateral contact with the landlord."""

import sqlalchemy as sa

from tests.lifecycle import add_goal, assess
from tests.test_offline import sign_in_as_outreach, wait_until
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import (
    Client,
    ConsentMethod,
    ConsentScope,
    ContactLog,
    HouseholdMember,
    PlanTask,
    RelationshipKind,
    User,
)
from webapp.services import clients


def test_a_family_from_an_offline_intake_to_its_network(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in_as_outreach(page)

    # Offline: Maria, her partner and her two children, in one intake.
    page.context.set_offline(True)
    page.goto("/clients/new")
    page.get_by_label("First name, street name or alias").fill("Maria")
    page.get_by_label("What is going on").fill("Family of four sleeping in the car since Friday.")
    add = page.get_by_role("button", name="Add someone who lives with them")
    for index, (name, relationship, age) in enumerate(
        (("Marco", "partner", "38"), ("Lucia", "child", "7"), ("Tomás", "child", "2019"))
    ):
        add.click()
        page.locator(f"#members-{index}-name").fill(name)
        page.locator(f"#members-{index}-relationship").select_option(relationship)
        page.locator(f"#members-{index}-age_or_year").fill(age)
    page.get_by_label("Household name or address line").fill("Blue Corolla, Elm St lot")
    page.get_by_label("They agreed to us recording their information").check()
    check_phone_layout(page, "household-1-intake-offline", browser_page.problems)
    page.get_by_role("button", name="Save intake").click()
    page.get_by_text("Saved on this phone — it will be sent when you are online.").wait_for()
    # Saved, the form is empty again: no rows are left over for the next person.
    assert page.locator("[data-rows='members'] [data-row]").count() == 0
    queued = page.evaluate("() => WaymarkOutbox.all()")
    names = [field[1] for field in queued[0]["fields"] if field[0].endswith("-name")]
    assert names == ["Marco", "Lucia", "Tomás"]

    # The signal returns: sent once, and the household is made.
    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    with browser_page.app.app_context():
        maria = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Maria"))
        maria_id = maria.display_id
        case = maria.cases[0]
        case_id = case.id
        members = db.session.scalars(sa.select(HouseholdMember)).all()
        mine = [m for m in members if m.household.name == "Blue Corolla, Elm St lot"]
        assert sorted((m.name, m.relationship) for m in mine if m.client_id is None) == [
            ("Lucia", RelationshipKind.CHILD),
            ("Marco", RelationshipKind.PARTNER),
            ("Tomás", RelationshipKind.CHILD),
        ]
        # She agrees to us talking with the people close to her; a plan with one goal.
        sam = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        clients.record_consent(
            maria,
            scope=ConsentScope.CONTACT_NETWORK,
            method=ConsentMethod.VERBAL,
            recorded_by=sam,
            case=case,
            witness="Ngozi Eze",
        )
        assess(case, sam)
        goal_id = add_goal(case, sam, statement="A room for the four of them").id
        db.session.commit()

    page.goto(f"/clients/{maria_id}")
    network = page.locator("section[aria-labelledby=network-heading]")
    for words in ("Blue Corolla, Elm St lot", "Marco", "Partner", "Lucia", "Tomás"):
        assert network.get_by_text(words, exact=False).first.is_visible(), words
    network.scroll_into_view_if_needed()
    check_phone_layout(page, "household-2-client-page", browser_page.problems)

    # The landlord, who may be contacted about her.
    page.get_by_role("link", name="Add someone in their life").click()
    page.get_by_label("Who they are to the client").select_option("landlord")
    page.get_by_label("Name", exact=True).fill("Mr Okafor")
    page.get_by_label("How to reach them").fill("555-0100, evenings")
    page.get_by_label("Can be contacted about them").check()
    check_phone_layout(page, "household-3-landlord-form", browser_page.problems)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/clients/{maria_id}*")
    landlord = network.locator(".list__item", has_text="Mr Okafor")
    assert "Can be contacted about them" in landlord.inner_text()
    assert "Relies on their consent" in landlord.inner_text()
    landlord.scroll_into_view_if_needed()
    check_phone_layout(page, "household-4-network", browser_page.problems)

    # A plan task her partner carries.
    page.goto(f"/cases/{case_id}/plan")
    page.locator(f"#goal-{goal_id} summary", has_text="Add a task").click()
    page.locator(f"#task{goal_id}-description").fill("Pick up the children from school")
    page.locator(f"#task{goal_id}-responsible").select_option("support_person")
    page.locator(f"#task{goal_id}-support_person").fill("Marco")
    check_phone_layout(page, "household-5-task-for-the-partner", browser_page.problems)
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("Marco (support person)").wait_for()

    # A phone call with the landlord, about her.
    page.goto(f"/cases/{case_id}/contacts/new")
    page.get_by_label("Type").select_option("phone")
    page.get_by_label("With someone else about them").fill("Mr Okafor")
    page.get_by_label("Their relationship to the client").select_option("landlord")
    page.get_by_label("What happened").fill("He will hold the room until Monday.")
    check_phone_layout(page, "household-6-collateral-contact", browser_page.problems)
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_url(f"**/cases/{case_id}*")
    assert page.get_by_text("Phone call: with Mr Okafor (landlord)").is_visible()

    page.goto(f"/clients/{maria_id}")
    timeline = page.locator("section[aria-labelledby=timeline-heading]")
    assert timeline.get_by_text("Phone call with Mr Okafor (landlord)").is_visible()
    assert timeline.get_by_text("Task for Marco: Pick up the children from school").is_visible()
    timeline.scroll_into_view_if_needed()
    check_phone_layout(page, "household-7-timeline", browser_page.problems)

    with browser_page.app.app_context():
        task = db.session.scalar(sa.select(PlanTask).where(PlanTask.support_person == "Marco"))
        assert task is not None and task.goal_id == goal_id
        contact = db.session.scalar(
            sa.select(ContactLog).where(ContactLog.collateral_name == "Mr Okafor")
        )
        assert contact.case_id == case_id
        assert contact.collateral_relationship == RelationshipKind.LANDLORD


def test_a_refused_intake_is_fixed_with_its_rows_put_back(browser_page):  # noqa: F811
    """The outbox keeps repeating rows as named fields: "Open and fix" puts every row back."""
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in_as_outreach(page)

    page.context.set_offline(True)
    page.goto("/clients/new")
    page.get_by_label("First name, street name or alias").fill("Ines")
    add = page.get_by_role("button", name="Add someone who lives with them")
    for index, (name, age) in enumerate((("Pablo", "7"), ("Rita", "300"))):
        add.click()
        page.locator(f"#members-{index}-name").fill(name)
        page.locator(f"#members-{index}-age_or_year").fill(age)
    page.get_by_label("They agreed to us recording their information").check()
    page.get_by_role("button", name="Save intake").click()
    page.get_by_text("Saved on this phone").wait_for()

    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    page.get_by_text("Not accepted").wait_for()
    page.get_by_role("link", name="Open and fix").click()
    page.get_by_text("Fixing an entry saved on this phone").wait_for()
    assert page.locator("#members-0-name").input_value() == "Pablo"
    assert page.locator("#members-1-name").input_value() == "Rita"
    assert page.locator("#members-1-age_or_year").input_value() == "300"
    page.locator("#members-1-age_or_year").fill("30")
    check_phone_layout(page, "household-8-fixing-a-refused-intake", browser_page.problems)
    page.get_by_role("button", name="Save intake").click()
    page.wait_for_url("**/cases/*")
    assert page.evaluate("() => WaymarkOutbox.all().then(entries => entries.length)") == 0

    with browser_page.app.app_context():
        ines = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Ines"))
        [membership] = db.session.scalars(
            sa.select(HouseholdMember).where(HouseholdMember.client_id == ines.id)
        ).all()
        people = sorted(
            (member.name, member.birth_year)
            for member in membership.household.members
            if member.client_id is None
        )
        assert [name for name, _ in people] == ["Pablo", "Rita"]


def test_a_partner_made_a_client_offline_takes_a_contact_queued_before_the_intake_went(
    browser_page,  # noqa: F811
):
    """Issue 19, item 6: a household row ticked "Also a client" gets an ID made on the phone;
    a contact queued for him before the intake is sent names that ID; the ID turns out to be
    taken (a phone's IDs can collide), and the contact still lands on him, not on whoever had
    it."""
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        someone = db.session.scalars(sa.select(Client).order_by(Client.id)).first()
        taken, someone_id = someone.display_id, someone.id
    sign_in_as_outreach(page)

    page.context.set_offline(True)
    page.goto("/clients/new")
    page.get_by_label("First name, street name or alias").fill("Rosa")
    page.get_by_role("button", name="Add someone who lives with them").click()
    page.locator("#members-0-name").fill("Marco")
    page.locator("#members-0-relationship").select_option("partner")
    page.locator("#members-0-age_or_year").fill("41")
    page.get_by_label("Also a client: their own record and case").check()
    # The ID the phone will make for him is one somebody already has.
    page.locator("#members-0-persistent_id").evaluate("(field, id) => field.value = id", taken)
    page.get_by_label("They agreed to us recording their information").check()
    check_phone_layout(page, "household-8-also-a-client", browser_page.problems)
    page.get_by_role("button", name="Save intake").click()
    page.get_by_text("Saved on this phone — it will be sent when you are online.").wait_for()
    [queued] = page.evaluate("() => WaymarkOutbox.all()")
    rosa_phone_id = dict(queued["fields"])["persistent_id"]
    assert rosa_phone_id and rosa_phone_id != taken

    # Still offline: a contact with Marco, chosen by the ID his row was given.
    page.goto("/forms/contact")
    page.get_by_label("Who").select_option(label=f"Marco · {taken} (not sent yet)")
    page.get_by_label("What happened").fill("Marco called about the car.")
    page.get_by_role("button", name="Save contact").click()
    page.get_by_text("Saved on this phone").wait_for()

    page.context.set_offline(False)
    page.goto("/outbox")
    page.get_by_role("button", name="Send now").click()
    wait_until(page, "() => WaymarkOutbox.all().then(entries => entries.length === 0)")
    with browser_page.app.app_context():
        rosa = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Rosa"))
        marco = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Marco"))
        assert rosa.display_id == rosa_phone_id  # hers was free: kept
        assert marco.display_id != taken  # his was taken: another was issued
        contact = db.session.scalar(
            sa.select(ContactLog).where(ContactLog.note == "Marco called about the car.")
        )
        assert contact.case.client_id == marco.id != someone_id
        marco_id = marco.display_id
    page.goto(f"/clients/{marco_id}")
    assert page.get_by_text("Rosa").first.is_visible()
    check_phone_layout(page, "household-9-his-own-record", browser_page.problems)
    assert browser_page.problems == []

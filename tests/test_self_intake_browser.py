"""A client completes a Spanish self-intake on a phone (360×740), losing the connection half-way
(the answers survive a reload), and the worker accepts it from the review queue."""

import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError

from tests.browser import PHONE, sign_in
from tests.test_phone_layout import browser_page, check_phone_layout  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import (
    Case,
    HouseholdMember,
    IntakeSource,
    Program,
    RelationshipKind,
    SelfIntakeSubmission,
    SubmissionStatus,
    User,
)
from webapp.services import self_intake

STORED = (
    "() => Object.keys(localStorage).filter(key => key.startsWith('waymark-self-intake-')).length"
)


def test_a_spanish_self_intake_survives_a_dropped_connection_and_is_accepted(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        program = db.session.scalar(sa.select(Program).where(Program.name == demo.HOUSING))
        ana = db.session.scalar(sa.select(User).where(User.email == "casemanager@demo.example"))
        _, token = self_intake.create_invitation(ana, program, language="es")
        db.session.commit()

    page.goto(f"/i/{token}")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#step-count").inner_text() == "Paso 1 de 7"
    assert page.locator("#step-needs").is_hidden() and page.locator("#send").is_hidden()
    check_phone_layout(page, "self-1-step-one", browser_page.problems, staff_page=False)
    page.get_by_label("¿Cómo quiere que le llamemos?").fill("Rosa")
    page.get_by_label("Su edad").fill("41")
    page.get_by_role("button", name="Siguiente").first.click()
    page.get_by_label("Un lugar seguro donde quedarme").check()
    page.get_by_label("Con sus propias palabras").fill("Me desalojaron la semana pasada.")
    check_phone_layout(page, "self-2-needs", browser_page.problems, staff_page=False)

    # The signal drops: the steps still move (nothing goes to the server), and a reload fails.
    page.context.set_offline(True)
    page.locator("#step-needs").get_by_role("button", name="Siguiente").click()
    page.get_by_label("¿Qué le va bien?").fill("Trabajo por las mañanas.")
    try:
        page.reload()
    except PlaywrightError:
        pass  # no signal: the browser cannot load the page
    page.context.set_offline(False)
    page.goto(f"/i/{token}")
    # Everything typed is back, on the step the client had reached.
    assert page.locator("#step-count").inner_text() == "Paso 3 de 7"
    assert page.get_by_label("¿Qué le va bien?").input_value() == "Trabajo por las mañanas."
    assert page.get_by_label("Su edad").input_value() == "41"
    assert page.get_by_label("Un lugar seguro donde quedarme").is_checked()
    check_phone_layout(
        page, "self-3-restored-after-reload", browser_page.problems, staff_page=False
    )

    page.locator("#step-going_well").get_by_role("button", name="Siguiente").click()
    # Who lives with them (issue 19): rows in their words; accepting makes them members.
    home = page.locator("#step-home")
    page.locator("#household-0-name").fill("Carlos")
    page.locator("#household-0-relationship").select_option("partner")
    page.locator("#household-0-age_or_year").fill("44")
    check_phone_layout(page, "self-3b-who-lives-with-me", browser_page.problems, staff_page=False)
    home.get_by_role("button", name="Siguiente").click()
    page.get_by_label("Número de teléfono").fill("555 201 9988")
    page.locator("#step-contact").get_by_text("No", exact=True).first.click()  # not safe to call
    page.get_by_label("Algo que debamos saber para contactarle con seguridad").fill(
        "No dejen mensajes."
    )
    page.locator("#step-contact").get_by_role("button", name="Siguiente").click()
    page.get_by_label("Sí, el equipo puede guardar lo que escribí aquí para ayudarme.").check()
    page.locator("#step-consent").get_by_role("button", name="Siguiente").click()
    review = page.locator("#review").inner_text()
    assert (
        "Rosa" in review and "Un lugar seguro donde quedarme" in review and "555 201 9988" in review
    )
    check_phone_layout(page, "self-4-review", browser_page.problems, staff_page=False)

    # Sending without a signal is held back on the phone, with a word why.
    page.context.set_offline(True)
    page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.locator("#offline-note").is_visible()
    page.context.set_offline(False)
    page.get_by_role("button", name="Enviar mis respuestas").click()
    page.wait_for_url("**/i/thanks**")
    assert page.get_by_role("heading", name="Gracias: sus respuestas se enviaron").is_visible()
    page.wait_for_timeout(200)
    assert page.evaluate(STORED) == 0  # nothing left on the phone
    check_phone_layout(page, "self-5-thanks", browser_page.problems, staff_page=False)

    # The worker who sent the link sees it on Today and accepts it.
    worker_context = page.context.browser.new_context(
        viewport=PHONE, base_url=page.url.split("/i/")[0]
    )
    worker = worker_context.new_page()
    sign_in(worker, "casemanager@demo.example", "maple-bridge-compass")
    item = worker.locator(".today-item", has_text="Rosa")
    assert "New self-intake to review" in item.inner_text()
    item.get_by_role("link", name="Review").click()
    worker.wait_for_url("**/intake-queue/*")
    assert worker.get_by_text("Me desalojaron la semana pasada.").is_visible()
    assert worker.locator("#household-heading + ul").inner_text().startswith("Carlos")
    check_phone_layout(worker, "self-6-review-queue", browser_page.problems)
    worker.get_by_label("A new client record").check()
    worker.get_by_role("button", name="Accept and open a case").click()
    worker.wait_for_url("**/cases/*")
    assert worker.get_by_text("Self-intake accepted").is_visible()
    check_phone_layout(worker, "self-7-case-from-self-intake", browser_page.problems)
    worker_context.close()

    with browser_page.app.app_context():
        # The demo has a self-intake of its own waiting; this one is the one accepted.
        submission = db.session.scalar(
            sa.select(SelfIntakeSubmission).where(
                SelfIntakeSubmission.status == SubmissionStatus.ACCEPTED
            )
        )
        case = db.session.get(Case, submission.case_id)
        assert (
            case.client.preferred_name == "Rosa" and case.intake.source == IntakeSource.SELF_INTAKE
        )
        assert case.client.safe_to_call is False and case.client.language == "es"
        [partner] = [
            member
            for member in db.session.scalars(sa.select(HouseholdMember))
            if member.name == "Carlos"
        ]
        assert partner.relationship == RelationshipKind.PARTNER and partner.client_id is None
        assert case.client_id in {member.client_id for member in partner.household.members}

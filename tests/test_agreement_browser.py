"""The plan's agreement at 360×740 (issue 20): the client signs with a finger (touch events) and
the worker with a mouse on the screen's pad; the plan page says who signed; the agreement is
printed to PDF (one page, A4 and Letter) and looked at as printed; a later change to the plan
shows "changed since signed"."""

import re
from datetime import timedelta

import sqlalchemy as sa

from tests.browser import PHONE, sign_in
from tests.conftest import PASSWORD
from tests.lifecycle import a_service, add_goal, assess, refer
from tests.test_phone_layout import SCREENSHOTS, browser_page, check_phone_layout  # noqa: F401
from webapp.extensions import db
from webapp.models import PlanSignature, Role, SignatureParty, TaskOwner
from webapp.services import plans
from webapp.timeutil import local_today


def _box(page):
    page.locator(".signature-pad__area").scroll_into_view_if_needed()
    box = page.locator(".signature-pad__area").bounding_box()
    assert box and box["width"] > 250, box
    return box


def _sign_with_a_finger(page) -> None:
    """Touch events through the DevTools protocol, as a finger on the phone's screen sends them."""
    box = _box(page)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})

    def touch(kind, x, y):
        points = [] if kind == "touchEnd" else [{"x": box["x"] + x, "y": box["y"] + y}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    for stroke in (
        [(20, 70), (45, 25), (70, 75), (95, 30), (120, 70)],
        [(150, 50), (200, 45), (250, 60), (300, 40)],
    ):
        touch("touchStart", *stroke[0])
        for x, y in stroke[1:]:
            touch("touchMove", x, y)
        touch("touchEnd", 0, 0)
    cdp.detach()


def _sign_with_a_mouse(page) -> None:
    box = _box(page)
    page.mouse.move(box["x"] + 30, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 30 + step * 10, box["y"] + 60 + (15 if step % 2 else -15))
    page.mouse.up()


def test_the_agreement_is_signed_on_the_phone_and_printed(
    browser_page,  # noqa: F811
    make_program,
    make_user,
    make_case,
):
    page = browser_page.page
    with browser_page.app.app_context():
        program = make_program("Housing First")
        ana = make_user(Role.CASE_MANAGER, [program], email="ana@agency.test", name="Ana Lopez")
        case = make_case(program, ana, name="Brian Holt")
        assess(case, ana)
        goal = add_goal(case, ana, "Move into my own flat by spring")
        second = add_goal(case, ana, "Keep my benefits paid every month")
        today = local_today()
        for target, description, owner, extra in (
            (
                goal,
                "Bring ID and payslips",
                TaskOwner.CLIENT,
                {"place": "Housing office", "schedule": "Tuesday 10:00", "frequency": "once"},
            ),
            (
                goal,
                "Call the landlord about the viewing",
                TaskOwner.CASE_MANAGER,
                {"place": "By phone", "frequency": "every week"},
            ),
            (
                goal,
                "Help with the move",
                TaskOwner.SUPPORT_PERSON,
                {"support_person": "Denise Holt", "schedule": "The moving day"},
            ),
            (
                second,
                "Review the benefit letter",
                TaskOwner.PROVIDER,
                {
                    "provider_name": "Citizens Advice",
                    "place": "High Street",
                    "frequency": "monthly",
                },
            ),
        ):
            plans.add_task(
                case,
                target,
                description=description,
                responsible=owner,
                due_on=today + timedelta(days=14),
                user=ana,
                **extra,
            )
        plans.set_terms(
            case,
            starts_on=today,
            ends_on=today + timedelta(days=120),
            consequences="If one of us cannot do their part, we say so early and meet within a "
            "week to change the plan together. Nobody loses a service over it.",
            user=ana,
        )
        referral = refer(case, a_service(), created_by=ana, today=today)
        referral.provider_commitment = "Hold a bed until the flat is ready"
        referral.provider_commitment_by = today + timedelta(days=10)
        db.session.commit()
        plan_url = f"/cases/{case.id}/plan"
        goal_id = goal.id

    sign_in(page, "ana@agency.test", PASSWORD)
    page.goto(plan_url)
    assert "Not signed yet." in page.locator("#agreement-standing").inner_text()
    assert "Housing office · Tuesday 10:00 · once" in page.locator("main").inner_text()
    check_phone_layout(page, "agreement-1-plan", browser_page.problems)

    # The client signs with a finger.
    page.get_by_role("link", name="Sign on this phone").click()
    page.wait_for_url("**/plan/sign")
    assert page.get_by_label("The client").is_checked()
    assert page.get_by_label("Their name").input_value() == "Brian Holt"
    _sign_with_a_finger(page)
    assert page.locator(".signature-pad__stroke").count() == 2
    check_phone_layout(page, "agreement-2-client-signs", browser_page.problems)
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url("**/plan#signatures-heading")
    assert "Waiting for: case manager." in page.locator("#agreement-standing").inner_text()

    # An empty pad is refused beside it; then the worker signs with a mouse.
    page.get_by_role("link", name="Sign on this phone").click()
    page.get_by_label("Case manager").check()
    page.get_by_role("button", name="Sign", exact=True).click()
    assert page.locator("#strokes-error").inner_text() == "Sign in the box."
    page.get_by_label("Case manager").check()
    _sign_with_a_mouse(page)
    page.get_by_role("button", name="Sign", exact=True).click()
    page.wait_for_url("**/plan#signatures-heading")
    standing = page.locator("#agreement-standing").inner_text()
    assert "Signed by Brian Holt, Ana Lopez." in standing
    assert page.locator(".signature__drawing").count() == 2
    check_phone_layout(page, "agreement-3-signed", browser_page.problems)

    with browser_page.app.app_context():
        signatures = db.session.scalars(sa.select(PlanSignature).order_by(PlanSignature.id)).all()
        assert [s.party for s in signatures] == [SignatureParty.CLIENT, SignatureParty.WORKER]
        assert len(signatures[0].strokes) == 2 and len(signatures[1].strokes) == 1
        assert all(len(stroke) > 3 for s in signatures for stroke in s.strokes)

    # The agreement: on the phone, then printed.
    page.get_by_role("link", name="The agreement to print").click()
    page.wait_for_url("**/plan/agreement")
    text = page.locator("main").inner_text()
    for element in (
        "1. Our goals",
        "2. How long this agreement runs",
        "3–4. Who does what",
        "5. If a responsibility is not carried out",
        "6. Signatures",
        "Who: Denise Holt (support person)",
        "They agreed to: Hold a bed until the flat is ready",
        "Nobody loses a service over it.",
    ):
        assert element in text, element
    check_phone_layout(page, "agreement-4-printable", browser_page.problems, staff_page=False)
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        (SCREENSHOTS / f"agreement-5-{paper.lower()}.pdf").write_bytes(pdf)
        pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
        assert len(pages) == 1 and b"/Count 1" in pdf, (paper, len(pages))  # one page
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / "agreement-6-printed.png"), full_page=True)
    assert not page.locator(".topbar").is_visible()
    assert not page.get_by_role("link", name="Back to the plan").is_visible()
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)

    # A later change to the plan: "changed since signed" until signed again.
    page.goto(plan_url)
    page.locator(f"#goal-{goal_id} summary", has_text="Add a task").click()
    page.locator(f"#task{goal_id}-description").fill("Sign the tenancy")
    page.locator(f"#task{goal_id}-responsible").select_option("client")
    page.locator(f"#goal-{goal_id}").get_by_role("button", name="Add task").click()
    page.wait_for_url(f"**/plan#goal-{goal_id}")
    assert "Changed since signed" in page.locator("#agreement-standing").inner_text()
    check_phone_layout(page, "agreement-7-changed", browser_page.problems)

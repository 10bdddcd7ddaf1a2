"""Every field screen at phone size (360×740) checked by axe-core in Chromium: no serious or
critical violation, the outbox with entries waiting included.

axe-core is vendored for these tests only (tests/vendor/axe.min.js, MPL-2.0, its licence beside
it); the app never serves it. Its experimental label-content-name-mismatch rule (WCAG 2.5.3, a
control's visible words are part of its name, so voice control can say them) is switched on:
the outbox badge broke it."""

from pathlib import Path

import sqlalchemy as sa

from tests.test_offline import queue_contact_offline, sign_in_as_outreach
from tests.test_phone_layout import browser_page  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.jobs import demo
from webapp.models import Case, Program, ProviderLink, Referral, User
from webapp.services import provider_links, self_intake

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_SOURCE = f"() => {{ {AXE.read_text()}\n}}"
RUN_AXE = """() => axe.run(document, {
  resultTypes: ["violations"],
  rules: { "label-content-name-mismatch": { enabled: true } },
}).then(results => results.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map(n => n.target.join(" ") + " — " + n.failureSummary.replace(/\\s+/g, " ")),
  })))"""


# axe only reports these as "needs review" (duplicate-id-aria): an id that a label or an aria
# attribute points at must be on one element, or the second field on the page gets the first's
# label, hint or error.
SHARED_IDS = """() => {
  const referenced = new Set();
  for (const label of document.querySelectorAll("label[for]")) referenced.add(label.htmlFor);
  for (const el of document.querySelectorAll("[aria-labelledby], [aria-describedby]")) {
    for (const attribute of ["aria-labelledby", "aria-describedby"]) {
      for (const id of (el.getAttribute(attribute) || "").split(/\\s+/)) if (id) referenced.add(id);
    }
  }
  return [...referenced].filter(id => document.querySelectorAll("#" + CSS.escape(id)).length > 1);
}"""


def serious_violations(page, name):
    """axe's serious and critical violations on the page as it is now, in words to read."""
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        # Evaluated over DevTools: the page's CSP (no inline script) stays as it is and would
        # refuse a <script> tag (page.add_script_tag).
        page.evaluate(AXE_SOURCE)
    # What folds away (the account menu, a case's "Manage" forms) is checked unfolded.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found = [
        f"{name}: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"])
        for v in page.evaluate(RUN_AXE)
    ]
    shared = page.evaluate(SHARED_IDS)
    if shared:
        found.append(f"{name}: ids on more than one element, named by a label or aria: {shared}")
    return found


def check(page, url, name, found, wait_for=None):
    page.goto(url)
    if wait_for:
        page.locator(wait_for).first.wait_for()
    found.extend(serious_violations(page, name))


def test_no_field_screen_has_a_serious_accessibility_violation(browser_page):  # noqa: F811
    page = browser_page.page
    with browser_page.app.app_context():
        demo.load()
        db.session.commit()
        worker = db.session.scalar(sa.select(User).where(User.email == "outreach@demo.example"))
        case = db.session.scalar(
            sa.select(Case)
            .where(Case.primary_worker_id == worker.id, Case.closed_at.is_(None))
            .order_by(Case.id)
        )
        referral = db.session.scalar(
            sa.select(Referral)
            .join(Referral.case)
            .where(Case.primary_worker_id == worker.id)
            .order_by(Referral.id)
        )
        program = db.session.scalar(sa.select(Program).where(Program.name == demo.HOUSING))
        manager = db.session.scalar(sa.select(User).where(User.email == "casemanager@demo.example"))
        _, token = self_intake.create_invitation(manager, program, language="en")
        # The demo made the provider's link with the referral (issue 25).
        provider_token = provider_links.token_of(
            db.session.scalar(
                sa.select(ProviderLink).where(ProviderLink.referral_id == referral.id)
            )
        )
        case_id, referral_id, name = case.id, referral.id, case.client.preferred_name
        db.session.commit()
    page.on("dialog", lambda dialog: dialog.accept())
    found: list[str] = []

    # Before signing in: the login page, and a client's self-intake link.
    check(page, "/login", "login", found)
    check(page, f"/i/{token}", "self-intake", found)
    check(page, f"/r/{provider_token}", "provider's referral page", found, wait_for="#client-name")

    sign_in_as_outreach(page)
    check(page, "/", "today", found)
    check(page, f"/clients?q={name}", "client search", found, wait_for="#search-results li")
    check(page, "/clients/new", "quick intake", found)
    check(page, f"/cases/{case_id}", "case", found)
    check(page, f"/cases/{case_id}/contacts/new", "log contact", found)
    check(page, f"/cases/{case_id}/referrals/new", "make referral", found)
    check(page, f"/referrals/{referral_id}", "referral confirmation", found)
    check(page, f"/referrals/{referral_id}/slip", "referral slip", found)
    check(page, "/reminders", "reminders", found)
    check(page, "/account/settings", "settings", found)
    check(page, "/forms/intake", "intake shell", found)
    check(page, "/forms/contact", "contact shell", found)
    check(page, "/forms/referral-status", "referral status shell", found)
    check(page, "/offline", "offline page", found)

    # Offline, with entries waiting: the badge shows, and the outbox lists them.
    queue_contact_offline(page, "Brought socks and a charger.")
    queue_contact_offline(page, "Walked to the day centre together.")
    badge = page.get_by_role("link", name="2 waiting")  # its name starts with what it shows
    badge.wait_for()
    assert badge.locator("[data-count]").inner_text() == "2"
    found.extend(serious_violations(page, "contact shell, 2 waiting"))
    check(page, "/outbox", "outbox, 2 waiting", found, wait_for="#outbox-list li >> nth=1")
    check(page, "/offline", "offline page, 2 waiting", found)
    page.context.set_offline(False)

    assert found == [], "\n".join(found)
    assert browser_page.problems == []

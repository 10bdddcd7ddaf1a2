"""Hostile input: stored markup and htmx attributes stay inert, extra fields assign nothing,
control characters do not reach the record."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Case, Client, RiskLevel, Role

HOSTILE = '<img src=x onerror=alert(1)><div hx-post="/logout" hx-trigger="load">Zoë</div>'


def test_markup_and_htmx_attributes_in_names_are_inert_everywhere(
    as_user, make_program, make_user, make_case
):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(
        program, sam, name=HOSTILE, legal_name=HOSTILE, aliases=[HOSTILE], follow_up_in_days=0
    )
    client = as_user(sam)
    pages = {
        "today": client.get("/"),
        "case": client.get(f"/cases/{case.id}"),
        "client": client.get(f"/clients/{case.client.display_id}"),
        "search page": client.get("/clients", query_string={"q": "zoe"}),
        "search fragment": client.get(
            "/clients", query_string={"q": "zoe"}, headers={"HX-Request": "true"}
        ),
        "duplicates fragment": client.get(
            "/clients/new/duplicates",
            query_string={"preferred_name": "Zoë div"},
            headers={"HX-Request": "true"},
        ),
    }
    for name, response in pages.items():
        body = response.get_data(as_text=True)
        assert 'hx-post="/logout"' not in body and "<img src=x" not in body, name
        assert (
            "&lt;div hx-post=&#34;/logout&#34;" in body
            or "&lt;div hx-post=&quot;/logout&quot;" in body
        ), name


def test_extra_fields_cannot_assign_owner_risk_or_restriction(as_user, make_program, make_user):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    other = make_user(Role.OUTREACH_WORKER, [program])
    response = as_user(sam).post(
        "/clients/new",
        data={
            "preferred_name": "Dee",
            "program": str(program.id),
            "consent_given": "y",
            "consent_method": "verbal",
            "primary_worker_id": str(other.id),
            "restricted": "y",
            "risk_level": "low",
            "role": "admin",
            "persistent_id": "not an id",
            "created_by_id": str(other.id),
            "id": "1",
        },
    )
    assert response.status_code == 302
    case = db.session.scalar(sa.select(Case))
    assert (case.primary_worker_id, case.restricted, case.created_by_id) == (sam.id, False, sam.id)
    assert db.session.get(type(sam), sam.id).role == Role.OUTREACH_WORKER
    assert case.risk_level == RiskLevel.LOW


def test_control_characters_and_line_breaks_do_not_reach_one_line_fields(
    as_user, make_program, make_user
):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    as_user(sam).post(
        "/clients/new",
        data={
            "preferred_name": "Dee\r\nInjected: log line\u0000\u200b",
            "phone": "555\r\n0100",
            "program": str(program.id),
            "consent_given": "y",
            "consent_method": "verbal",
        },
    )
    client = db.session.scalar(sa.select(Client))
    assert "\n" not in client.preferred_name and "\r" not in client.preferred_name
    assert "\x00" not in client.preferred_name and "\u200b" not in client.preferred_name
    assert client.preferred_name == "Dee Injected: log line"
    assert client.phone == "555 0100"


# --- Control characters in every text field (issue 15, finding 3) ------------------------------


def _contact_form(**overrides):
    from datetime import timedelta

    from webapp.forms.cases import local_now

    data = {
        "occurred_at": (local_now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "street_outreach",
        "note": "Talked.",
        "place": "Library steps",
    }
    data.update(overrides)
    return data


def test_nul_and_control_characters_never_reach_a_free_text_field(
    as_user, make_program, make_user, make_case
):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam)
    client = as_user(sam)
    response = client.post(
        "/clients/new",
        data={
            "preferred_name": "Dee\x00",
            "legal_name": "Dee\x00 Jones",
            "aliases": "D\x00J",
            "phone": "555\x000100",
            "contact_notes": "Call\x00 after 6\x07\r\nnever before\tnoon",
            "program": str(program.id),
            "consent_given": "y",
            "consent_method": "verbal",
        },
    )
    assert response.status_code == 302
    made = db.session.scalar(sa.select(Client).where(Client.id != case.client_id))
    assert (made.preferred_name, made.legal_name, made.phone) == ("Dee", "Dee Jones", "5550100")
    # A note keeps its lines and tabs; NUL, BEL and the CR of a CRLF do not stay.
    assert made.contact_notes == "Call after 6\nnever before\tnoon"
    response = client.post(
        f"/cases/{case.id}/contacts/new",
        data=_contact_form(note="Met\x00 at the\x1b[31m library\r\nAgreed a plan."),
    )
    assert response.status_code == 302
    from webapp.models import ContactLog

    note = db.session.scalar(sa.select(ContactLog.note))
    assert note == "Met at the[31m library\nAgreed a plan."


def test_every_form_filters_text_through_the_one_base_form():
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import webapp.forms
    from webapp.forms import Form

    for module in pkgutil.iter_modules(webapp.forms.__path__):
        importlib.import_module(f"webapp.forms.{module.name}")
    pending, forms = list(FlaskForm.__subclasses__()), []
    while pending:
        form = pending.pop()
        forms.append(form)
        pending.extend(form.__subclasses__())
    ours = [form for form in forms if form.__module__.startswith("webapp.")]
    assert len(ours) > 20
    assert [form.__name__ for form in ours if not issubclass(form, Form)] == []


@pytest.mark.parametrize(
    "path", ["/clients?q=Dee%00", "/clients/new/duplicates?preferred_name=Dee%00&phone=5%0055"]
)
def test_text_read_outside_forms_is_cleaned_too(as_user, make_program, make_user, make_case, path):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    make_case(program, sam, name="Dee")
    response = as_user(sam).get(path, headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_a_push_subscription_with_control_characters_is_refused_or_cleaned(
    as_user, make_program, make_user
):
    import os

    from cryptography.hazmat.primitives.asymmetric import ec

    from tests.push_service import Device
    from webapp.models import PushSubscription

    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    client = as_user(sam)
    device = Device(
        "http://127.0.0.1/push/abc", ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
    )
    p256dh, auth = device.p256dh, device.auth
    refused = client.post(
        "/account/push-subscriptions",
        json={
            "endpoint": "http://127.0.0.1/push/\x00abc",
            "keys": {"p256dh": p256dh, "auth": auth},
        },
    )
    assert refused.status_code == 400
    accepted = client.post(
        "/account/push-subscriptions",
        json={
            "endpoint": "http://127.0.0.1/push/abc",
            "keys": {"p256dh": p256dh, "auth": auth},
            "label": "Phone\x00\u202e",
        },
    )
    assert accepted.status_code == 201
    assert db.session.scalar(sa.select(PushSubscription.device_label)) == "Phone"


def test_a_database_error_never_carries_the_values_it_was_given(app, make_user):
    # The clash is on the email; the name and hash in the same INSERT must not appear in the error.
    # (PostgreSQL's own DETAIL names the clashing key's value: keys are emails and IDs, not notes.)
    user = make_user(Role.OUTREACH_WORKER, email="dup@agency.test")
    with pytest.raises(sa.exc.IntegrityError) as raised:
        db.session.execute(
            sa.insert(type(user)).values(
                email="dup@agency.test",
                display_name="Dee Secret-Name",
                role="outreach_worker",
                password_hash="hash-not-for-logs",
                active=True,
                session_version=1,
            )
        )
    db.session.rollback()
    assert "Secret-Name" not in str(raised.value) and "hash-not-for-logs" not in str(raised.value)


def test_raw_form_values_with_nul_are_refused_not_queried(as_user, make_program, make_user):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    client = as_user(sam)
    assert (
        client.post(
            "/reminders/snooze", data={"key": "contact:1:2026-01-01\x00", "for": "1d"}
        ).status_code
        == 400
    )
    assert (
        client.post("/logout", data={"push_endpoint": "http://127.0.0.1/push/\x00"}).status_code
        == 302
    )


# --- Ids out of the database's range, nested JSON, the contact's place (issue 15, finding 6) ---

HUGE_IDS = [str(2**31), str(2**63), "99999999999999999999", "9" * 5000]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_an_id_beyond_the_databases_range_is_not_found_on_every_endpoint(make_app, make_user, huge):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with app.app_context():
        admin = make_user(Role.ADMIN)
        client = app.test_client(user=admin)
        checked = 0
        for rule in app.url_map.iter_rules():
            ints = [
                name for name, converter in rule._converters.items() if converter.regex == r"\d+"
            ]
            if not ints:
                continue
            url = rule.build(
                {name: 424242 if name in ints else "0000-0000-0" for name in rule.arguments}
            )[1]
            url = url.replace("424242", huge)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                assert client.open(url, method=method).status_code == 404, (method, url)
                checked += 1
        assert checked > 30


def test_deeply_nested_json_is_a_bad_request_everywhere_json_is_read(
    as_user, make_program, make_user, make_case
):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam)
    client = as_user(sam)
    nested = "[" * 100_000 + "]" * 100_000
    for url in ("/account/push-subscriptions", f"/cases/{case.id}/contacts/new", "/clients/new"):
        response = client.post(url, data=nested, content_type="application/json")
        assert response.status_code == 400, url


def test_the_contacts_place_is_cleaned_as_names_are(as_user, make_program, make_user, make_case):
    from webapp.models import ContactLog

    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam)
    response = as_user(sam).post(
        f"/cases/{case.id}/contacts/new",
        data=_contact_form(place="Library\r\nsteps\x00 \u202eevil\u200b  corner\u2066"),
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(ContactLog.place)) == "Library steps evil corner"

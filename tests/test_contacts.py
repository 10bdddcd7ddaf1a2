"""The contact log at /cases/<id>/contacts/new."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.forms.cases import local_now
from webapp.models import AuditAction, AuditEvent, Case, ContactLog, ContactType, Role, User, utcnow
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Setup:
    sam: User
    case: Case


@pytest.fixture
def setup(make_program, make_user, make_case) -> Setup:
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian", follow_up_in_days=0)
    return Setup(sam, case)


def form(**overrides):
    data = {
        "occurred_at": (local_now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "contact_type": "street_outreach",
        "duration_minutes": "20",
        "place": "Library steps",
        "services_given": ["Food or water", "Hygiene kit"],
        "note": "Talked about the shelter list.",
        "next_follow_up_on": (local_today() + timedelta(days=3)).isoformat(),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_form_defaults_to_now(as_user, setup):
    before = local_now()
    page = as_user(setup.sam).get(f"/cases/{setup.case.id}/contacts/new").get_data(as_text=True)
    after = local_now()  # the request may cross a minute boundary
    assert any(f'value="{moment.strftime("%Y-%m-%dT%H:%M")}' in page for moment in (before, after))
    assert 'type="checkbox"' in page and "Hygiene kit" in page


def test_a_contact_is_saved_moves_the_follow_up_and_is_audited(as_user, setup):
    response = as_user(setup.sam).post(f"/cases/{setup.case.id}/contacts/new", data=form())
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{setup.case.id}"
    contact = db.session.scalar(sa.select(ContactLog))
    assert (contact.contact_type, contact.duration_minutes, contact.place) == (
        ContactType.STREET_OUTREACH,
        20,
        "Library steps",
    )
    assert contact.services_given == "Food or water, Hygiene kit"
    assert contact.recorded_by_id == setup.sam.id
    assert abs(contact.occurred_at - (utcnow() - timedelta(minutes=30))) < timedelta(minutes=2)
    db.session.refresh(setup.case)
    assert setup.case.next_follow_up_on == local_today() + timedelta(days=3)
    assert (
        db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.record_type == "contact_log")
        ).action
        == AuditAction.CREATE
    )


def test_saving_from_today_returns_to_today(as_user, setup):
    response = as_user(setup.sam).post(f"/cases/{setup.case.id}/contacts/new?next=/", data=form())
    assert response.headers["Location"] == "/"
    response = as_user(setup.sam).post(
        f"/cases/{setup.case.id}/contacts/new?next=https://evil.example/", data=form()
    )
    assert response.headers["Location"] == f"/cases/{setup.case.id}"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("note", "", "Write a short note"),
        ("note", "x" * 10_001, "At most 10,000 characters"),
        ("occurred_at", "", "Say when"),
        ("occurred_at", "yesterday", "Not a valid datetime"),
        ("occurred_at", "2999-01-01T10:00", "cannot be in the future"),
        ("occurred_at", "1990-01-01T10:00", "from 2000 on"),
        ("contact_type", "carrier_pigeon", "Not a valid choice"),
        ("duration_minutes", "-5", "Between 0 and 1440"),
        ("next_follow_up_on", "2001-01-01", "from today on"),
        ("services_given", ["Free money"], "not a valid choice"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_the_rest_kept(
    as_user, setup, field, value, message
):
    response = as_user(setup.sam).post(
        f"/cases/{setup.case.id}/contacts/new", data=form(**{field: value})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">([^<]*)<', page)
    assert error and message.lower() in error.group(1).lower()
    if field != "place":
        assert 'value="Library steps"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog)) == 0


def test_a_10000_character_note_is_kept_whole(as_user, setup):
    note = "Ω" * 10_000
    assert (
        as_user(setup.sam)
        .post(f"/cases/{setup.case.id}/contacts/new", data=form(note=note))
        .status_code
        == 302
    )
    assert db.session.scalar(sa.select(ContactLog.note)) == note


def test_a_closed_case_takes_no_contacts(as_user, setup):
    setup.case.closed_at = utcnow()
    db.session.commit()
    response = as_user(setup.sam).post(f"/cases/{setup.case.id}/contacts/new", data=form())
    assert response.status_code == 422
    assert "This case is closed" in response.get_data(as_text=True)


def test_only_people_who_may_see_the_case_may_log_contacts(as_user, setup, make_user, make_program):
    outsider = make_user(Role.CASE_MANAGER, [make_program("Other")])
    assert as_user(outsider).get(f"/cases/{setup.case.id}/contacts/new").status_code == 404
    assert (
        as_user(outsider).post(f"/cases/{setup.case.id}/contacts/new", data=form()).status_code
        == 404
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContactLog)) == 0


def test_a_contact_without_a_date_keeps_the_planned_follow_up(
    as_user, make_program, make_user, make_case
):
    """Issue 18, item 5: an empty field erased the follow-up the intake had planned."""
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian", follow_up_in_days=5)
    planned = local_today() + timedelta(days=5)
    page = as_user(sam).get(f"/cases/{case.id}/contacts/new").get_data(as_text=True)
    assert "Planned:" in page and "Leave empty to keep it." in page
    response = as_user(sam).post(f"/cases/{case.id}/contacts/new", data=form(next_follow_up_on=""))
    assert response.status_code == 302
    db.session.refresh(case)
    assert case.next_follow_up_on == planned


def test_a_contact_meets_a_follow_up_that_was_due(as_user, setup):
    # The setup's follow-up is due today: today's contact is that follow-up. (Logged now, not half
    # an hour ago: just after midnight that would be yesterday's contact, which meets nothing due
    # today.)
    now = local_now().strftime("%Y-%m-%dT%H:%M")
    as_user(setup.sam).post(
        f"/cases/{setup.case.id}/contacts/new", data=form(next_follow_up_on="", occurred_at=now)
    )
    db.session.refresh(setup.case)
    assert setup.case.next_follow_up_on is None


def test_clearing_the_follow_up_is_a_choice_the_worker_makes(
    as_user, make_program, make_user, make_case
):
    program = make_program()
    sam = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, sam, name="Brian", follow_up_in_days=5)
    as_user(sam).post(
        f"/cases/{case.id}/contacts/new", data=form(next_follow_up_on="", clear_follow_up="y")
    )
    db.session.refresh(case)
    assert case.next_follow_up_on is None

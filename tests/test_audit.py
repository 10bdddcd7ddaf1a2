"""The audit trail as admins and supervisors read it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, Role
from webapp.timeutil import local_today


@pytest.fixture
def seen(make_program, make_user, make_case, as_user):
    program = make_program()
    supervisor = make_user(Role.SUPERVISOR, [program], name="Marcus Oyelaran")
    sam = make_user(Role.OUTREACH_WORKER, [program], supervisor=supervisor, name="Sam Whitfield")
    ngozi = make_user(Role.OUTREACH_WORKER, [program], name="Ngozi Eze")
    case = make_case(program, sam, name="Brian")
    other = make_case(program, sam, name="Lena")
    as_user(sam).get(f"/cases/{case.id}")
    as_user(sam).get(f"/clients/{case.client.display_id}")
    as_user(ngozi).get(f"/cases/{case.id}")
    as_user(ngozi).get(f"/cases/{other.id}")
    return {
        "supervisor": supervisor,
        "sam": sam,
        "ngozi": ngozi,
        "case": case,
        "other": other,
        "admin": make_user(Role.ADMIN),
    }


def test_supervisors_see_who_has_seen_a_record(as_user, seen):
    page = (
        as_user(seen["supervisor"])
        .get(f"/clients/{seen['case'].client.display_id}")
        .get_data(as_text=True)
    )
    section = page.split('id="viewers-heading"')[1].split("</section>")[0]
    assert "Sam Whitfield" in section and "2 views" in section
    assert "Ngozi Eze" in section and "1 view<" in section


def test_workers_do_not_get_the_viewers_list(as_user, seen):
    page = (
        as_user(seen["sam"])
        .get(f"/clients/{seen['case'].client.display_id}")
        .get_data(as_text=True)
    )
    assert "Who has seen this record" not in page


def test_admins_filter_the_trail_by_user_client_and_date(as_user, seen):
    admin = as_user(seen["admin"])
    page = admin.get("/admin/audit", query_string={"user": seen["ngozi"].id}).get_data(as_text=True)
    assert page.count("Viewed case") == 2
    page = admin.get(
        "/admin/audit", query_string={"client": seen["case"].client.display_id.lower()}
    ).get_data(as_text=True)
    assert f"Viewed case #{seen['case'].id}" in page and f"#{seen['other'].id}" not in page
    assert "Viewed client" in page
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    assert "No events match." in admin.get(
        "/admin/audit", query_string={"since": tomorrow}
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"client": "NOT-AN-ID"}, "client", "Not a client ID"),
        ({"client": "0000-0000-0"}, "client", "No client has this ID"),
        ({"since": "2026-02-30"}, "since", "Not a valid date"),
        ({"since": "2026-05-02", "until": "2026-05-01"}, "until", "before the start date"),
        ({"user": "999999"}, "user", "Not a valid choice"),
    ],
)
def test_bad_filters_are_explained_beside_the_field(as_user, seen, args, field, message):
    response = as_user(seen["admin"]).get("/admin/audit", query_string=args)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).split(f'id="{field}-error">')[1].split("<")[0]


@pytest.mark.parametrize("page", ["0", "-1", "x", "100001", "9" * 40])
def test_a_page_of_the_trail_that_no_link_leads_to_is_refused(as_user, seen, page):
    assert (
        as_user(seen["admin"]).get("/admin/audit", query_string={"page": page}).status_code == 400
    )
    assert as_user(seen["admin"]).get("/admin/audit", query_string={"page": "2"}).status_code == 200


def test_only_admins_read_the_trail(as_user, seen):
    assert as_user(seen["supervisor"]).get("/admin/audit").status_code == 403


def test_the_trail_holds_ids_not_names_or_notes(seen):
    for event in db.session.scalars(sa.select(AuditEvent)):
        assert "Brian" not in f"{event.record_id} {event.path}"
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.VIEW)
        )
        == 4
    )


def test_a_discarded_outbox_entry_is_recorded_by_its_key_alone(as_user, make_user, client):
    import uuid

    from webapp.models import AuditAction, AuditEvent, Role

    worker = make_user(Role.OUTREACH_WORKER)
    key = str(uuid.uuid4())
    assert client.post("/outbox/discarded", data={"key": key}).status_code == 401
    for bad in ("", "not-a-key", "x" * 5000, "\x00"):
        assert as_user(worker).post("/outbox/discarded", data={"key": bad}).status_code == 400
    answer = as_user(worker).post(
        "/outbox/discarded", data={"key": key, "note": "Confidential words."}
    )
    assert answer.status_code == 200 and answer.get_json() == {"discarded": key}
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.DISCARD)
    ).all()
    assert [(e.user_id, e.record_type, e.record_id) for e in events] == [
        (worker.id, "outbox_entry", key)
    ]

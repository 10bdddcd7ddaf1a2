"""Merging duplicates (issue 17, item 5): one person, one record; the old ID still leads to them;
an admin can undo it within 30 days; visibility is never widened."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    Client,
    ClientMerge,
    ConsentMethod,
    ConsentScope,
    MergeSuggestion,
    Program,
    Role,
    User,
)
from webapp.services import audit, case_changes, cases, clients, merge, self_intake


@dataclass(frozen=True)
class Org:
    street: Program
    housing: Program
    sam: User
    ana: User
    boss: User
    admin: User
    kept: Case
    duplicate: Case


@pytest.fixture
def org(make_program, make_user, make_case) -> Org:
    street, housing = make_program("Street Outreach"), make_program("Housing First")
    boss = make_user(Role.SUPERVISOR, [street, housing], name="Marcus Oyelaran")
    sam = make_user(Role.OUTREACH_WORKER, [street], supervisor=boss)
    ana = make_user(Role.CASE_MANAGER, [housing], supervisor=boss)
    admin = make_user(Role.ADMIN, [])
    kept = make_case(street, sam, name="Jose", legal_name="José Núñez", phone="555-0100")
    duplicate = make_case(
        housing,
        ana,
        name="Pepe",
        legal_name="Jose Nunez",
        date_of_birth=date(1980, 4, 2),
        aliases=["Joe"],
    )
    return Org(street, housing, sam, ana, boss, admin, kept, duplicate)


def url(case: Case) -> str:
    return f"/clients/{case.client.display_id}/merge"


def merge_form(org: Org, **choices) -> dict:
    return {"other": org.duplicate.client.display_id, "confirm": "y", **choices}


def test_every_table_that_points_at_a_client_is_handled_by_merge():
    pointing = {
        table.name
        for table in db.metadata.sorted_tables
        for key in table.foreign_keys
        if key.column.table.name == "clients"
    }
    assert pointing, "no table points at clients: this test has stopped looking"
    assert pointing <= merge.HANDLED, pointing - merge.HANDLED


def test_a_supervisor_compares_and_merges_with_a_choice_per_field(as_user, org):
    consent = clients.record_consent(
        org.duplicate.client,
        scope=ConsentScope.CONTACT_TEXT,
        method=ConsentMethod.SIGNED,
        recorded_by=org.ana,
        case=org.duplicate,
    )
    invitation, _ = self_intake.create_invitation(
        org.ana, org.housing, language="es", client=org.duplicate.client
    )
    db.session.commit()
    duplicate_id = org.duplicate.client_id
    boss = as_user(org.boss)
    page = boss.get(f"{url(org.kept)}?other={org.duplicate.client.display_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # Side by side: both records' values for what differs, with their cases.
    assert "José Núñez" in text and "Jose Nunez" in text and "Housing First" in text
    # What only the other record knows is chosen unless the supervisor says otherwise.
    assert 'name="date_of_birth" value="other" checked' in text
    assert 'name="legal_name" value="this" checked' in text

    response = boss.post(url(org.kept), data=merge_form(org, date_of_birth="other"))
    assert response.status_code == 302
    survivor = db.session.get(Client, org.kept.client_id)
    duplicate = db.session.get(Client, duplicate_id)
    assert duplicate.merged_into_id == survivor.id
    assert (survivor.preferred_name, survivor.legal_name, survivor.date_of_birth) == (
        "Jose",
        "José Núñez",
        date(1980, 4, 2),
    )
    assert {alias.name for alias in survivor.aliases} == {"Pepe", "Jose Nunez", "Joe"}
    assert db.session.get(Case, org.duplicate.id).client_id == survivor.id
    db.session.refresh(consent)
    db.session.refresh(invitation)
    assert consent.client_id == survivor.id and invitation.client_id == survivor.id

    # The old ID opens the survivor, and search finds the survivor by it and by the other names.
    old = boss.get(f"/clients/{duplicate.display_id}")
    assert old.status_code == 302 and survivor.display_id in old.headers["Location"]
    found = boss.get("/clients", query_string={"q": duplicate.display_id}).get_data(as_text=True)
    assert survivor.display_id in found
    assert survivor.display_id in boss.get("/clients?q=pepe").get_data(as_text=True)
    record = db.session.scalar(sa.select(ClientMerge))
    assert record.moved["cases"] == [org.duplicate.id]
    merges = db.session.scalars(
        sa.select(AuditEvent.record_id).where(AuditEvent.action == AuditAction.MERGE)
    ).all()
    assert sorted(merges) == sorted([str(survivor.id), str(duplicate.id)])


def test_the_merged_records_trail_follows_the_survivor(as_user, org, app):
    with app.test_request_context(f"/clients/{org.duplicate.client.display_id}"):
        audit.record(AuditAction.VIEW, "client", org.duplicate.client_id, user=org.ana)
    db.session.commit()
    merge.merge_clients(
        org.kept.client, org.duplicate.client, take_from_merged=set(), merged_by=org.boss
    )
    db.session.commit()
    page = as_user(org.boss).get(f"/clients/{org.kept.client.display_id}").get_data(as_text=True)
    viewers = page.split('id="viewers-heading"')[1].split("</section>")[0]
    assert org.ana.display_name in viewers


def test_an_admin_undoes_a_merge_and_everything_goes_back(as_user, org):
    before = {alias.name for alias in org.kept.client.aliases}
    duplicate_id = org.duplicate.client_id
    boss = as_user(org.boss)
    boss.post(url(org.kept), data=merge_form(org, phone="other", legal_name="other"))
    record = db.session.scalar(sa.select(ClientMerge))
    survivor_url = f"/clients/{org.kept.client.display_id}"
    # A case opened after the merge stays with the survivor when the merge is undone.
    later = cases.open_case(
        db.session.get(Client, org.kept.client_id), org.housing, created_by=org.ana
    )
    db.session.commit()
    assert "Undo this merge" not in boss.get(survivor_url).get_data(as_text=True)
    assert boss.post(f"{survivor_url}/merges/{record.id}/undo").status_code == 403

    admin = as_user(org.admin)
    assert "Undo this merge" in admin.get(survivor_url).get_data(as_text=True)
    assert admin.post(f"{survivor_url}/merges/{record.id}/undo").status_code == 302
    survivor = db.session.get(Client, org.kept.client_id)
    duplicate = db.session.get(Client, duplicate_id)
    assert duplicate.merged_into_id is None
    assert (survivor.legal_name, survivor.phone) == ("José Núñez", "555-0100")
    assert {alias.name for alias in survivor.aliases} == before
    assert db.session.get(Case, org.duplicate.id).client_id == duplicate_id
    assert db.session.get(Case, later.id).client_id == survivor.id
    assert as_user(org.ana).get(f"/clients/{duplicate.display_id}").status_code == 200
    assert "pepe" not in survivor.name_key
    unmerges = sa.select(sa.func.count()).where(AuditEvent.action == AuditAction.UNMERGE)
    assert db.session.scalar(unmerges) == 2
    # Twice changes nothing.
    admin.post(f"{survivor_url}/merges/{record.id}/undo")
    assert db.session.scalar(unmerges) == 2


def test_an_undo_is_refused_after_thirty_days(org):
    record = merge.merge_clients(
        org.kept.client, org.duplicate.client, take_from_merged=set(), merged_by=org.boss
    )
    record.merged_at -= timedelta(days=31)
    with pytest.raises(merge.MergeError):
        merge.undo_merge(record, undone_by=org.admin)


def test_who_may_merge(as_user, org, make_user, make_program):
    other_boss = make_user(Role.SUPERVISOR, [org.street])  # not in Housing First
    target = f"{url(org.kept)}?other={org.duplicate.client.display_id}"
    # Workers never; a supervisor not over both records' programs: no.
    assert as_user(org.sam).get(url(org.kept)).status_code == 403
    assert as_user(org.sam).post(url(org.kept), data=merge_form(org)).status_code == 403
    assert as_user(other_boss).get(target).status_code in (403, 404)
    assert as_user(other_boss).post(url(org.kept), data=merge_form(org)).status_code in (403, 404)
    # A supervisor of another program entirely cannot see the record at all.
    stranger = make_user(Role.SUPERVISOR, [make_program("Elsewhere")])
    assert as_user(stranger).get(url(org.kept)).status_code == 404
    assert as_user(org.admin).get(target).status_code == 200
    assert db.session.scalar(sa.select(ClientMerge)) is None


def test_a_restricted_case_stays_restricted_after_a_merge(as_user, org, make_user):
    colleague = make_user(Role.CASE_MANAGER, [org.housing])
    case_changes.set_restricted(org.duplicate, True, user=org.ana, reason="Safety.")
    db.session.commit()
    as_user(org.boss).post(url(org.kept), data=merge_form(org))
    # The colleague cannot see the restricted case through the survivor.
    assert as_user(colleague).get(f"/cases/{org.duplicate.id}").status_code == 404
    assert as_user(colleague).get(f"/clients/{org.kept.client.display_id}").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"confirm": ""}, "confirm", "only when you are sure"),
        ({"phone": "theirs"}, "phone", "Not a valid choice"),
        ({"other": "not-an-id"}, "other", "No other record"),
        ({"other": "ZZZZ-ZZZZ-Z"}, "other", "No other record"),
    ],
)
def test_a_mistake_merges_nothing_and_says_why(as_user, org, data, field, message):
    response = as_user(org.boss).post(url(org.kept), data={**merge_form(org), **data})
    assert response.status_code in (404, 422)
    if response.status_code == 422:
        assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(ClientMerge)) is None


def test_a_record_cannot_be_merged_into_itself(as_user, org):
    response = as_user(org.boss).post(
        url(org.kept), data={"other": org.kept.client.display_id, "confirm": "y"}
    )
    assert response.status_code == 422
    assert db.session.scalar(sa.select(ClientMerge)) is None


@pytest.fixture
def pair_in_street(org, make_case):
    """Two records in Street Outreach that the worker can see both of."""
    return org.kept.client, make_case(org.street, org.sam, name="Jose N").client


def test_a_suggested_merge_reaches_the_supervisor_and_the_merge_answers_it(
    as_user, org, pair_in_street, make_user
):
    kept, other = pair_in_street
    sam = as_user(org.sam)
    page = sam.get(f"/clients/{kept.display_id}").get_data(as_text=True)
    assert "Same person as another record?" in page and "Merge a duplicate" not in page
    suggest_url = f"/clients/{kept.display_id}/merge/suggest"
    response = sam.post(suggest_url, data={"other": other.display_id, "note": "Same phone."})
    assert response.status_code == 302
    # A second tap asks nothing new.
    sam.post(suggest_url, data={"other": other.display_id, "note": "Same phone."})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MergeSuggestion)) == 1

    today = as_user(org.boss).get("/").get_data(as_text=True)
    assert f"thinks {kept.display_id} and {other.display_id} (Jose N) are one person" in today
    # Not on the Today of a worker, nor of a supervisor who does not supervise both.
    assert "are one person" not in sam.get("/").get_data(as_text=True)
    outsider = make_user(Role.SUPERVISOR, [org.housing])
    assert "are one person" not in as_user(outsider).get("/").get_data(as_text=True)

    compare = as_user(org.boss).get(f"{url(org.kept)}?other={other.display_id}")
    assert "Same phone." in compare.get_data(as_text=True)
    as_user(org.boss).post(url(org.kept), data={"other": other.display_id, "confirm": "y"})
    suggestion = db.session.scalar(sa.select(MergeSuggestion))
    assert suggestion.resolved_at is not None and suggestion.merged
    assert "are one person" not in as_user(org.boss).get("/").get_data(as_text=True)


def test_two_people_after_all(as_user, org, pair_in_street):
    kept, other = pair_in_street
    as_user(org.sam).post(
        f"/clients/{kept.display_id}/merge/suggest", data={"other": other.display_id}
    )
    suggestion = db.session.scalar(sa.select(MergeSuggestion))
    dismiss = f"/clients/{kept.display_id}/merge/suggestions/{suggestion.id}/dismiss"
    assert as_user(org.sam).post(dismiss).status_code == 403
    assert as_user(org.boss).post(dismiss).status_code == 302
    db.session.refresh(suggestion)
    assert suggestion.resolved_at is not None and not suggestion.merged
    assert "are one person" not in as_user(org.boss).get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("other", "message"),
    [("", "Type the other record"), ("nonsense", "No other record"), ("self", "No other record")],
)
def test_a_suggestion_needs_another_record_the_worker_can_see(as_user, org, other, message):
    kept = org.kept.client
    typed = kept.display_id if other == "self" else other
    response = as_user(org.sam).post(
        f"/clients/{kept.display_id}/merge/suggest", data={"other": typed, "note": "kept"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.split('id="suggest-other-error">')[1] and "kept</textarea>" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MergeSuggestion)) == 0


def test_a_record_in_a_program_the_worker_cannot_see_is_not_confirmed_to_exist(as_user, org):
    # The duplicate is in Housing First; Sam works in Street Outreach.
    response = as_user(org.sam).post(
        f"/clients/{org.kept.client.display_id}/merge/suggest",
        data={"other": org.duplicate.client.display_id},
    )
    assert response.status_code == 422
    assert "No other record with this ID that you can see." in response.get_data(as_text=True)


def test_a_merged_id_is_no_way_round_visibility(as_user, org, make_user, make_program):
    """The access grid's rule for merged IDs: out of scope is 404 with nothing of the client,
    by the old ID as by the new, page or htmx."""
    old_id = org.duplicate.client.display_id
    merge.merge_clients(
        org.kept.client, org.duplicate.client, take_from_merged=set(), merged_by=org.boss
    )
    db.session.commit()
    stranger = as_user(make_user(Role.CASE_MANAGER, [make_program("Elsewhere")]))
    for headers in ({}, {"HX-Request": "true"}):
        for path in (
            f"/clients/{old_id}",
            f"/clients/{old_id}/consents",
            f"/clients/{old_id}/edit",
        ):
            response = stranger.get(path, headers=headers)
            body = response.get_data(as_text=True)
            assert response.status_code == 404, path
            assert "Jose" not in body and "Pepe" not in body and old_id not in body, path
    found = stranger.get("/clients", query_string={"q": old_id}).get_data(as_text=True)
    assert org.kept.client.display_id not in found and "Jose" not in found
    # Ana saw only the duplicate; her case moved, so the old ID brings her to the survivor.
    response = as_user(org.ana).get(f"/clients/{old_id}")
    assert response.status_code == 302
    assert org.kept.client.display_id in response.headers["Location"]


def test_a_suggestion_about_a_restricted_record_reaches_only_who_may_see_it(
    as_user, org, make_user, make_case
):
    hidden = make_case(org.housing, org.ana, name="Pepe N")
    case_changes.set_restricted(hidden, True, user=org.ana, reason="Fleeing violence.")
    db.session.commit()
    as_user(org.ana).post(
        f"/clients/{org.duplicate.client.display_id}/merge/suggest",
        data={"other": hidden.client.display_id},
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MergeSuggestion)) == 1
    # Ana's supervisor sees the restricted case, so the suggestion; another supervisor of Housing
    # First may merge there but cannot open it, so hears nothing of it.
    assert "are one person" in as_user(org.boss).get("/").get_data(as_text=True)
    other_boss = as_user(make_user(Role.SUPERVISOR, [org.housing]))
    page = other_boss.get("/").get_data(as_text=True)
    assert "are one person" not in page and hidden.client.display_id not in page


def test_the_suggest_page_is_for_people_who_may_see_the_record(as_user, org, make_user):
    stranger = as_user(make_user(Role.OUTREACH_WORKER, [org.housing]))
    url_ = f"/clients/{org.kept.client.display_id}/merge/suggest"
    assert stranger.get(url_).status_code == 404
    assert stranger.post(url_, data={"other": org.duplicate.client.display_id}).status_code == 404
    assert as_user(org.sam).get(url_).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MergeSuggestion)) == 0

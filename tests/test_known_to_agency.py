"""Known to the agency (issue 17, item 3): a likely match held only in programs the user cannot
see is told by where it is held and why it matched, never by the client's record; a restricted
case is never told, not even counted; every look-up is audited and rate-limited per user; asking
for a referral puts a request on the holding worker's Today."""

from dataclasses import dataclass
from datetime import date

import pytest
import sqlalchemy as sa

from tests.lifecycle import waiting_for_a_place
from tests.statements import recorded, tables_read
from webapp.extensions import db
from webapp.models import (
    AuditAction,
    AuditEvent,
    Case,
    Program,
    ReferralRequest,
    ReminderKind,
    Role,
    User,
)
from webapp.queries.agency import reads_as_full_name
from webapp.queries.today import due_items
from webapp.services import case_changes, cases
from webapp.timeutil import local_today


@dataclass(frozen=True)
class Agency:
    outreach: Program
    housing: Program
    ngozi: User  # Street Outreach, holds Maria's case
    hana: User  # Housing First case manager
    maria: Case


@pytest.fixture
def agency(make_program, make_user, make_case) -> Agency:
    outreach, housing = make_program("Street Outreach"), make_program("Housing First")
    ngozi = make_user(Role.OUTREACH_WORKER, [outreach], name="Ngozi Eze")
    hana = make_user(Role.CASE_MANAGER, [housing], name="Hana Park")
    maria = make_case(
        outreach,
        ngozi,
        name="Maria",
        legal_name="Maria Lopez",
        date_of_birth=date(1984, 2, 29),
        phone="555-0134",
        contact_notes="Sleeps behind the library",
    )
    return Agency(outreach, housing, ngozi, hana, maria)


def check_page(client, **typed) -> tuple[int, str]:
    response = client.get("/clients/new/duplicates", query_string=typed)
    return response.status_code, response.get_data(as_text=True)


def never_the_record(body: str, case: Case) -> None:
    client = case.client
    for secret in (
        client.display_id,
        client.persistent_id,
        "1984",
        "29 Feb",
        "555-0134",
        "0134",
        "Sleeps behind the library",
        f"/clients/{client.display_id}",
    ):
        assert secret not in body, secret


def test_the_duplicate_check_tells_where_and_why_never_who(as_user, agency):
    status, body = check_page(
        as_user(agency.hana),
        preferred_name="Maria",
        legal_name="Maria Lopez",
        approximate_age=str(local_today().year - 1984),
    )
    assert status == 200
    assert "Known to the agency" in body
    assert "Street Outreach" in body and "Ngozi Eze" in body
    assert "same name" in body and "Ask for a referral" in body
    assert "in a program you cannot see" not in body  # no bare count any more
    never_the_record(body, agency.maria)


def test_the_reasons_never_spell_the_clients_own_name(as_user, agency):
    # "name sounds alike (marya ~ maria)" would give the record's spelling away.
    status, body = check_page(
        as_user(agency.hana),
        preferred_name="Marya Lopes",
        approximate_age=str(local_today().year - 1984),
    )
    assert "Known to the agency" in body
    assert "name sounds alike" in body and "~" not in body and "maria" not in body.lower()


def test_a_restricted_case_is_never_shown_nor_counted(as_user, agency, make_user):
    case_changes.set_restricted(agency.maria, True, reason="Fleeing violence", user=agency.ngozi)
    db.session.commit()
    status, body = check_page(
        as_user(agency.hana), preferred_name="Maria", legal_name="Maria Lopez"
    )
    assert "Known to the agency" not in body and "Street Outreach" not in body
    assert "Ngozi" not in body and "cannot see" not in body and "Already known" not in body
    found = as_user(agency.hana).get("/clients", query_string={"q": "Maria Lopez"})
    text = found.get_data(as_text=True)
    assert "Known to the agency" not in text and "Street Outreach" not in text
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.record_type == "agency_lookup")
        )
        == 0
    )


def test_a_client_with_a_restricted_and_an_open_case_shows_only_the_open_one(
    as_user, agency, make_program, make_user
):
    shelter = make_program("Family Shelter")
    dana = make_user(Role.CASE_MANAGER, [shelter], name="Dana Secret")
    cases.open_case(
        agency.maria.client, shelter, created_by=dana, primary_worker=dana, restricted=True
    )
    db.session.commit()
    _, body = check_page(as_user(agency.hana), preferred_name="Maria", legal_name="Maria Lopez")
    assert "Street Outreach" in body
    assert "Family Shelter" not in body and "Dana Secret" not in body


def test_search_looks_agency_wide_only_for_a_full_name(as_user, agency):
    hana = as_user(agency.hana)
    for prefix in ("Ma", "Maria", "Ma Lo", "555-0134"):
        body = hana.get("/clients", query_string={"q": prefix}).get_data(as_text=True)
        assert "Known to the agency" not in body, prefix
    body = hana.get("/clients", query_string={"q": "Maria Lopez"}).get_data(as_text=True)
    assert "No client you can see matches" in body
    assert "Known to the agency" in body and "Street Outreach" in body and "Ngozi Eze" in body
    never_the_record(body, agency.maria)
    fragment = hana.get(
        "/clients", query_string={"q": "Maria Lopez"}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert 'id="agency-card"' in fragment and "<html" not in fragment


@pytest.mark.parametrize(
    ("query", "full"),
    [
        ("Maria Lopez", True),
        ("maría  lópez", True),
        ("Ma", False),
        ("M L", False),
        ("Maria", False),
        ("Maria 1984", False),
        ("ABCD-1234", False),
    ],
)
def test_what_reads_as_a_full_name(query, full):
    assert reads_as_full_name(query) is full


def test_every_look_up_that_finds_someone_is_audited_without_names(as_user, agency):
    check_page(as_user(agency.hana), preferred_name="Maria", legal_name="Maria Lopez")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.record_type == "agency_lookup")
    ).all()
    assert [(e.action, e.user_id, e.record_id) for e in events] == [
        (AuditAction.LOOKUP, agency.hana.id, str(agency.maria.id))
    ]
    assert "Maria" not in (events[0].path or "") and "Lopez" not in (events[0].path or "")


def test_look_ups_are_rate_limited_per_user_with_a_clear_429(
    make_app, make_program, make_user, make_case
):
    app = make_app(AGENCY_LOOKUPS_PER_HOUR=2)
    with app.app_context():
        outreach, housing = make_program("Street Outreach"), make_program("Housing First")
        ngozi = make_user(Role.OUTREACH_WORKER, [outreach], name="Ngozi Eze")
        hana = make_user(Role.CASE_MANAGER, [housing], name="Hana Park")
        other = make_user(Role.CASE_MANAGER, [housing])
        make_case(outreach, ngozi, name="Maria", legal_name="Maria Lopez")
        hana_client = app.test_client(user=hana)
        typed = {"preferred_name": "Maria", "legal_name": "Maria Lopez"}
        for _ in range(2):
            assert check_page(hana_client, **typed)[0] == 200
        status, body = check_page(hana_client, **typed)
        assert status == 429
        assert "looked up many people" in body and "Ngozi" not in body
        page = hana_client.get("/clients", query_string={"q": "Maria Lopez"})
        assert page.status_code == 429 and "Too many look-ups" in page.get_data(as_text=True)
        assert page.headers["Retry-After"] == "3600"
        # As you type, the results fragment stays in place and says why nothing more came.
        typed_search = hana_client.get(
            "/clients", query_string={"q": "Maria Lopez"}, headers={"HX-Request": "true"}
        )
        fragment = typed_search.get_data(as_text=True)
        assert typed_search.status_code == 429 and 'id="search-results"' in fragment
        assert "looked up many people" in fragment and "Ngozi" not in fragment
        # Looking up nobody hidden costs nothing; another user has their own allowance.
        assert hana_client.get("/clients", query_string={"q": "Zed Nobody"}).status_code == 200
        assert check_page(app.test_client(user=other), **typed)[0] == 200


def test_asking_for_a_referral_puts_it_on_the_holding_workers_today(as_user, agency):
    hana = as_user(agency.hana)
    response = hana.post(
        "/clients/known/ask",
        data={"ask_case": agency.maria.id, "preferred_name": "Maria Lopez", "asked_from": "search"},
    )
    assert response.status_code == 302
    request = db.session.scalar(sa.select(ReferralRequest))
    assert (request.case_id, request.asked_by_id, request.program_id) == (
        agency.maria.id,
        agency.hana.id,
        agency.housing.id,
    )
    items = [
        i for i in due_items(agency.ngozi, local_today()) if i.kind == ReminderKind.REFERRAL_REQUEST
    ]
    assert len(items) == 1
    assert items[0].detail == (
        "Hana Park (Housing First) asks you to refer someone matching \u2018Maria Lopez\u2019 "
        "to Housing First"
    )
    assert items[0].heading == "Maria"  # the holding worker's own client
    assert items[0].action.args["program"] == agency.housing.id
    page = as_user(agency.ngozi).get("/").get_data(as_text=True)
    assert "asks you to refer someone matching" in page
    # The card says so from now on, and asking twice makes one request.
    _, body = check_page(hana, preferred_name="Maria", legal_name="Maria Lopez")
    assert "Asked. Your request is on Ngozi Eze's Today." in body
    assert "Ask for a referral" not in body
    hana.post(
        "/clients/known/ask",
        data={"ask_case": agency.maria.id, "preferred_name": "Maria Lopez", "asked_from": "search"},
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralRequest)) == 1


def test_asking_from_the_intake_form_keeps_what_was_typed(as_user, agency):
    response = as_user(agency.hana).post(
        "/clients/known/ask",
        data={
            "ask_case": agency.maria.id,
            "preferred_name": "Maria",
            "legal_name": "Maria Lopez",
            "presenting_circumstances": "Asked about a housing voucher",
            "asked_from": "intake",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Asked about a housing voucher" in body and "Asked. Your request is on" in body
    htmx = as_user(agency.hana).post(
        "/clients/known/ask",
        data={"ask_case": agency.maria.id, "preferred_name": "Maria", "legal_name": "Maria Lopez"},
        headers={"HX-Request": "true"},
    )
    fragment = htmx.get_data(as_text=True)
    assert 'id="agency-card"' in fragment
    assert "Ngozi Eze's Today" in fragment and "<html" not in fragment


def test_only_a_case_the_card_shows_can_be_asked_about(as_user, agency, make_case, make_user):
    hana = as_user(agency.hana)
    # A case id typed by hand, with a name that does not match it: 404, nothing made.
    other = make_case(agency.outreach, agency.ngozi, name="Zed", legal_name="Zed Other")
    restricted = make_case(
        agency.outreach, agency.ngozi, name="Rhea", legal_name="Rhea Hidden", restricted=True
    )
    for case_id, typed in (
        (other.id, "Maria Lopez"),
        (restricted.id, "Rhea Hidden"),
        (999999, "Maria Lopez"),
    ):
        response = hana.post(
            "/clients/known/ask",
            data={"ask_case": case_id, "preferred_name": typed, "asked_from": "search"},
        )
        assert response.status_code == 404, typed
    assert hana.post("/clients/known/ask", data={"ask_case": "x"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReferralRequest)) == 0


def test_someone_who_can_see_the_client_gets_the_record_not_the_card(as_user, agency, make_user):
    colleague = make_user(Role.OUTREACH_WORKER, [agency.outreach])
    _, body = check_page(as_user(colleague), preferred_name="Maria", legal_name="Maria Lopez")
    assert "Known to the agency" not in body and agency.maria.client.display_id in body


def test_someone_known_only_through_a_waiting_list_is_told_with_who_holds_the_place(
    as_user, make_program, make_user
):
    """A person waiting for a place in a program has no case: the card tells the waiting list and
    the worker holding their place, so another program's worker asks rather than makes a second
    record. Someone screened and not eligible reads as known there, no case now."""
    from webapp.models import IntakeScreening, ScreeningOutcome, WaitPriority
    from webapp.services import clients

    shelter, outreach = make_program("Family Shelter"), make_program("Street Outreach")
    rosa_worker = make_user(Role.CASE_MANAGER, [shelter], name="Rosa Diaz")
    sam = make_user(Role.OUTREACH_WORKER, [outreach], name="Sam Whitfield")
    for name, outcome in (
        ("Lena Okafor", ScreeningOutcome.WAITING),
        ("Tomas Berg", ScreeningOutcome.NOT_ELIGIBLE),
    ):
        person = clients.create_client(
            clients.ClientDetails(preferred_name=name, legal_name=name, phone="555-0199"),
            created_by=rosa_worker,
        )
        db.session.add(
            IntakeScreening(
                program=shelter,
                client=person,
                answers=[],
                qualified=outcome == ScreeningOutcome.WAITING,
                priority=WaitPriority.NORMAL,
                outcome=outcome,
                intake={},
                waiting_since=local_today() if outcome == ScreeningOutcome.WAITING else None,
                holding_worker_id=rosa_worker.id,
            )
        )
    db.session.commit()
    sams = as_user(sam)
    body = sams.get("/clients", query_string={"q": "Lena Okafor"}).get_data(as_text=True)
    card = body.split('id="agency-card"')[1]
    assert "Family Shelter" in card and "Waiting for a place, held by Rosa Diaz." in card
    assert "Ask for a referral" not in card  # a referral needs a case; they ask Rosa
    assert "555-0199" not in body
    status, body = check_page(sams, preferred_name="Tomas", legal_name="Tomas Berg")
    card = body.split('id="agency-card"')[1]
    assert "Known to Family Shelter; no open case now." in card
    assert "Waiting for a place" not in card and "not eligible" not in card.lower()
    # Who sees the waiting list sees the person, not the card.
    shelter_colleague = as_user(make_user(Role.CASE_MANAGER, [shelter]))
    body = shelter_colleague.get("/clients", query_string={"q": "Lena Okafor"}).get_data(
        as_text=True
    )
    assert "Lena Okafor" in body and 'id="agency-card"' not in body


def _search_statements(client, query: str) -> tuple[list[str], str]:
    with recorded() as statements:
        response = client.get("/clients", query_string={"q": query})
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def test_a_full_name_search_reads_the_same_statements_whatever_it_finds(
    as_user, agency, make_case, make_user
):
    """A full name runs the duplicate check and the look-up across the agency: the candidates and
    their name words, whether the searcher may see each and whether each is known unrestricted
    (one statement over their cases and screenings), the hidden ones' cases and screenings (the
    cases already asked about read with them), the count and its audit events in one write, the
    page of results with their aliases, and one write of the views. More candidates, more people
    held elsewhere, more of the searcher's own look-alikes add rows, never statements."""
    from webapp.services import clients

    hana = as_user(agency.hana)
    holder = make_user(Role.CASE_MANAGER, [agency.outreach], name="Ines Ruiz")

    def more_of_them() -> None:
        make_case(agency.outreach, holder, name="Maria", legal_name="Maria Lopez")
        make_case(agency.outreach, holder, name="Marya", legal_name="Marya Lopes")
        make_case(agency.outreach, holder, name="Mary", legal_name="Maria Lopez", restricted=True)
        make_case(agency.housing, agency.hana, name="Mariah", legal_name="Mariah Lopez")
        make_case(agency.housing, agency.hana, name="Lopez", legal_name="Lopez Maria")
        waiting = clients.create_client(
            clients.ClientDetails(preferred_name="Maria", legal_name="Maria Lopez"),
            created_by=holder,
        )
        db.session.flush()
        waiting_for_a_place(agency.outreach.id, waiting.id, holder=holder)
        db.session.commit()

    more_of_them()
    few, body = _search_statements(hana, "Maria Lopez")
    matches = body.count('class="list__item agency-match"')
    assert matches == 3 and "Ines Ruiz" in body and "Ngozi Eze" in body
    assert "Waiting for a place, held by Ines Ruiz." in body
    assert len(few) == 11, "\n".join(few)
    assert tables_read(few) == {
        "users": 1,  # the signed-in user, once: nothing is expired and read again
        "clients": 2,  # the candidates; the page of results
        "client_name_tokens": 1,
        "cases": 2,  # who may see each candidate; the hidden ones' cases
        "intake_screenings": 1,
        "client_aliases": 1,
    }
    for _ in range(3):
        more_of_them()
    many, body = _search_statements(hana, "Maria Lopez")
    assert body.count('class="list__item agency-match"') == 2 * 4 + 1
    assert len(many) == len(few) and tables_read(many) == tables_read(few)


def test_a_full_name_search_finding_nobody_hidden_reads_the_same_statements_however_many_match(
    as_user, agency, make_case
):
    """Nobody held elsewhere: no look-up is counted or written, and the searcher's own look-alikes
    add rows to the same seven statements."""
    ngozi = as_user(agency.ngozi)

    def more_of_them() -> None:
        for name in ("Maria Lopez", "Marya Lopes", "Lopez Maria", "Mario Lopez"):
            make_case(agency.outreach, agency.ngozi, name=name, legal_name=name)

    more_of_them()
    few, body = _search_statements(ngozi, "Maria Lopez")
    assert 'id="agency-card"' not in body
    assert len(few) == 7, "\n".join(few)
    for _ in range(4):
        more_of_them()
    many, _ = _search_statements(ngozi, "Maria Lopez")
    assert len(many) == len(few) and tables_read(many) == tables_read(few)

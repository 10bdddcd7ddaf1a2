"""The directory learns: what became of the agency's referrals to each service, on the referral
form and in the reports, from a known mix of histories."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tests.lifecycle import a_service, refer
from tests.test_reports import export
from webapp.extensions import db
from webapp.models import (
    Case,
    ConfirmationMethod,
    Provider,
    ReferralStatus,
    Role,
    Service,
    User,
)
from webapp.queries.referral_outcomes import Outcomes, in_ten, outcomes_by_service
from webapp.services import referrals
from webapp.timeutil import local_today

S = ReferralStatus
LINE = "Accepts 8 in 10 · first appointment in 4 days · 6 in 10 attend (12 referrals)"


@dataclass(frozen=True)
class Histories:
    worker: User
    supervisor: User
    admin: User
    case: Case
    restricted_case: Case
    shelter: Service
    clinic: Service


def _sent_on() -> date:
    return local_today() - timedelta(days=60)


def _history(case: Case, service: Service, *steps: ReferralStatus | tuple[ReferralStatus, int]):
    """A referral sent at noon UTC 60 days ago, then each step in turn; (SCHEDULED, n) books an
    appointment n days after the day it was sent."""
    sent = _sent_on()
    referral = refer(
        case,
        service,
        created_by=None,
        today=local_today(),
        sent_at=datetime.combine(sent, time(12), tzinfo=UTC),
    )
    for step in steps:
        status, days = step if isinstance(step, tuple) else (step, None)
        referrals.change_status(
            referral,
            status,
            confirmed_by=None,
            method=ConfirmationMethod.PHONE,
            appointment=referrals.Appointment(sent + timedelta(days=days))
            if days is not None
            else None,
        )
    db.session.commit()
    return referral


@pytest.fixture
def histories(make_program, make_user, make_case) -> Histories:
    """Twelve referrals to the shelter, one of them from a restricted case of another program;
    four to the clinic, too few to say anything about."""
    program, elsewhere = make_program("Outreach"), make_program("Elsewhere")
    supervisor = make_user(Role.SUPERVISOR, [program], name="Sam Supervisor")
    worker = make_user(Role.OUTREACH_WORKER, [program], supervisor=supervisor)
    other_worker = make_user(Role.CASE_MANAGER, [elsewhere])
    case = make_case(program, worker, name="Tyrell")
    another = make_case(program, worker, name="Mina")
    restricted = make_case(elsewhere, other_worker, name="Zebediah", restricted=True)
    shelter = a_service()
    clinic = Service(name="Walk-in clinic", category="health", provider=Provider(name="Clinic"))
    db.session.add(clinic)
    db.session.commit()

    _history(case, shelter, (S.SCHEDULED, 2), S.CONNECTED, S.COMPLETED)  # accepted, attended
    _history(case, shelter, S.ACKNOWLEDGED, (S.SCHEDULED, 4), S.NO_SHOW)  # accepted, missed
    # Missed the first appointment, went to the second: attended; the first one's days count.
    _history(another, shelter, (S.SCHEDULED, 6), S.NO_SHOW, (S.SCHEDULED, 20), S.CONNECTED)
    _history(another, shelter, S.DECLINED)  # declined
    _history(case, shelter, S.ACKNOWLEDGED, S.DECLINED)  # accepted first: accepted
    _history(case, shelter)  # still waiting: not decided
    _history(another, shelter, S.CANCELLED)  # withdrawn before an answer: not decided
    # Booked again after a no-show, the new appointment still to come: outcome not known yet.
    _history(case, shelter, (S.SCHEDULED, 3), S.NO_SHOW, (S.SCHEDULED, 10))
    _history(another, shelter, S.CONNECTED)  # walked in without an appointment: accepted
    _history(case, shelter, S.DECLINED)  # declined
    _history(another, shelter, (S.SCHEDULED, 1), S.CONNECTED)  # accepted, attended
    # The restricted case's: missed, then cancelled.
    _history(restricted, shelter, (S.SCHEDULED, 5), S.NO_SHOW, S.CANCELLED)

    for steps in ([S.DECLINED], [S.DECLINED], [S.DECLINED], [(S.SCHEDULED, 1), S.CONNECTED]):
        _history(case, clinic, *steps)
    return Histories(
        worker=worker,
        supervisor=supervisor,
        admin=make_user(Role.ADMIN),
        case=case,
        restricted_case=restricted,
        shelter=shelter,
        clinic=clinic,
    )


def test_figures_for_a_known_mix_of_histories(histories):
    shelter = outcomes_by_service()[histories.shelter.id]
    assert (shelter.referrals, shelter.accepted, shelter.declined) == (12, 8, 2)
    assert shelter.accepted_share == 0.8 and shelter.accepts_in_ten == 8
    # First appointments 1, 2, 3, 4, 5 and 6 days after sending (the rebooked ones by their first).
    assert shelter.days_to_appointment == Counter({1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1})
    assert shelter.median_days == 3.5
    # Attended: three; missed: two (the no-show booked again is not known yet).
    assert (shelter.attended, shelter.missed) == (3, 2)
    assert shelter.attended_share == 0.6 and shelter.attends_in_ten == 6


def test_below_five_a_figure_is_not_given(histories):
    clinic = outcomes_by_service()[histories.clinic.id]
    assert (clinic.referrals, clinic.decided, clinic.appointments, clinic.outcome_known) == (
        4,
        4,
        1,
        1,
    )
    assert clinic.accepted_share is None and clinic.median_days is None
    assert clinic.attended_share is None and not clinic.says_anything
    assert outcomes_by_service(service_ids=[histories.clinic.id]).keys() == {histories.clinic.id}


def test_the_days_are_counted_where_the_organisation_is(app, make_program, make_user, make_case):
    """Sent at 02:00 UTC, booked for the next day: one day in London and in Auckland (already
    the afternoon there), two in New York (where it was still the evening before)."""
    program = make_program()
    worker = make_user(Role.OUTREACH_WORKER, [program])
    case = make_case(program, worker)
    service = a_service()
    sent = local_today() - timedelta(days=30)
    referral = refer(
        case,
        service,
        created_by=None,
        today=local_today(),
        sent_at=datetime.combine(sent, time(2), tzinfo=UTC),
    )
    referrals.change_status(
        referral,
        S.SCHEDULED,
        confirmed_by=None,
        method=ConfirmationMethod.PHONE,
        appointment=referrals.Appointment(sent + timedelta(days=1)),
    )
    db.session.commit()
    for zone, days in (("Europe/London", 1), ("America/New_York", 2), ("Pacific/Auckland", 1)):
        found = outcomes_by_service(zone=zone)[service.id]
        assert found.days_to_appointment == Counter({days: 1}), zone


def test_two_queries_for_any_number_of_services(histories, count_queries):
    ids = [histories.shelter.id, histories.clinic.id]
    db.session.execute(sa.select(1))  # the transaction begun before counting
    with count_queries() as queries:
        found = outcomes_by_service(service_ids=ids)
    assert queries() == 2 and len(found) == 2


def test_shares_in_ten_and_medians():
    assert [in_ten(x) for x in (None, 0, 0.01, 0.5, 0.77, 0.96, 1)] == [None, 0, 1, 5, 8, 9, 10]
    odd = Outcomes(days_to_appointment=Counter({0: 2, 7: 3}))
    assert odd.median_days == 7
    merged = Outcomes.summed([odd, Outcomes(days_to_appointment=Counter({0: 1}))])
    assert merged.median_days == 3.5 and merged.appointments == 6


def _record(html: str) -> list[str]:
    """The lines under the service field: "name · provider | figures"."""
    items = re.findall(
        r'service-record__name">([^<]*)</span>\s*<span class="service-record__figures">([^<]*)<',
        html,
    )
    return [f"{name} | {' '.join(figures.split())}" for name, figures in items]


def test_the_referral_form_shows_each_listed_services_record(histories, as_user):
    html = (
        as_user(histories.worker)
        .get(f"/cases/{histories.case.id}/referrals/new")
        .get_data(as_text=True)
    )
    assert _record(html) == [
        "Walk-in clinic · Clinic | Too few referrals to say",
        f"Emergency shelter bed · Harbor Light Shelter | {LINE}",
    ]
    # The restricted case counts in the figures, and nothing else of it is on the page.
    assert "Zebediah" not in html and f"/cases/{histories.restricted_case.id}" not in html
    assert "(4 referrals)" not in html


def test_a_search_narrows_the_record_too_and_htmx_gets_it_with_the_field(histories, as_user):
    response = as_user(histories.worker).get(
        f"/cases/{histories.case.id}/referrals/new",
        query_string={"find": "shelter"},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert "<html" not in html and html.strip().startswith('<div id="service-choice"')
    assert _record(html) == [f"Emergency shelter bed · Harbor Light Shelter | {LINE}"]


def test_a_long_list_asks_for_a_search_before_comparing(histories, as_user):
    provider = Provider(name="Many Services")
    db.session.add_all(
        Service(name=f"Service {n}", category="food", provider=provider) for n in range(12)
    )
    db.session.commit()
    page = as_user(histories.worker).get(f"/cases/{histories.case.id}/referrals/new")
    html = page.get_data(as_text=True)
    assert _record(html) == [] and "Search for a few services to compare" in html
    narrowed = as_user(histories.worker).get(
        f"/cases/{histories.case.id}/referrals/new", query_string={"find": "emergency"}
    )
    assert len(_record(narrowed.get_data(as_text=True))) == 1


def test_the_record_is_said_in_spanish(histories, as_user):
    histories.worker.language = "es"
    db.session.commit()
    html = (
        as_user(histories.worker)
        .get(f"/cases/{histories.case.id}/referrals/new")
        .get_data(as_text=True)
    )
    assert _record(html) == [
        "Walk-in clinic · Clinic | Demasiado pocas derivaciones para decirlo",
        "Emergency shelter bed · Harbor Light Shelter | Acepta 8 de cada 10 · primera cita en "
        "4 días · acuden 6 de cada 10 (12 derivaciones)",
    ]
    assert "Qué fue de las derivaciones de la agencia" in html


def _since() -> dict[str, str]:
    return {
        "since": (local_today() - timedelta(days=90)).isoformat(),
        "until": local_today().isoformat(),
    }


def test_the_report_gives_the_same_figures_for_what_its_reader_may_open(histories, as_user):
    rows = export(as_user(histories.admin), "providers", **_since())
    assert rows[0] == [
        "Service",
        "Referrals",
        "Decided by the provider",
        "Accepted %",
        "With a first appointment",
        "Median days to a first appointment",
        "Appointment outcome known",
        "Attended %",
    ]
    too_few = "too few referrals to say"
    shelter = "Harbor Light Shelter · Emergency shelter bed"
    assert rows[1:] == [
        ["All providers", "16", "14", "64.3", "7", "3.0", "6", "66.7"],
        [shelter, "12", "10", "80.0", "6", "3.5", "5", "60.0"],
        ["Clinic · Walk-in clinic", "4", "4", too_few, "1", too_few, "1", too_few],
    ]
    # The supervisor of the first program may not open the restricted case: it is not counted.
    rows = export(as_user(histories.supervisor), "providers", **_since())
    assert rows[2] == [
        "Harbor Light Shelter · Emergency shelter bed",
        "11",
        "9",
        "77.8",
        "5",
        "3.0",
        "4",
        too_few,
    ]


def test_the_report_keeps_to_its_dates(histories, as_user):
    """Referrals sent before the range are not counted, as in the funnel."""
    after = (local_today() - timedelta(days=59)).isoformat()
    until = local_today().isoformat()
    assert export(as_user(histories.admin), "providers", since=after, until=until)[1:] == []


def test_the_report_page_shows_the_table_and_its_chart_in_spanish(histories, as_user):
    histories.admin.language = "es"
    db.session.commit()
    html = as_user(histories.admin).get("/reports", query_string=_since()).get_data(as_text=True)
    section = html[html.index('id="providers"') :]
    section = section[: section.index("</section>")]
    assert "Lo que los proveedores hicieron con nuestras derivaciones" in section
    assert "demasiado pocas derivaciones para decirlo" in section
    assert "Harbor Light Shelter · Emergency shelter bed" in section and "80%" in section


def test_workers_do_not_see_the_report(histories, as_user):
    assert as_user(histories.worker).get("/reports/providers.csv").status_code == 403

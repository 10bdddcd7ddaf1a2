"""Reports on a hand-built data set whose every figure is worked out below, scoping, exports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Assessment,
    AssessmentKind,
    AssessmentScore,
    AuditAction,
    AuditEvent,
    Case,
    CaseModel,
    ContactLog,
    ContactType,
    Goal,
    GoalStatus,
    LifeDomain,
    Provider,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Role,
    Service,
    ServicePlan,
)
from webapp.models import ConfirmationMethod as Method
from webapp.routes import reports as reports_routes
from webapp.services import cases, clients
from webapp.text import safe_cell

RANGE = {"since": "2025-01-01", "until": "2025-12-31"}


def at(day: str) -> datetime:
    """Noon UTC: the same calendar day in any organisation time zone within ±11 hours."""
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


@dataclass
class World:
    supervisor: object
    other_supervisor: object
    admin: object
    worker_a: object
    worker_b: object
    outreach: object
    case_manager: object
    outreach_program: object
    intensive_program: object
    other_program: object
    returning_client: object


def _case(
    client, program, worker, opened: str, closed: str | None = None, reason: str | None = None
) -> Case:
    case = cases.open_case(
        client, program, created_by=worker, primary_worker=worker, opened_at=at(opened)
    )
    if closed:
        case.closed_at, case.closure_reason = at(closed), reason
    db.session.flush()
    return case


def _client(name: str):
    return clients.create_client(
        clients.ClientDetails(preferred_name=name, legal_name=f"{name} Legal"), created_by=None
    )


def _assess(case: Case, kind: AssessmentKind, on: str, **scores: int) -> None:
    assessment = Assessment(case_id=case.id, kind=kind, assessed_on=date.fromisoformat(on))
    db.session.add(assessment)
    db.session.flush()
    for domain, score in scores.items():
        db.session.add(
            AssessmentScore(
                assessment_id=assessment.id,
                domain=LifeDomain(domain),
                score=score,
                narrative=f"Secret narrative about {domain}",
            )
        )


def _goals(case: Case, *statuses: GoalStatus) -> None:
    plan = ServicePlan(case_id=case.id)
    db.session.add(plan)
    db.session.flush()
    for status in statuses:
        db.session.add(
            Goal(
                plan_id=plan.id,
                domain=LifeDomain.HOUSING,
                statement="A goal",
                measure="Measured",
                target_on=date(2025, 12, 1),
                status=status,
            )
        )


def _contact(case: Case, on: str) -> None:
    db.session.add(
        ContactLog(
            case_id=case.id,
            occurred_at=at(on),
            contact_type=ContactType.STREET_OUTREACH,
            note="Private note about the visit",
        )
    )
    case.last_contact_at = max(case.last_contact_at or at(on), at(on))


def _referral(case: Case, service: Service, sent: str, *steps: tuple[ReferralStatus, str]) -> None:
    referral = Referral(
        case_id=case.id,
        service_id=service.id,
        follow_up_on=date(2025, 12, 1),
        created_at=at(sent),
        status=steps[-1][0] if steps else ReferralStatus.SENT,
    )
    db.session.add(referral)
    db.session.flush()
    db.session.add(
        ReferralStatusChange(
            referral_id=referral.id,
            status=ReferralStatus.SENT,
            occurred_at=at(sent),
            method=Method.SYSTEM,
        )
    )
    for status, on in steps:
        db.session.add(
            ReferralStatusChange(
                referral_id=referral.id, status=status, occurred_at=at(on), method=Method.PHONE
            )
        )


@pytest.fixture
def world(make_program, make_user) -> World:
    outreach_program = make_program("Outreach", CaseModel.GENERALIST, caseload_cap=1)
    intensive_program = make_program("Intensive team", CaseModel.INTENSIVE)
    other_program = make_program("Elsewhere", CaseModel.GENERALIST)
    supervisor = make_user(
        Role.SUPERVISOR, [outreach_program, intensive_program], name="Sam Supervisor"
    )
    worker_a = make_user(
        Role.CASE_MANAGER, [outreach_program], supervisor=supervisor, name="Ana Worker"
    )
    worker_b = make_user(
        Role.CASE_MANAGER, [outreach_program, intensive_program], name="Ben Worker"
    )
    other_worker = make_user(Role.CASE_MANAGER, [other_program], name="Cy Worker")
    alpha = Service(
        name="Housing search", category="housing", provider=Provider(name="Alpha Housing")
    )
    beta = Service(name="Advice", category="legal", provider=Provider(name="Beta Legal"))
    db.session.add_all([alpha, beta])

    returning = _client("Rosa Returning")
    c1 = _case(returning, outreach_program, worker_a, "2025-01-10", "2025-03-01", "goals_met")
    _assess(c1, AssessmentKind.BASELINE, "2025-01-15", housing=1, income=2)
    _assess(c1, AssessmentKind.CLOSURE, "2025-02-25", housing=4, income=2)
    _goals(c1, GoalStatus.MET, GoalStatus.PARTLY_MET)
    _referral(
        c1,
        alpha,
        "2025-01-20",
        (ReferralStatus.CONNECTED, "2025-01-25"),
        (ReferralStatus.COMPLETED, "2025-02-04"),
    )
    _referral(c1, alpha, "2024-12-01", (ReferralStatus.CONNECTED, "2024-12-02"))  # before the range

    c2 = _case(_client("Omar Open"), outreach_program, worker_a, "2025-02-01")
    _assess(c2, AssessmentKind.BASELINE, "2025-02-05", housing=2, income=3)
    _assess(c2, AssessmentKind.REASSESSMENT, "2025-04-01", housing=3, income=1)
    _assess(c2, AssessmentKind.REASSESSMENT, "2025-06-01", housing=2)
    _goals(c2, GoalStatus.NOT_MET, GoalStatus.IN_PROGRESS)
    _contact(c2, "2025-12-20")
    _referral(c2, alpha, "2025-02-10", (ReferralStatus.CONNECTED, "2025-02-13"))
    _referral(c2, beta, "2025-03-01", (ReferralStatus.DECLINED, "2025-03-05"))

    c3 = _case(_client("Ines Intensive"), intensive_program, worker_b, "2025-03-01")
    _assess(c3, AssessmentKind.BASELINE, "2025-03-02", housing=1)
    _goals(c3, GoalStatus.NOT_STARTED)
    _contact(c3, "2025-12-01")
    _referral(c3, beta, "2025-04-01")

    _case(
        returning, outreach_program, worker_b, "2025-05-01"
    )  # back 61 days after c1 closed; never contacted
    _case(
        _client("Dee Disengaged"),
        outreach_program,
        worker_a,
        "2025-01-01",
        "2025-09-01",
        "disengaged",
    )
    c8 = _case(_client("Nora New"), outreach_program, worker_a, "2025-11-01")
    _contact(c8, "2025-12-30")
    _case(
        _client("Olga Old"), outreach_program, worker_a, "2023-01-01", "2023-06-01", "goals_met"
    )  # out of range

    c6 = _case(_client("Eli Elsewhere"), other_program, other_worker, "2025-01-01")
    _assess(c6, AssessmentKind.BASELINE, "2025-01-02", housing=1)
    _assess(c6, AssessmentKind.REASSESSMENT, "2025-05-02", housing=5)
    _referral(c6, beta, "2025-02-01", (ReferralStatus.CONNECTED, "2025-02-21"))
    db.session.commit()
    return World(
        supervisor=supervisor,
        other_supervisor=make_user(Role.SUPERVISOR, [other_program]),
        admin=make_user(Role.ADMIN),
        worker_a=worker_a,
        worker_b=worker_b,
        outreach=make_user(Role.OUTREACH_WORKER, [outreach_program]),
        case_manager=worker_a,
        outreach_program=outreach_program,
        intensive_program=intensive_program,
        other_program=other_program,
        returning_client=returning,
    )


def table(response, key: str) -> list[list[str]]:
    """A report's figures as its CSV export gives them (header row first)."""
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def export(client, key: str, **filters: str) -> list[list[str]]:
    return table(client.get(f"/reports/{key}.csv", query_string={**RANGE, **filters}), key)


def test_change_from_baseline_is_a_distribution_per_domain(world, as_user):
    rows = export(as_user(world.supervisor), "outcomes")
    assert rows[0] == [
        "Domain",
        "Cases",
        "Worse",
        "No change",
        "Up 1",
        "Up 2 or more",
        "Improved %",
        "Median change",
    ]
    # Housing: case 1 went 1 → 4 (+3); case 2 went 2 → 3 → 2 (latest 0). Case 3 has a baseline only.
    # Income: case 1 stayed at 2 (0); case 2 went 3 → 1 (−2); case 2's last reassessment left income
    # out.
    assert rows[1:] == [
        ["Housing", "2", "0", "1", "0", "1", "50.0", "1.5"],
        ["Income", "2", "1", "1", "0", "0", "0.0", "-1.0"],
    ]
    # The admin also sees the other program's case (1 → 5).
    admin_rows = export(as_user(world.admin), "outcomes")
    assert admin_rows[1] == ["Housing", "3", "0", "1", "0", "2", "66.7", "3"]
    # Closed cases only: case 1.
    closed = export(as_user(world.supervisor), "outcomes", status="closed")
    assert closed[1:] == [
        ["Housing", "1", "0", "0", "0", "1", "100.0", "3"],
        ["Income", "1", "0", "1", "0", "0", "0.0", "0"],
    ]


def test_goals_by_outcome(world, as_user):
    rows = export(as_user(world.supervisor), "goals")
    assert rows[1:] == [
        ["Met", "1", "33.3"],
        ["Partly met", "1", "33.3"],
        ["Not met", "1", "33.3"],
        ["Dropped", "0", "0.0"],
        ["In progress", "1", ""],
        ["Not started", "1", ""],
    ]


def test_referral_funnel_by_provider(world, as_user):
    rows = export(as_user(world.supervisor), "referrals")
    # In range: alpha 20 Jan (connected after 5 days, completed 10 days later), alpha 10 Feb
    # (connected after 3 days, still open), beta 1 Mar (declined), beta 1 Apr (sent, open). The
    # December 2024 referral is outside the range; the other program's is out of scope.
    assert rows[1:] == [
        ["All providers", "4", "2", "50.0", "1", "25.0", "4.0", "10.0", "2", "1"],
        ["Alpha Housing", "2", "2", "100.0", "1", "50.0", "4.0", "10.0", "1", "0"],
        ["Beta Legal", "2", "0", "0.0", "0", "0.0", "", "", "1", "1"],
    ]


def test_contact_compliance_against_each_models_standard(world, as_user):
    rows = export(as_user(world.supervisor), "contact")
    # On 31 Dec 2025: case 3 (intensive, 7 days) last seen 1 Dec: overdue. Generalist (30 days):
    # case 2 seen 20 Dec and case 8 seen 30 Dec are within; the returning client's case, never seen
    # since opening in May, is overdue.
    assert rows[1:] == [
        ["Intensive case management", "7", "1", "0", "1", "0.0"],
        ["Generalist", "30", "3", "2", "1", "66.7"],
    ]
    assert export(as_user(world.supervisor), "contact", worker=str(world.worker_a.id))[1:] == [
        ["Generalist", "30", "2", "2", "0", "100.0"]
    ]
    assert export(as_user(world.supervisor), "contact", model="intensive")[1:] == [
        ["Intensive case management", "7", "1", "0", "1", "0.0"]
    ]


def test_caseloads_against_caps(world, as_user):
    rows = export(as_user(world.supervisor), "caseloads")
    # The most loaded first.
    assert rows[1:] == [
        ["Ana Worker", "Outreach", "2", "1", "200.0", "yes"],
        ["Ben Worker", "Outreach", "1", "1", "100.0", "no"],
        ["Ben Worker", "Intensive team", "1", "12", "8.3", "no"],
    ]


def test_durations_and_returns_after_closure(world, as_user):
    supervisor = as_user(world.supervisor)
    rows = export(supervisor, "durations")
    # Closed in 2025: case 1 after 50 days, the disengaged case after 243; the 2023 closure is
    # outside.
    assert rows[1:] == [
        ["Under 1 month", "0", "0.0"],
        ["1 to 3 months", "1", "50.0"],
        ["3 to 6 months", "0", "0.0"],
        ["6 to 12 months", "1", "50.0"],
        ["A year or more", "0", "0.0"],
    ]
    page = supervisor.get("/reports", query_string=RANGE).get_data(as_text=True)
    assert (
        "Cases closed in the date range: 2; days open: lower quartile 50, median 50, upper "
        "quartile 243." in page
    )
    returns = export(supervisor, "reentry")
    assert returns[1:] == [
        ["All closures", "2", "1", "50.0", "1", "61.0"],
        ["Goals met", "1", "1", "100.0", "1", "61.0"],
        ["Client disengaged", "1", "0", "0.0", "0", ""],
    ]


def test_the_page_draws_each_chart_beside_its_table(world, as_user):
    response = as_user(world.supervisor).get("/reports", query_string=RANGE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for key in ("outcomes", "goals", "referrals", "contact", "caseloads", "durations", "reentry"):
        section = html[html.index(f'id="{key}"') :]
        section = section[: section.index("</section>")]
        assert '<svg class="bar-chart"' in section and 'role="img"' in section
        assert '<table class="report-table">' in section
        assert f'href="/reports/{key}.csv?' in section
    assert "<script" not in html[html.index("<main") : html.index("</main>")]
    # Nothing names a client.
    for name in ("Rosa", "Omar", "Ines", "Eli Elsewhere"):
        assert name not in html


def test_supervisors_report_on_their_own_programs_only(world, as_user):
    other = as_user(world.other_supervisor)
    assert export(other, "outcomes")[1:] == [["Housing", "1", "0", "0", "0", "1", "100.0", "4"]]
    assert export(other, "referrals")[1][:3] == ["All providers", "1", "1"]
    # Asking for a program that is not theirs is refused beside the field, not answered.
    response = other.get(
        "/reports", query_string={**RANGE, "program": str(world.outreach_program.id)}
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert (
        other.get(
            "/reports/outcomes.csv",
            query_string={**RANGE, "program": str(world.outreach_program.id)},
        ).status_code
        == 422
    )
    # One program of their own narrows the figures.
    narrowed = export(as_user(world.supervisor), "contact", program=str(world.intensive_program.id))
    assert narrowed[1:] == [["Intensive case management", "7", "1", "0", "1", "0.0"]]


@pytest.mark.parametrize("role", ["outreach", "case_manager"])
def test_workers_may_not_see_reports(world, as_user, role):
    client = as_user(getattr(world, role))
    for path in ("/reports", "/reports/outcomes.csv", "/reports/extract.csv"):
        assert client.get(path).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(world, client):
    for path in ("/reports", "/reports/extract.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "filters, field, message",
    [
        (
            {"since": "2025-06-01", "until": "2025-01-01"},
            "until",
            "The end date is before the start date.",
        ),
        ({"since": "2025-13-45"}, "since", "Not a valid date value."),
        ({"worker": "999999"}, "worker", "Not a valid choice."),
        ({"model": "<script>"}, "model", "Not a valid choice."),
        ({"status": "deleted"}, "status", "Not a valid choice."),
        ({"since": "1900-01-01", "until": "2025-01-01"}, "until", "Choose at most twenty years."),
        # No end date: it is today, and a start after today cannot come before it.
        ({"since": "2099-01-01"}, "since", "The start date is after the end date."),
    ],
)
def test_bad_filters_are_refused_beside_their_field(world, as_user, filters, field, message):
    supervisor = as_user(world.supervisor)
    response = supervisor.get(
        "/reports", query_string={**filters, "program": str(world.outreach_program.id)}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    # What was chosen elsewhere is kept.
    assert f'<option selected value="{world.outreach_program.id}">' in html
    assert supervisor.get("/reports/goals.csv", query_string=filters).status_code == 422


def test_unknown_report_is_not_found(world, as_user):
    assert as_user(world.supervisor).get("/reports/nothing.csv").status_code == 404


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(world, as_user):
    db.session.get(
        Provider, db.session.scalar(sa.select(Provider.id).where(Provider.name == "Beta Legal"))
    ).name = '=HYPERLINK("http://evil.example","Click")'
    db.session.commit()
    rows = export(as_user(world.supervisor), "referrals")
    assert rows[2][0] == '\'=HYPERLINK("http://evil.example","Click")'
    assert [
        safe_cell(value) for value in ("+1", "-2", "@SUM(A1)", "\tx", "ok", -1, 2.5, None, True)
    ] == ["'+1", "'-2", "'@SUM(A1)", "'\tx", "ok", -1, 2.5, "", "yes"]


def test_the_case_extract_is_de_identified(world, as_user):
    supervisor = as_user(world.supervisor)
    first, second = export(supervisor, "extract"), export(supervisor, "extract")
    header, rows = first[0], first[1:]
    # The supervisor's programs' cases open at some time in 2025 (not 2023's, not the other
    # program's).
    assert len(rows) == 6
    forbidden = {
        "Rosa",
        "Omar",
        "Legal",
        "Secret narrative",
        "Private note",
        "Ana Worker",
        "Ben Worker",
    }
    persistent_ids = set(
        db.session.scalars(sa.select(sa.text("persistent_id")).select_from(sa.table("clients")))
    )
    text = "\n".join(",".join(row) for row in first)
    for word in forbidden | persistent_ids:
        assert word not in text
    assert not any(name in header for name in ("name", "birth", "note", "phone", "worker"))
    refs = [row[header.index("client_ref")] for row in rows]
    # The returning client's two cases share a reference; everyone else's differ.
    assert len(set(refs)) == 5
    # Another export uses another key: its references cannot be joined to the first's.
    assert not set(refs) & {row[header.index("client_ref")] for row in second[1:]}
    closed = [row for row in rows if row[header.index("closure_reason")] == "goals_met"][0]
    assert (
        closed[header.index("opened_month")] == "2025-01"
        and closed[header.index("closed_month")] == "2025-03"
    )
    assert closed[header.index("days_open")] == "50"
    assert (
        closed[header.index("housing_baseline")] == "1"
        and closed[header.index("housing_latest")] == "4"
    )
    assert (
        closed[header.index("referrals_sent")] == "2"
        and closed[header.index("referrals_connected")] == "2"
    )
    assert (
        closed[header.index("referrals_completed")] == "1"
        and closed[header.index("goals_met")] == "1"
    )


def test_every_export_is_audited(world, as_user):
    supervisor = as_user(world.supervisor)
    export(supervisor, "extract")
    export(supervisor, "goals")
    events = db.session.execute(
        sa.select(AuditEvent.record_type, AuditEvent.record_id, AuditEvent.user_id)
        .where(AuditEvent.action == AuditAction.EXPORT)
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(event) for event in events] == [
        ("case_extract", None, world.supervisor.id),
        ("report", "goals", world.supervisor.id),
    ]


def test_a_large_extract_streams_in_pieces(world, as_user, app):
    for number in range(450):
        _case(_client(f"Bulk {number}"), world.outreach_program, world.worker_a, "2025-06-01")
    db.session.commit()
    response = as_user(world.supervisor).get("/reports/extract.csv", query_string=RANGE)
    # Streamed: no length known up front, and the rows are all there at the end.
    assert "Content-Length" not in response.headers
    assert response.get_data(as_text=True).count("\r\n") == 1 + 6 + 450
    with app.test_request_context():
        from webapp.web.csv_export import csv_response

        streamed = csv_response("x.csv", ["n"], ([number] for number in range(1000)))
        assert streamed.is_streamed
        assert len(list(streamed.response)) > 2


def test_a_long_table_shows_its_top_rows_and_the_csv_has_them_all(world, as_user, make_user):
    for number in range(60):
        worker = make_user(
            Role.CASE_MANAGER, [world.outreach_program], name=f"Extra Worker {number:02}"
        )
        _case(_client(f"Extra {number}"), world.outreach_program, worker, "2025-06-01")
    db.session.commit()
    supervisor = as_user(world.supervisor)
    html = supervisor.get("/reports", query_string=RANGE).get_data(as_text=True)
    section = html[html.index('id="caseloads"') :]
    section = section[: section.index("</section>")]
    assert section.count("<tr>") == 1 + 50
    assert "The first 50 of 63 rows; the CSV has them all." in section
    assert "(the first 20)" in section and section.count('<rect x="0" y="') == 2 * 20
    assert len(export(supervisor, "caseloads")) == 1 + 63


@pytest.mark.parametrize("days_back", [0, 3])
def test_contact_compliance_judges_the_edge_of_each_standard_by_the_local_day(
    app, make_program, make_user, make_case, days_back
):
    """Counted in the database (issue 22): the last contact on the first local day of the
    standard is within it, a minute before that local midnight is not; a case in another model
    than its program's is judged by its own model's standard; a case never contacted by its
    opening. Judged today (from the kept last contact) and on a day in the past."""
    from datetime import time, timedelta

    from webapp.models import MODEL_DEFAULTS, CaseModel, ContactType
    from webapp.reports.practice import contact_compliance
    from webapp.reports.scope import Scope
    from webapp.services import case_changes
    from webapp.timeutil import local_today, local_zone

    program = make_program("Edges", model=CaseModel.GENERALIST, contact_standard_days=10)
    worker = make_user(programs=[program])
    day = local_today() - timedelta(days=days_back)
    intensive_days = MODEL_DEFAULTS[CaseModel.INTENSIVE].contact_standard_days

    def local(on, hour, minute):
        return datetime.combine(on, time(hour, minute), tzinfo=local_zone())

    def case_seen_at(when, model=None):
        case = make_case(program, worker)
        case.opened_at = local(day - timedelta(days=60), 9, 0).astimezone(UTC)
        if model is not None:
            case_changes.change_model(case, model, reason="Needs more", user=worker)
        if when is not None:
            cases.log_contact(
                case,
                recorded_by=worker,
                occurred_at=when.astimezone(UTC),
                contact_type=ContactType.PHONE,
                note="Seen.",
            )
        db.session.commit()
        return case

    case_seen_at(local(day - timedelta(days=10), 0, 5))  # within: the standard's first day
    case_seen_at(local(day - timedelta(days=11), 23, 55))  # overdue by five minutes
    case_seen_at(local(day - timedelta(days=intensive_days + 1), 12, 0), CaseModel.INTENSIVE)
    case_seen_at(local(day - timedelta(days=intensive_days), 12, 0), CaseModel.INTENSIVE)
    case_seen_at(None)  # never seen since it opened 60 days before: overdue
    if days_back:
        # Seen after the day judged: on that day it was last seen... never, so overdue.
        case_seen_at(local(day + timedelta(days=1), 12, 0))
    scope = Scope(viewer=worker, program_ids=(program.id,), since=day, until=day)
    table = contact_compliance(scope)
    figures = [[str(cell) for cell in row[1:]] for row in table.rows]
    generalist_cases = 4 if days_back else 3
    assert figures == [
        [str(intensive_days), "2", "1", "1", "50.0"],
        [
            "10",
            str(generalist_cases),
            "1",
            str(generalist_cases - 1),
            str(round(100 / generalist_cases, 1)),
        ],
    ]


def test_the_worker_picker_lists_a_programs_workers_when_the_agency_has_many(
    world, as_user, make_user, monkeypatch
):
    """With every program chosen an admin's picker would list the whole agency: past a hundred
    workers it lists none and says to choose a program; a chosen program lists its own. A
    worker already chosen stays chosen, and any worker of the viewer's programs is valid."""
    monkeypatch.setattr(reports_routes, "WORKER_PICKER_MOST", 2)
    admin = as_user(world.admin)
    every = admin.get("/reports").get_data(as_text=True)
    assert "Choose a program first to pick one of its workers." in every
    assert world.worker_a.display_name not in every.split('id="worker"')[1].split("</select>")[0]
    one = admin.get("/reports", query_string={"program": str(world.intensive_program.id)})
    picker = one.get_data(as_text=True).split('id="worker"')[1].split("</select>")[0]
    assert world.worker_b.display_name in picker
    assert world.worker_a.display_name not in picker
    chosen = admin.get("/reports", query_string={"worker": str(world.worker_a.id)})
    assert chosen.status_code == 200
    picker = chosen.get_data(as_text=True).split('id="worker"')[1].split("</select>")[0]
    assert f'<option selected value="{world.worker_a.id}">' in picker
    for bad in ("999999", "9" * 40, "x"):
        assert admin.get("/reports", query_string={"worker": bad}).status_code == 422

"""Households in the reports (issue 19): the de-identified extract counts who lives with each
client (counts only), and the referral and outcome reports can be narrowed to households with
children."""

from datetime import date

import sqlalchemy as sa

from tests.test_reports import RANGE, export, world  # noqa: F401  (fixture)
from webapp.extensions import db
from webapp.models import Case, Client, HouseholdMember, RelationshipKind
from webapp.services import network


def _household(by, client: Client, *people: tuple[str, RelationshipKind, int | None], left=None):
    household = network.create_household(client, name=f"{client.preferred_name}'s", created_by=by)
    for name, relationship, birth_year in people:
        household.members.append(
            HouseholdMember(name=name, relationship=relationship, birth_year=birth_year)
        )
    if left:
        household.members[0].left_on = left
    db.session.flush()


def _client(name: str) -> Client:
    return db.session.scalar(sa.select(Client).where(Client.preferred_name == name))


def with_households(world) -> None:  # noqa: F811
    by = world.worker_a
    # Omar lives with his partner and a child of six.
    _household(
        by,
        _client("Omar Open"),
        ("Lena", RelationshipKind.PARTNER, 1990),
        ("Sami", RelationshipKind.CHILD, 2019),
    )
    # Rosa's "child" is grown up: no child lives there.
    _household(by, _client("Rosa Returning"), ("Carl", RelationshipKind.CHILD, 1990))
    # Ines's daughter, age not given, counts as a child.
    _household(by, _client("Ines Intensive"), ("Mia", RelationshipKind.CHILD, None))
    # Dee moved out of a household with a child.
    _household(
        by, _client("Dee Disengaged"), ("Kit", RelationshipKind.CHILD, 2020), left=date(2025, 3, 1)
    )
    db.session.commit()


def test_the_extract_counts_who_lives_with_each_client_and_names_nobody(world, as_user):  # noqa: F811
    with_households(world)
    rows = export(as_user(world.supervisor), "extract")
    header = rows[0]
    size, children = header.index("household_size"), header.index("household_children")
    by_case_count = sorted((row[size], row[children]) for row in rows[1:])
    # Rosa's two cases (2, 0 each), Omar (3, 1), Ines (2, 1); Dee moved out and Nora has none.
    assert by_case_count == [("", ""), ("", ""), ("2", "0"), ("2", "0"), ("2", "1"), ("3", "1")]
    text = "\n".join(",".join(row) for row in rows)
    for name in ("Lena", "Sami", "Carl", "Mia", "Kit", "Omar", "Rosa"):
        assert name not in text


def test_referrals_and_outcomes_narrow_to_households_with_children(world, as_user):  # noqa: F811
    with_households(world)
    supervisor = as_user(world.supervisor)
    referrals = export(supervisor, "referrals", households="with_children")
    # Omar's two referrals (Alpha connected, Beta declined) and Ines's one to Beta, still open.
    assert referrals[1][:2] == ["All providers", "3"]
    assert {row[0]: row[1] for row in referrals[2:]} == {"Alpha Housing": "1", "Beta Legal": "2"}
    outcomes = export(supervisor, "outcomes", households="with_children")
    # Only Omar's case has a baseline and a later assessment: housing 2 → 2, income 3 → 1.
    assert [row[:3] for row in outcomes[1:]] == [["Housing", "1", "0"], ["Income", "1", "1"]]
    # Without the filter, every case counts as before.
    assert export(supervisor, "referrals")[1][:2] == ["All providers", "4"]


def test_the_filter_is_offered_and_a_bad_value_refused(world, as_user):  # noqa: F811
    supervisor = as_user(world.supervisor)
    page = supervisor.get("/reports", query_string=RANGE).get_data(as_text=True)
    assert "Households with children" in page
    response = supervisor.get("/reports", query_string={**RANGE, "households": "pets"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) > 0

"""A self-intake asks who lives with the client, in their language, and accepting it turns the
answers into members of the client's household (issue 19)."""

from datetime import timedelta

import sqlalchemy as sa

from tests.test_self_intake import answers, link, org  # noqa: F401  (fixtures)
from webapp.extensions import db
from webapp.models import Client, Household, HouseholdMember, RelationshipKind, SelfIntakeSubmission
from webapp.timeutil import local_today

HOME = {
    "household-0-name": "Carlos",
    "household-0-relationship": "partner",
    "household-0-age_or_year": "44",
    "household-1-name": "Ana Sofía",
    "household-1-relationship": "child",
    "household-1-age_or_year": "9",
    "household-2-name": "",
    "household-2-relationship": "",
    "household-2-age_or_year": "",
}


def test_a_spanish_self_intake_with_household_answers_becomes_household_members(
    client,
    as_user,
    org,  # noqa: F811
    link,  # noqa: F811
):
    form = client.get(f"/i/{link.token}").get_data(as_text=True)
    # The question, in Spanish, and four empty rows to fill in.
    assert "Quién vive conmigo" in form and "Qué es para usted" in form
    assert 'name="household-3-name"' in form and 'name="household-4-name"' not in form

    response = client.post(f"/i/{link.token}", data=answers(lang="es", **HOME))
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    submission = db.session.scalar(sa.select(SelfIntakeSubmission))
    year = local_today().year
    assert submission.answers["household"] == [
        {"name": "Carlos", "relationship": "partner", "birth_year": year - 44},
        {"name": "Ana Sofía", "relationship": "child", "birth_year": year - 9},
    ]

    ana = as_user(org.ana)
    review = ana.get(f"/intake-queue/{submission.id}").get_data(as_text=True)
    assert "Carlos" in review and "Ana Sofía" in review and "Partner" in review
    response = ana.post(
        f"/intake-queue/{submission.id}/accept",
        data={
            "accept-client": "new",
            "accept-next_follow_up_on": (local_today() + timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 302
    rosa = db.session.scalar(sa.select(Client).where(Client.preferred_name == "Rosa"))
    household = db.session.scalar(sa.select(Household))
    assert household.name == "Rosa"
    members = {
        (member.client_id, member.name, member.relationship, member.birth_year, member.is_contact)
        for member in household.members
    }
    assert members == {
        (rosa.id, "", None, None, True),
        (None, "Carlos", RelationshipKind.PARTNER, year - 44, False),
        (None, "Ana Sofía", RelationshipKind.CHILD, year - 9, False),
    }
    # Only Rosa became a client.
    assert db.session.scalar(sa.select(sa.func.count(Client.id))) == 1
    page = ana.get(f"/clients/{rosa.display_id}").get_data(as_text=True)
    assert "Carlos" in page and "Ana Sofía" in page


def test_a_row_with_an_age_but_no_name_is_asked_about_in_spanish(client, link):  # noqa: F811
    bad = {**HOME, "household-2-age_or_year": "5"}
    response = client.post(f"/i/{link.token}", data=answers(lang="es", **bad))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="household-2-name-error"' in page and 'value="Carlos"' in page
    assert db.session.scalar(sa.select(sa.func.count(HouseholdMember.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SelfIntakeSubmission.id))) == 0


def test_more_rows_than_asked_for_are_refused(client, link):  # noqa: F811
    many = {f"household-{index}-name": f"P{index}" for index in range(5)}
    response = client.post(f"/i/{link.token}", data=answers(lang="es", **many))
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(SelfIntakeSubmission.id))) == 0

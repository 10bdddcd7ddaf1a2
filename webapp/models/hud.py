"""The HUD data elements a program may ask (issue 23): HUD's Universal Data Elements and the
street-outreach ones, kept per case as HUD's own codes so the HMIS CSV export writes them as
they are. The words a worker reads are here, in plain language, keyed by HUD's code; HUD's
"client doesn't know" (8), "client prefers not to answer" (9) and "data not collected" (99) are
answers like any other."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import N_, UTCDateTime, utcnow

if TYPE_CHECKING:
    from webapp.models.cases import Case

# HUD's reasons for missing data, the same codes in every list that has them.
DOES_NOT_KNOW, PREFERS_NOT_TO_ANSWER, NOT_COLLECTED = 8, 9, 99
MISSING_REASONS: dict[int, str] = {
    DOES_NOT_KNOW: N_("Client doesn't know"),
    PREFERS_NOT_TO_ANSWER: N_("Client prefers not to answer"),
    NOT_COLLECTED: N_("Not collected"),
}

# HMIS list 1.8 (No/Yes/Reasons for missing data): disabling condition, veteran status.
NO_YES: dict[int, str] = {0: N_("No"), 1: N_("Yes"), **MISSING_REASONS}

# HMIS list 4.21 (Sex, data element 4.21, FY2026).
SEX: dict[int, str] = {0: N_("Female"), 1: N_("Male"), **MISSING_REASONS}

# Data element 3.04 Race and ethnicity: one or more of these (each a Client.csv column), or a
# reason it is missing (list 1.6, Client.csv RaceNone).
RACES: dict[str, str] = {
    "AmIndAKNative": N_("American Indian, Alaska Native, or Indigenous"),
    "Asian": N_("Asian or Asian American"),
    "BlackAfAmerican": N_("Black, African American, or African"),
    "HispanicLatinao": N_("Hispanic or Latina/o"),
    "MidEastNAfrican": N_("Middle Eastern or North African"),
    "NativeHIPacific": N_("Native Hawaiian or Pacific Islander"),
    "White": N_("White"),
}

# HMIS list 3.15.1 (Relationship to head of household).
RELATIONSHIP_TO_HOH: dict[int, str] = {
    1: N_("They are the head of the household"),
    2: N_("Child of the head of the household"),
    3: N_("Spouse or partner of the head of the household"),
    4: N_("Other relative of the head of the household"),
    5: N_("Lives with the head of the household, not related"),
    NOT_COLLECTED: N_("Not collected"),
}

# Where someone stays, in plain words, by HUD's code: the union of lists 3.917 (prior living
# situation), 4.12 (current living situation) and 3.12 (destination).
LIVING_SITUATION_WORDS: dict[int, str] = {
    116: N_("Outside, in a vehicle, or another place not meant for living"),
    101: N_("Emergency shelter (or a hotel paid with a shelter voucher)"),
    118: N_("Safe Haven"),
    302: N_("Transitional housing for people experiencing homelessness"),
    332: N_("Host home (not a crisis placement)"),
    314: N_("Hotel or motel they pay for themselves"),
    335: N_("A family member's room, apartment or house"),
    336: N_("A friend's room, apartment or house"),
    312: N_("With family, for a while"),
    313: N_("With friends, for a while"),
    422: N_("With family, for good"),
    423: N_("With friends, for good"),
    410: N_("Their own rental, no ongoing subsidy"),
    435: N_("Their own rental, with an ongoing subsidy"),
    411: N_("A home they own, no ongoing subsidy"),
    421: N_("A home they own, with an ongoing subsidy"),
    206: N_("Hospital or other medical facility"),
    204: N_("Psychiatric hospital or facility"),
    205: N_("Substance use treatment or detox"),
    207: N_("Jail, prison or juvenile detention"),
    215: N_("Foster care home or group home"),
    225: N_("Long-term care or nursing home"),
    329: N_("Residential program or halfway house"),
    327: N_("Moved from one HOPWA project to HOPWA transitional housing"),
    426: N_("Moved from one HOPWA project to HOPWA permanent housing"),
    24: N_("Died"),
    30: N_("No exit interview done"),
    37: N_("Worker could not tell"),
    17: N_("Somewhere else"),
    **MISSING_REASONS,
}
_MISSING = (DOES_NOT_KNOW, PREFERS_NOT_TO_ANSWER, NOT_COLLECTED)
_HOUSED = (410, 435, 411, 421)
_INSTITUTIONS = (206, 204, 205, 207, 215, 225)
# List 3.917: where they stayed the night before they came to the program.
PRIOR_LIVING_CODES = (116, 101, 118, 302, 332, 314, 335, 336, *_HOUSED, *_INSTITUTIONS, 329)
PRIOR_LIVING_CODES += _MISSING
# List 4.12: where they stay now, asked at every street-outreach contact.
CURRENT_LIVING_CODES = (*PRIOR_LIVING_CODES[:-3], 17, 37, *_MISSING)
# List 3.12: where they went when the case closed.
DESTINATION_CODES = (
    116,
    101,
    118,
    302,
    332,
    314,
    312,
    313,
    422,
    423,
    *_HOUSED,
    *_INSTITUTIONS,
    329,
    327,
    426,
    24,
    30,
    17,
    *_MISSING,
)
PRIOR_LIVING_SITUATIONS = {code: LIVING_SITUATION_WORDS[code] for code in PRIOR_LIVING_CODES}
CURRENT_LIVING_SITUATIONS = {code: LIVING_SITUATION_WORDS[code] for code in CURRENT_LIVING_CODES}
DESTINATIONS = {code: LIVING_SITUATION_WORDS[code] for code in DESTINATION_CODES}


class HudAnswers(db.Model):
    """One case's answers to the HUD data elements, as HUD's codes (a null: not asked yet)."""

    __tablename__ = "hud_answers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), unique=True
    )
    # 3.917: where they stayed before; 4.12: where they stay at intake.
    prior_living_situation: so.Mapped[int | None]
    current_living_situation: so.Mapped[int | None]
    # 4.13: when the client and the worker first agreed to work together.
    date_of_engagement: so.Mapped[date | None]
    # 3.08, 3.07, 4.21 (lists 1.8, 1.8, 4.21).
    disabling_condition: so.Mapped[int | None]
    veteran_status: so.Mapped[int | None]
    sex: so.Mapped[int | None]
    # 3.04: the Client.csv race columns answered yes, comma-separated, or a reason (8, 9, 99).
    race: so.Mapped[str] = so.mapped_column(sa.String(200), default="", server_default="")
    # 3.15 (list 3.15.1).
    relationship_to_hoh: so.Mapped[int | None]
    # 3.12: where they went, asked at closure.
    exit_destination: so.Mapped[int | None]
    recorded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    recorded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    case: so.Mapped[Case] = so.relationship()

    @property
    def races(self) -> list[str]:
        return [part for part in self.race.split(",") if part in RACES]

    @property
    def race_missing_reason(self) -> int | None:
        return int(self.race) if self.race.isdigit() else None

"""A program's intake rules (eligibility questions and the priority they give) and what became of
each person screened against them: not eligible, waiting for a place, or taken into a case."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow

if TYPE_CHECKING:
    from webapp.models.accounts import User
    from webapp.models.cases import Case
    from webapp.models.clients import Client
    from webapp.models.programs import Program


class QuestionKind(LabelledEnum):
    YES_NO = "yes_no", N_("Yes or no")
    CHOICE = "choice", N_("One of several answers")


class WaitPriority(LabelledEnum):
    """A person's place on a waiting list: urgent before high before normal, then by date."""

    URGENT = "urgent", N_("Urgent")
    HIGH = "high", N_("High")
    NORMAL = "normal", N_("Normal")

    @property
    def rank(self) -> int:
        return list(WaitPriority).index(self)


class ScreeningOutcome(LabelledEnum):
    NOT_ELIGIBLE = "not_eligible", N_("Did not qualify")
    WAITING = "waiting", N_("On the waiting list")
    OPENED = "opened", N_("Case opened")
    LEFT = "left", N_("Taken off the list")


class LeftReason(LabelledEnum):
    """Why someone came off a waiting list without a case."""

    FOUND_HELP = "found_help", N_("Found help elsewhere")
    NO_LONGER_WANTS = "no_longer_wants", N_("No longer wants it")
    NOT_REACHED = "not_reached", N_("Could not be reached after trying")
    MOVED_AWAY = "moved_away", N_("Moved away")
    OTHER = "other", N_("Other")


# The answers a yes/no question takes, as stored.
YES_NO_ANSWERS = ("yes", "no")


class EligibilityQuestion(db.Model):
    """One question a program asks at intake, the answers with which a person qualifies, and the
    priority some answers give ("Sleeping outside?" yes → high)."""

    __tablename__ = "eligibility_questions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    program_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    position: so.Mapped[int] = so.mapped_column(default=0)
    text: so.Mapped[str] = so.mapped_column(sa.String(200))
    kind: so.Mapped[QuestionKind] = so.mapped_column(enum_column(QuestionKind))
    # The answers offered (a choice question; one a line); a yes/no question offers yes and no.
    choices: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The answers with which a person qualifies, one a line; empty: every answer qualifies (a
    # question asked only for its priority).
    qualifying: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The answers that give `priority`, one a line; empty: none.
    priority_answers: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    priority: so.Mapped[WaitPriority | None] = so.mapped_column(enum_column(WaitPriority))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    program: so.Mapped[Program] = so.relationship()

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def answers(self) -> list[str]:
        if self.kind == QuestionKind.YES_NO:
            return list(YES_NO_ANSWERS)
        return self.lines(self.choices)

    @property
    def qualifying_answers(self) -> list[str]:
        return self.lines(self.qualifying)

    @property
    def priority_answer_list(self) -> list[str]:
        return self.lines(self.priority_answers)

    @property
    def field_name(self) -> str:
        return f"q-{self.id}"


class IntakeScreening(db.Model):
    """One person screened for one program: their answers as asked, whether they qualified (and
    why not), their priority, and what followed. A person waiting is a screening `WAITING`, held
    by the worker who took the intake, until someone takes them off the list and opens the case.
    """

    __tablename__ = "intake_screenings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    program_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("programs.id", ondelete="RESTRICT"))
    client_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("clients.id", ondelete="RESTRICT"), index=True
    )
    # Each question's words and the answer given, as they were asked: [[question, answer], ...].
    answers: so.Mapped[list[Any]] = so.mapped_column(sa.JSON, default=list)
    qualified: so.Mapped[bool]
    # Why not, in the program's own words (the questions whose answers did not qualify).
    reasons: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    referred_to: so.Mapped[str] = so.mapped_column(sa.String(300), default="")
    priority: so.Mapped[WaitPriority] = so.mapped_column(
        enum_column(WaitPriority), default=WaitPriority.NORMAL
    )
    outcome: so.Mapped[ScreeningOutcome] = so.mapped_column(enum_column(ScreeningOutcome))
    # The intake as typed, kept while the person waits, for the case opened when they come off.
    intake: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    consent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("consents.id", ondelete="SET NULL")
    )
    waiting_since: so.Mapped[date | None]
    next_check_in_on: so.Mapped[date | None]
    holding_worker_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    case_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("cases.id", ondelete="SET NULL")
    )
    screened_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    screened_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    taken_off_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    taken_off_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Taken off without a case (`LEFT`): why, and what the worker wrote (required for "other").
    # Who and when are `taken_off_by_id` and `taken_off_at`, as for a case opened.
    left_reason: so.Mapped[LeftReason | None] = so.mapped_column(enum_column(LeftReason))
    left_note: so.Mapped[str] = so.mapped_column(sa.Text, default="")

    program: so.Mapped[Program] = so.relationship()
    client: so.Mapped[Client] = so.relationship()
    case: so.Mapped[Case | None] = so.relationship()
    holding_worker: so.Mapped[User | None] = so.relationship(foreign_keys=[holding_worker_id])
    screened_by: so.Mapped[User | None] = so.relationship(foreign_keys=[screened_by_id])
    taken_off_by: so.Mapped[User | None] = so.relationship(foreign_keys=[taken_off_by_id])
    offers: so.Mapped[list[WaitingOffer]] = so.relationship(
        back_populates="screening",
        order_by="WaitingOffer.offered_on.desc(), WaitingOffer.id.desc()",
        cascade="all, delete-orphan",
    )

    __table_args__ = (sa.Index("ix_intake_screenings_program_outcome", "program_id", "outcome"),)


class WaitingOffer(db.Model):
    """A resource offered to someone while they wait (a shelter, a food bank, another program)."""

    __tablename__ = "waiting_offers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    screening_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("intake_screenings.id", ondelete="CASCADE"), index=True
    )
    what: so.Mapped[str] = so.mapped_column(sa.String(300))
    offered_on: so.Mapped[date]
    offered_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    screening: so.Mapped[IntakeScreening] = so.relationship(back_populates="offers")
    offered_by: so.Mapped[User | None] = so.relationship()

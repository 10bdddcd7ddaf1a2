"""One person across the agency, on the read side.

"Known to the agency": a likely match the user may not open is described by where it is held
(the program with an open case, the worker holding it) and why it matched, never by the client's
own record. A client known only through restricted cases is never described, not even counted.

Internal referrals: what may travel with one (a snapshot of the case as the consent allows), who
may decide on it, and the lists each side reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import (
    WORKER_ROLES,
    Case,
    Consent,
    ConsentScope,
    IntakeScreening,
    InternalReferral,
    InternalReferralStatus,
    Program,
    ReferralRequest,
    ScreeningOutcome,
    User,
)
from webapp.names import words
from webapp.queries.assessments import latest_strengths, scores_in_order, strengths_of
from webapp.queries.case_state import load_state
from webapp.queries.duplicates import DuplicateCheck
from webapp.queries.visibility import can_view_case

# A card tells why a record matched in general words: "name sounds alike (jose ~ josé)" would
# spell the client's own name.
_DETAIL = re.compile(r"\s*\(.*\)$")


@dataclass(frozen=True)
class Holder:
    """An open case holding the person: where, and who to ask."""

    case_id: int
    program_id: int
    program: str
    worker: str | None


@dataclass(frozen=True)
class Waiting:
    """A place on a program's waiting list holding the person: where, and who to ask."""

    program: str
    worker: str | None


@dataclass(frozen=True)
class AgencyMatch:
    reasons: tuple[str, ...]
    holders: tuple[Holder, ...]
    # Programs where the person is known only through a closed case (or a screening that opened
    # none: they did not qualify, or were taken off a list).
    closed_in: tuple[str, ...] = ()
    # Waiting lists the person is on, with the worker who holds their place.
    waiting: tuple[Waiting, ...] = ()


@dataclass(frozen=True)
class AgencyCard:
    matches: list[AgencyMatch] = field(default_factory=list)
    # The user looked up too many people in the last hour: nothing is shown.
    refused: bool = False
    # The cases shown this user already asked about (and no referral answered yet), read with
    # them.
    asked: frozenset[int] = frozenset()

    @property
    def case_ids(self) -> list[int]:
        return [holder.case_id for match in self.matches for holder in match.holders]

    def holder(self, case_id: int) -> Holder | None:
        return next(
            (h for match in self.matches for h in match.holders if h.case_id == case_id), None
        )


def reads_as_full_name(query: str) -> bool:
    """A search that may look agency-wide: two or more words of letters, each of two letters or
    more, and no digits (never a prefix, a phone number or an ID)."""
    if any(character.isdigit() for character in query):
        return False
    typed = words(query)
    return len(typed) >= 2 and all(len(word) >= 2 for word in typed)


def known_to_agency(user: User, check: DuplicateCheck) -> AgencyCard:
    """The duplicate check's likely matches the user may not see, each told only by its open,
    unrestricted cases in other programs, the waiting lists they are on (and the programs of
    closed cases and of screenings that opened none), and why it matched."""
    hidden = {candidate.client.id: candidate for candidate in check.hidden}
    if not hidden:
        return AgencyCard()
    asked_already = (
        sa.exists()
        .where(
            ReferralRequest.case_id == Case.id,
            ReferralRequest.asked_by_id == user.id,
            ReferralRequest.internal_referral_id.is_(None),
        )
        .label("asked")
    )
    rows = db.session.execute(
        sa.select(Case, asked_already)
        .where(Case.client_id.in_(hidden), Case.restricted.is_(False))
        .options(so.joinedload(Case.program), so.joinedload(Case.primary_worker))
        .order_by(Case.opened_at.desc(), Case.id)
    ).all()
    cases = [case for case, _ in rows]
    asked = frozenset(case.id for case, was_asked in rows if was_asked)
    screenings = db.session.scalars(
        sa.select(IntakeScreening)
        .where(
            IntakeScreening.client_id.in_(hidden),
            IntakeScreening.outcome != ScreeningOutcome.OPENED,
        )
        .options(
            so.joinedload(IntakeScreening.program), so.joinedload(IntakeScreening.holding_worker)
        )
        .order_by(IntakeScreening.screened_at.desc(), IntakeScreening.id)
    ).all()
    matches = []
    for client_id, candidate in hidden.items():
        theirs = [case for case in cases if case.client_id == client_id]
        screened = [s for s in screenings if s.client_id == client_id]
        waiting = tuple(
            Waiting(s.program.name, s.holding_worker.display_name if s.holding_worker else None)
            for s in screened
            if s.outcome == ScreeningOutcome.WAITING
        )
        holders = tuple(
            Holder(
                case.id,
                case.program_id,
                case.program.name,
                case.primary_worker.display_name if case.primary_worker else None,
            )
            for case in theirs
            if case.is_open
        )
        open_in = {holder.program for holder in holders}
        open_in |= {place.program for place in waiting}
        closed_in = tuple(
            dict.fromkeys(
                name
                for name in (
                    *(case.program.name for case in theirs if not case.is_open),
                    *(s.program.name for s in screened if s.outcome != ScreeningOutcome.WAITING),
                )
                if name not in open_in
            )
        )
        if holders or closed_in or waiting:
            reasons = tuple(dict.fromkeys(_DETAIL.sub("", r) for r in candidate.reasons))
            matches.append(AgencyMatch(reasons, holders, closed_in, waiting))
    shown = {holder.case_id for match in matches for holder in match.holders}
    return AgencyCard(matches, asked=asked & shown)


def open_requests_for(case: Case, program: Program) -> list[ReferralRequest]:
    return list(
        db.session.scalars(
            sa.select(ReferralRequest).where(
                ReferralRequest.case_id == case.id,
                ReferralRequest.program_id == program.id,
                ReferralRequest.internal_referral_id.is_(None),
            )
        )
    )


def already_asked(user: User, case_id: int, program: Program) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.literal(True)).where(
                ReferralRequest.case_id == case_id,
                ReferralRequest.asked_by_id == user.id,
                ReferralRequest.program_id == program.id,
                ReferralRequest.internal_referral_id.is_(None),
            )
        )
        is True
    )


# --- Internal referrals -------------------------------------------------------------------------


def referable_programs(case: Case) -> list[Program]:
    """The agency's other active programs a case may be referred to."""
    return list(
        db.session.scalars(
            sa.select(Program)
            .where(Program.active, Program.id != case.program_id)
            .order_by(Program.name)
        )
    )


def agency_sharing_in_force(consents: list[Consent], today: date) -> list[Consent]:
    return [
        consent
        for consent in consents
        if consent.scope == ConsentScope.AGENCY_SHARING and consent.is_in_force(today)
    ]


def allows_sharing_with(consent: Consent | None, program: Program, today: date) -> bool:
    return (
        consent is not None
        and consent.scope == ConsentScope.AGENCY_SHARING
        and consent.is_in_force(today)
        and (consent.all_programs or program.id in {p.id for p in consent.programs})
    )


def consent_to_share_within(
    consents: list[Consent], program: Program, today: date
) -> Consent | None:
    """The latest consent in force to share within the agency naming `program` (or all)."""
    named = [c for c in consents if allows_sharing_with(c, program, today)]
    return max(named, key=lambda consent: consent.given_at, default=None)


def snapshot_of(case: Case) -> dict:
    """What travels with an internal referral: the intake summary, current needs and strengths,
    the latest assessment's scores. Plain JSON, read later without the referring case."""
    state = load_state(case)
    intake = case.intake
    latest = state.latest_assessment
    strengths_from = latest_strengths(state.assessments)
    return {
        "presenting_circumstances": intake.presenting_circumstances if intake else "",
        "client_priorities": intake.client_priorities if intake else "",
        "strengths": intake.strengths if intake else "",
        "needs": latest.needs if latest else "",
        "assessment_strengths": [list(pair) for pair in strengths_of(strengths_from)]
        if strengths_from
        else [],
        "assessed_on": latest.assessed_on.isoformat() if latest else None,
        "scores": [[s.domain.label, s.score] for s in scores_in_order(latest)] if latest else [],
    }


def still_allowed(referral: InternalReferral, today: date) -> bool:
    """Whether the consent the referral relied on still allows sharing with the program: a
    revoked or lapsed consent stops sharing at once, so a referral not yet decided shows nothing
    more and cannot be accepted."""
    return allows_sharing_with(referral.consent, referral.to_program, today)


def may_decide(user: User, referral: InternalReferral) -> bool:
    """The receiving program's own workers and supervisors decide (admins do not carry cases)."""
    return user.role in WORKER_ROLES and referral.to_program_id in {p.id for p in user.programs}


def may_withdraw(user: User, referral: InternalReferral) -> bool:
    """The referring case's people withdraw its referral: a worker or supervisor of the referring
    case's program who may see that case (admins do not carry cases)."""
    return (
        user.role in WORKER_ROLES
        and referral.from_case.program_id in {p.id for p in user.programs}
        and can_view_case(user, referral.from_case)
    )


def waiting_for(user: User) -> list[InternalReferral]:
    """Internal referrals waiting for a decision in the user's programs."""
    if user.role not in WORKER_ROLES:
        return []
    return list(
        db.session.scalars(
            sa.select(InternalReferral)
            .where(
                InternalReferral.status == InternalReferralStatus.PENDING,
                InternalReferral.to_program_id.in_([p.id for p in user.programs]),
            )
            .options(
                so.joinedload(InternalReferral.to_program),
                so.joinedload(InternalReferral.from_case).joinedload(Case.client),
                so.joinedload(InternalReferral.from_case).joinedload(Case.program),
            )
            .order_by(InternalReferral.created_at)
        )
    )


def sent_from(case: Case) -> list[InternalReferral]:
    return list(
        db.session.scalars(
            sa.select(InternalReferral)
            .where(InternalReferral.from_case_id == case.id)
            .options(so.joinedload(InternalReferral.to_program))
            .order_by(InternalReferral.created_at.desc())
        )
    )


def internal_referrals_of(case: Case) -> dict:
    """What the case page shows of internal referrals, in one statement: those the case made
    (`sent`, newest first, as `sent_from`) and the one whose acceptance opened it (`came_with`)."""
    sent, came = [], None
    for referral in db.session.scalars(
        sa.select(InternalReferral)
        .where(
            sa.or_(
                InternalReferral.from_case_id == case.id, InternalReferral.new_case_id == case.id
            )
        )
        .options(
            so.joinedload(InternalReferral.to_program),
            so.joinedload(InternalReferral.from_case).joinedload(Case.program),
        )
        .order_by(InternalReferral.created_at.desc())
    ):
        if referral.from_case_id == case.id:
            sent.append(referral)
        elif came is None:
            came = referral
    return {"sent": sent, "came_with": came}

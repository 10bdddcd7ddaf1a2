"""Where the plan's agreement stands: who signed the plan as it is now, and whether it changed
since it was signed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from webapp.models import PlanSignature, Referral, ReferralStatus, ServicePlan, SignatureParty

# Referrals whose provider no longer carries anything for the plan.
_ENDED = frozenset({ReferralStatus.CANCELLED, ReferralStatus.DECLINED})


@dataclass(frozen=True)
class AgreementStanding:
    terms_version: int
    # Signatures of the plan as it is now, and of earlier wordings.
    current: list[PlanSignature] = field(default_factory=list)
    earlier: list[PlanSignature] = field(default_factory=list)

    def signed_by(self, party: SignatureParty) -> PlanSignature | None:
        return next((s for s in reversed(self.current) if s.party == party), None)

    @property
    def on_paper(self) -> PlanSignature | None:
        return self.signed_by(SignatureParty.PAPER)

    @property
    def fully_signed(self) -> bool:
        """Signed by the client and the case manager, on the screen or on one paper copy."""
        return self.on_paper is not None or (
            self.signed_by(SignatureParty.CLIENT) is not None
            and self.signed_by(SignatureParty.WORKER) is not None
        )

    @property
    def waiting_for(self) -> list[SignatureParty]:
        if self.fully_signed:
            return []
        return [
            party
            for party in (SignatureParty.CLIENT, SignatureParty.WORKER)
            if self.signed_by(party) is None
        ]

    @property
    def changed_since_signed(self) -> bool:
        """Someone signed an earlier wording, and the plan as it is now is not signed again."""
        return bool(self.earlier) and not self.fully_signed

    @property
    def last_signed_on(self) -> date | None:
        signed = self.current or self.earlier
        return max(s.signed_on for s in signed) if signed else None


def standing(plan: ServicePlan | None) -> AgreementStanding:
    if plan is None:
        return AgreementStanding(terms_version=1)
    return AgreementStanding(
        terms_version=plan.terms_version,
        current=[s for s in plan.signatures if s.terms_version == plan.terms_version],
        earlier=[s for s in plan.signatures if s.terms_version != plan.terms_version],
    )


def secondary_contracts(referrals: list[Referral]) -> list[Referral]:
    """The case's referrals a provider still carries, for the agreement: what each provider
    agreed to do and by when, where it is written down."""
    return [referral for referral in referrals if referral.status not in _ENDED]

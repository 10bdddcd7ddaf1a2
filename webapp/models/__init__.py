"""Every model, importable from one place: `from webapp.models import Case`."""

from webapp.models.accounts import Role, User, program_memberships
from webapp.models.audit import AuditAction, AuditEvent
from webapp.models.cases import Case, ContactLog, ContactType, Intake, IntakeSource, Phase, RiskLevel
from webapp.models.clients import Client, ClientAlias, ClientNameToken, Consent, ConsentMethod, ConsentScope
from webapp.models.idempotency import IdempotencyKey
from webapp.models.programs import MODEL_DEFAULTS, CaseModel, ModelStandard, Program
from webapp.models.referrals import (
    ALLOWED_TRANSITIONS,
    CLOSED_REFERRAL_STATUSES,
    ConfirmationMethod,
    Provider,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    Service,
)
from webapp.models.types import utcnow

__all__ = [
    "ALLOWED_TRANSITIONS",
    "AuditAction",
    "AuditEvent",
    "CLOSED_REFERRAL_STATUSES",
    "Case",
    "CaseModel",
    "Client",
    "ClientAlias",
    "ClientNameToken",
    "ConfirmationMethod",
    "Consent",
    "ConsentMethod",
    "ConsentScope",
    "ContactLog",
    "ContactType",
    "IdempotencyKey",
    "Intake",
    "IntakeSource",
    "MODEL_DEFAULTS",
    "ModelStandard",
    "Phase",
    "Program",
    "Provider",
    "Referral",
    "ReferralStatus",
    "ReferralStatusChange",
    "RiskLevel",
    "Role",
    "Service",
    "User",
    "program_memberships",
    "utcnow",
]

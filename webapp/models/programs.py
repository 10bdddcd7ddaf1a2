"""Programs and the case management models that set their intensity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


class CaseModel(LabelledEnum):
    INTENSIVE = "intensive", N_("Intensive case management")
    CLINICAL = "clinical", N_("Clinical")
    STRENGTHS_BASED = "strengths_based", N_("Strengths-based")
    GENERALIST = "generalist", N_("Generalist")
    BROKERAGE = "brokerage", N_("Brokerage")


@dataclass(frozen=True)
class ModelStandard:
    contact_standard_days: int
    caseload_cap: int
    reassessment_interval_days: int


# PRODUCT.md's defaults; every program may change its own.
MODEL_DEFAULTS: dict[CaseModel, ModelStandard] = {
    CaseModel.INTENSIVE: ModelStandard(7, 12, 30),
    CaseModel.CLINICAL: ModelStandard(14, 25, 60),
    CaseModel.STRENGTHS_BASED: ModelStandard(14, 25, 90),
    CaseModel.GENERALIST: ModelStandard(30, 40, 90),
    CaseModel.BROKERAGE: ModelStandard(30, 60, 180),
}


# How much one case of a model weighs in a worker's caseload: an intensive case is the work of two
# brokerage cases. A case worked in another model than its program's weighs as its own model.
CASELOAD_WEIGHTS: dict[CaseModel, float] = {
    CaseModel.INTENSIVE: 2.0,
    CaseModel.CLINICAL: 2.0,
    CaseModel.STRENGTHS_BASED: 1.5,
    CaseModel.GENERALIST: 1.0,
    CaseModel.BROKERAGE: 1.0,
}


class ClosureApproval(LabelledEnum):
    ALWAYS = "always", N_("Every closure")
    HIGH_RISK = "high_risk", N_("Closures of high and urgent risk cases")
    NEVER = "never", N_("No closure")


def default_closure_approval(model: CaseModel) -> ClosureApproval:
    """Intensive and clinical models close only with a supervisor; the others for high risk."""
    if model in (CaseModel.INTENSIVE, CaseModel.CLINICAL):
        return ClosureApproval.ALWAYS
    return ClosureApproval.HIGH_RISK


class Program(db.Model):
    __tablename__ = "programs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    model: so.Mapped[CaseModel] = so.mapped_column(enum_column(CaseModel))
    contact_standard_days: so.Mapped[int]
    caseload_cap: so.Mapped[int]
    reassessment_interval_days: so.Mapped[int]
    # Which closures wait for a supervisor's approval.
    closure_approval: so.Mapped[ClosureApproval] = so.mapped_column(
        enum_column(ClosureApproval), default=ClosureApproval.HIGH_RISK
    )
    # The life domains this program assesses, comma-separated values of LifeDomain; empty: all.
    assessment_domains: so.Mapped[str] = so.mapped_column(sa.String(400), default="")
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # How many open cases the program holds at most (none: no limit); once there, or while its
    # intake is closed, accepted people wait on its waiting list.
    open_case_limit: so.Mapped[int | None]
    intake_closed: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Asks HUD's data elements at intake and closure, and may be exported to an HMIS (issue 23).
    hud_elements: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # How many years a closed case is kept before its client may be anonymised; none: never.
    retention_years: so.Mapped[int | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        sa.CheckConstraint("contact_standard_days > 0", name="contact_standard_positive"),
        sa.CheckConstraint("caseload_cap > 0", name="caseload_cap_positive"),
        sa.CheckConstraint("reassessment_interval_days > 0", name="reassessment_positive"),
        sa.CheckConstraint("open_case_limit > 0", name="open_case_limit_positive"),
        sa.CheckConstraint(
            "retention_years IS NULL OR retention_years > 0", name="retention_positive"
        ),
    )

    def __repr__(self) -> str:
        return f"<Program {self.id} {self.name!r}>"

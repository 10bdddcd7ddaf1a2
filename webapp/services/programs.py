"""Programs and their case management standards."""

from __future__ import annotations

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    MODEL_DEFAULTS,
    AuditAction,
    CaseModel,
    ClosureApproval,
    LifeDomain,
    Program,
    default_closure_approval,
)
from webapp.services import audit
from webapp.text import Phrase


class ProgramError(ValueError):
    """A program change that cannot be made; the message says why."""


def _ensure_unique_name(name: str, program_id: int | None = None) -> None:
    query = sa.select(Program.id).where(sa.func.lower(Program.name) == name.lower())
    if program_id is not None:
        query = query.where(Program.id != program_id)
    if db.session.scalar(query) is not None:
        raise ProgramError(Phrase("Another program already has this name."))


def _domains(domains: list[LifeDomain] | None) -> str:
    """Stored in the standard order; every domain ticked is the same as none (all)."""
    chosen = set(domains or ())
    if chosen == set(LifeDomain):
        return ""
    return ",".join(domain.value for domain in LifeDomain if domain in chosen)


def create_program(
    *,
    name: str,
    model: CaseModel,
    description: str = "",
    contact_standard_days: int | None = None,
    caseload_cap: int | None = None,
    reassessment_interval_days: int | None = None,
    active: bool = True,
    closure_approval: ClosureApproval | None = None,
    assessment_domains: list[LifeDomain] | None = None,
    open_case_limit: int | None = None,
    intake_closed: bool = False,
    hud_elements: bool = False,
    retention_years: int | None = None,
) -> Program:
    """A program; any standard left out takes the model's default. Without `retention_years`
    closed cases are kept for ever."""
    _ensure_unique_name(name)
    defaults = MODEL_DEFAULTS[model]
    program = Program(
        name=name,
        model=model,
        description=description,
        contact_standard_days=contact_standard_days or defaults.contact_standard_days,
        caseload_cap=caseload_cap or defaults.caseload_cap,
        reassessment_interval_days=reassessment_interval_days
        or defaults.reassessment_interval_days,
        active=active,
        closure_approval=closure_approval or default_closure_approval(model),
        assessment_domains=_domains(assessment_domains),
        open_case_limit=open_case_limit or None,
        intake_closed=intake_closed,
        hud_elements=hud_elements,
        retention_years=retention_years,
    )
    db.session.add(program)
    db.session.flush()
    audit.record(AuditAction.CREATE, "program", program.id)
    return program


def update_program(
    program: Program,
    *,
    name: str,
    model: CaseModel,
    description: str,
    contact_standard_days: int | None,
    caseload_cap: int | None,
    reassessment_interval_days: int | None,
    active: bool,
    closure_approval: ClosureApproval | None = None,
    assessment_domains: list[LifeDomain] | None = None,
    open_case_limit: int | None = None,
    intake_closed: bool = False,
    hud_elements: bool | None = None,
    retention_years: int | None = None,
) -> Program:
    """Change a program; a standard left blank goes back to the model's default, a retention
    left blank keeps closed cases for ever; HUD's data elements stay as they were unless
    `hud_elements` says."""
    _ensure_unique_name(name, program.id)
    defaults = MODEL_DEFAULTS[model]
    program.name = name
    program.model = model
    program.description = description
    program.contact_standard_days = contact_standard_days or defaults.contact_standard_days
    program.caseload_cap = caseload_cap or defaults.caseload_cap
    program.reassessment_interval_days = (
        reassessment_interval_days or defaults.reassessment_interval_days
    )
    program.active = active
    if hud_elements is not None:
        program.hud_elements = hud_elements
    program.closure_approval = closure_approval or default_closure_approval(model)
    program.assessment_domains = _domains(assessment_domains)
    program.open_case_limit = open_case_limit or None
    program.intake_closed = intake_closed
    program.retention_years = retention_years
    db.session.flush()
    audit.record(AuditAction.UPDATE, "program", program.id)
    return program

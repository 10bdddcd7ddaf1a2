"""Who works here: the staff list an admin runs, and the team a supervisor sees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models import Role, StaffInvitation, User


@dataclass(frozen=True)
class StaffRow:
    user: User
    waiting_for_set_up: bool


def staff_visible_to(viewer: User, now: datetime) -> list[StaffRow]:
    """Admins see everyone; a supervisor sees the people they supervise; nobody else anyone."""
    query = sa.select(User).options(so.selectinload(User.programs), so.joinedload(User.supervisor))
    if viewer.role == Role.SUPERVISOR:
        query = query.where(User.supervisor_id == viewer.id)
    elif viewer.role != Role.ADMIN:
        return []
    users = db.session.scalars(query.order_by(User.active.desc(), User.display_name, User.id)).all()
    waiting = set(
        db.session.scalars(
            sa.select(StaffInvitation.user_id).where(
                StaffInvitation.user_id.in_([user.id for user in users]),
                StaffInvitation.used_at.is_(None),
                StaffInvitation.revoked_at.is_(None),
                StaffInvitation.expires_at > now,
            )
        )
    )
    return [StaffRow(user, user.id in waiting) for user in users]


def supervisors() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.SUPERVISOR, User.active)
            .order_by(User.display_name)
        )
    )

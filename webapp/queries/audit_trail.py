"""Reading the audit trail: the admin's filtered list and "who has seen this record"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import AuditAction, AuditEvent, Case, Client, User
from webapp.timeutil import local_zone


def _about_client(client: Client) -> sa.ColumnElement[bool]:
    case_ids = [
        str(case_id)
        for case_id in db.session.scalars(sa.select(Case.id).where(Case.client_id == client.id))
    ]
    # Records merged into this one bring their trail with them (cases moved already carry theirs).
    client_ids = [
        str(client.id),
        *(
            str(merged_id)
            for merged_id in db.session.scalars(
                sa.select(Client.id).where(Client.merged_into_id == client.id)
            )
        ),
    ]
    return sa.or_(
        sa.and_(AuditEvent.record_type == "client", AuditEvent.record_id.in_(client_ids)),
        sa.and_(AuditEvent.record_type == "case", AuditEvent.record_id.in_(case_ids)),
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def find_events(
    *,
    user: User | None,
    client: Client | None,
    since: date | None,
    until: date | None,
    page: int,
    page_size: int,
) -> tuple[list[AuditEvent], bool]:
    query = sa.select(AuditEvent)
    if user is not None:
        query = query.where(AuditEvent.user_id == user.id)
    if client is not None:
        query = query.where(_about_client(client))
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= _local_midnight(since))
    if until is not None:
        query = query.where(AuditEvent.occurred_at < _local_midnight(until + timedelta(days=1)))
    rows = db.session.scalars(
        query.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    ).all()
    return list(rows[:page_size]), len(rows) > page_size


@dataclass(frozen=True)
class Viewer:
    user: User
    views: int
    last_seen: datetime


def who_has_seen(client: Client) -> list[Viewer]:
    """Everyone who opened this client's record or one of their cases, most recent first."""
    rows = db.session.execute(
        sa.select(AuditEvent.user_id, sa.func.count(), sa.func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.user_id.is_not(None),
            _about_client(client),
        )
        .group_by(AuditEvent.user_id)
    ).all()
    users = {
        u.id: u
        for u in db.session.scalars(sa.select(User).where(User.id.in_([r[0] for r in rows])))
    }
    # max() keeps the column's type, so `last` comes back as an aware UTC datetime.
    viewers = [
        Viewer(users[user_id], views, last) for user_id, views, last in rows if user_id in users
    ]
    return sorted(viewers, key=lambda viewer: viewer.last_seen, reverse=True)

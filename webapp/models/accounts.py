"""Staff accounts, their roles and the programs they work in."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from webapp.extensions import db
from webapp.models.programs import Program
from webapp.models.types import N_, LabelledEnum, UTCDateTime, enum_column, utcnow


class Role(LabelledEnum):
    OUTREACH_WORKER = "outreach_worker", N_("Outreach worker")
    CASE_MANAGER = "case_manager", N_("Case manager")
    SUPERVISOR = "supervisor", N_("Supervisor")
    ADMIN = "admin", N_("Admin")


# Roles that carry cases (admins do not).
WORKER_ROLES = (Role.OUTREACH_WORKER, Role.CASE_MANAGER, Role.SUPERVISOR)


program_memberships = sa.Table(
    "program_memberships",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("program_id", sa.ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Stored lower-cased: logins are case-insensitive.
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    role: so.Mapped[Role] = so.mapped_column(enum_column(Role))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # The supervisor who may see this worker's restricted cases.
    supervisor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # TOTP second factor: the shared secret, and the last time step used (each code works once).
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    totp_last_step: so.Mapped[int | None]
    # Part of the login cookie's identity: bumping it ends every other session.
    session_version: so.Mapped[int] = so.mapped_column(default=1)
    # Reminders: the person's own time zone (else the organisation's) and hours with no pushes.
    time_zone: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    quiet_from: so.Mapped[time | None]
    quiet_until: so.Mapped[time | None]
    # The language of their pages (a code in TRANSLATED_LANGUAGES); none: the browser's preference.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # The phone providers and clients reach them on: on provider links and referral slips.
    work_phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="", server_default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    supervisor: so.Mapped[User | None] = so.relationship(remote_side=[id])
    programs: so.Mapped[list[Program]] = so.relationship(
        secondary=program_memberships, order_by=Program.name
    )

    # What flask-login asks of a signed-in user (written here so models import no web framework).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r} {self.role.value}>"


class StaffInvitation(db.Model):
    """A one-time link where a new colleague chooses their password: /welcome/<token>.

    As with a self-intake link, the token is never stored, only its SHA-256; it works once,
    expires, and can be revoked (a new link for the same person revokes the last)."""

    __tablename__ = "staff_invitations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship(foreign_keys=[user_id])

    def usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at

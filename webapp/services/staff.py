"""Staff accounts run from the app: invite, set up from a one-time link, change, deactivate, reset
a second factor, sign out everywhere. The CLI (`flask users …`) does the same through
`services.accounts`; both end the person's sessions on the same changes."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    AuditAction,
    Program,
    Role,
    StaffInvitation,
    User,
    utcnow,
)
from webapp.services import accounts, audit
from webapp.services.self_intake import TOKEN_BYTES, TOKEN_SHAPE, token_hash
from webapp.text import Phrase

SETUP_LINK_LIFETIME = timedelta(days=7)


class StaffError(ValueError):
    """A change that cannot be made; the message says why."""


def _active_admins() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.active)
    )


def _keep_an_admin(user: User) -> None:
    """The agency must keep one active admin: nobody else could run it from the app."""
    if user.role == Role.ADMIN and user.active and _active_admins() <= 1:
        raise StaffError(Phrase("This is the only active admin: make someone else an admin first."))


def _check_supervisor(user: User | None, supervisor: User | None) -> None:
    if supervisor is None:
        return
    if supervisor.role != Role.SUPERVISOR or not supervisor.active:
        raise StaffError(Phrase("Choose an active supervisor."))
    if user is not None and supervisor.id == user.id:
        raise StaffError(Phrase("Nobody supervises themselves."))


def invite(
    *,
    email: str,
    display_name: str,
    role: Role,
    programs: list[Program],
    supervisor: User | None,
    by: User,
) -> tuple[User, str]:
    """A new account, and the one-time link where its owner chooses a password. Until then the
    account has a random password nobody knows."""
    email = accounts.normalise_email(email)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise StaffError(Phrase("Someone already signs in with this email address."))
    _check_supervisor(None, supervisor)
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=accounts.hash_password(secrets.token_urlsafe(32)),
        programs=list(programs),
        supervisor=supervisor,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.CREATE, "user", user.id, user=by)
    return user, new_setup_link(user, by=by)


def new_setup_link(user: User, *, by: User) -> str:
    """A set-up link for the account; any earlier one that was not used stops working. The token
    exists only in this return value and the link shown once."""
    now = utcnow()
    for earlier in db.session.scalars(
        sa.select(StaffInvitation).where(
            StaffInvitation.user_id == user.id,
            StaffInvitation.used_at.is_(None),
            StaffInvitation.revoked_at.is_(None),
        )
    ):
        earlier.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = StaffInvitation(
        user_id=user.id,
        token_hash=token_hash(token),
        created_by_id=by.id,
        created_at=now,
        expires_at=now + SETUP_LINK_LIFETIME,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record(AuditAction.CREATE, "staff_invitation", invitation.id, user=by)
    return token


def find_usable(token: str) -> StaffInvitation | None:
    """Unknown, malformed, expired, revoked and used links are all None: one page for all."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    invitation = db.session.scalar(
        sa.select(StaffInvitation).where(StaffInvitation.token_hash == token_hash(token))
    )
    if invitation is None or not invitation.usable(utcnow()) or not invitation.user.active:
        return None
    return invitation


def set_up(invitation: StaffInvitation, password: str) -> User:
    """The new colleague's password: the link is used up and any session is ended."""
    user = invitation.user
    try:
        accounts.set_password(user, password, changed_by=user)
    except accounts.AccountError as error:
        raise StaffError(str(error)) from error
    invitation.used_at = utcnow()
    db.session.flush()
    audit.record(AuditAction.UPDATE, "staff_invitation", invitation.id, user=user)
    return user


def waiting_for_set_up(user: User) -> StaffInvitation | None:
    """The set-up link the person has not used yet, if it still works."""
    now = utcnow()
    return next(
        (
            invitation
            for invitation in db.session.scalars(
                sa.select(StaffInvitation)
                .where(StaffInvitation.user_id == user.id, StaffInvitation.used_at.is_(None))
                .order_by(StaffInvitation.id.desc())
            )
            if invitation.usable(now)
        ),
        None,
    )


def change(
    user: User,
    *,
    display_name: str,
    role: Role,
    programs: list[Program],
    supervisor: User | None,
    by: User,
) -> bool:
    """Name, role, programs and supervisor. A new role or new programs change what the person may
    see: their sessions end, as the CLI's `set-role` does. True when sessions were ended."""
    if role != user.role and user.role == Role.ADMIN:
        _keep_an_admin(user)
    _check_supervisor(user, supervisor)
    rights_changed = role != user.role or {p.id for p in programs} != {p.id for p in user.programs}
    user.display_name = display_name.strip()
    user.role = role
    user.programs = list(programs)
    user.supervisor = supervisor
    if rights_changed:
        accounts.end_sessions(user)
    db.session.flush()
    audit.record(AuditAction.UPDATE, "user", user.id, user=by)
    return rights_changed


def deactivate(user: User, *, by: User) -> None:
    _keep_an_admin(user)
    accounts.set_active(user, False, changed_by=by)


def reactivate(user: User, *, by: User) -> None:
    accounts.set_active(user, True, changed_by=by)


def reset_second_factor(user: User, *, by: User) -> None:
    """A lost phone: the authenticator is forgotten and every session ends. An admin sets up a new
    one at their next sign-in (admins cannot work without it); anyone else may."""
    user.totp_secret = None
    user.totp_last_step = None
    accounts.end_sessions(user)
    audit.record(AuditAction.UPDATE, "user", user.id, user=by)


def sign_out_everywhere(user: User, *, by: User) -> None:
    accounts.end_sessions(user)
    audit.record(AuditAction.UPDATE, "user", user.id, user=by)

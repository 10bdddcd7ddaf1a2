"""Accounts: creating users, passwords, roles and program membership."""

from __future__ import annotations

from datetime import time
from functools import cache

import argon2
import argon2.profiles
import sqlalchemy as sa
from flask import current_app
from zxcvbn import zxcvbn

from webapp.extensions import db
from webapp.models import TRANSLATED_LANGUAGES, AuditAction, Program, Role, User, utcnow
from webapp.services import audit
from webapp.text import Phrase

MIN_PASSWORD_LENGTH = 15
MIN_PASSWORD_LENGTH_WITH_SECOND_FACTOR = 8
# zxcvbn's estimate below which a password is refused: common, breached or patterned ones.
# With a second factor a shorter password is allowed (NIST 800-63B), still never a common one.
MIN_GUESSES_LOG10 = 10
MIN_GUESSES_LOG10_WITH_SECOND_FACTOR = 8
MAX_PASSWORD_LENGTH = 128


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def password_problem(
    password: str, user_names: list[str] | None = None, *, second_factor: bool = False
) -> str | None:
    """Why a new password is not acceptable, or None. With a second factor, 8 characters will do."""
    minimum = MIN_PASSWORD_LENGTH_WITH_SECOND_FACTOR if second_factor else MIN_PASSWORD_LENGTH
    if len(password) < minimum:
        return f"Use at least {minimum} characters; a few words together work well."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.casefold()
    for name in user_names or []:
        for part in name.casefold().replace("@", " ").replace(".", " ").split():
            if len(part) >= 4 and part in lowered:
                return "Choose a password that does not contain your name or email address."
    if len(set(password)) < 5:
        return "Choose a password that is not one character repeated."
    estimate = zxcvbn(
        password[:100], user_inputs=[part for name in user_names or [] for part in name.split()]
    )
    floor = MIN_GUESSES_LOG10_WITH_SECOND_FACTOR if second_factor else MIN_GUESSES_LOG10
    if estimate["guesses_log10"] < floor:
        return (
            "This password is too easy to guess: it is common, appears in breached-password lists, "
            "or follows a pattern. A few unrelated words together work well."
        )
    return None


@cache
def _hasher_for(profile: str) -> argon2.PasswordHasher:
    return argon2.PasswordHasher.from_parameters(getattr(argon2.profiles, profile))


def _hasher() -> argon2.PasswordHasher:
    return _hasher_for(current_app.config["PASSWORD_HASH_PROFILE"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """Verify, and upgrade the stored hash when our parameters have changed."""
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


@cache
def _dummy_hash(profile: str) -> str:
    """Verified against when the email is unknown, so the answer takes as long either way."""
    return _hasher_for(profile).hash("waymark: no such user, but take as long as if there were")


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
    if user is None:
        try:
            _hasher().verify(_dummy_hash(current_app.config["PASSWORD_HASH_PROFILE"]), password)
        except argon2.exceptions.VerificationError:
            pass
        return None
    if not user.active:
        # Verified all the same, and the answer thrown away: refusing at once would answer in
        # milliseconds, and that speed would tell anyone which accounts exist but are switched off.
        try:
            _hasher().verify(user.password_hash, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            pass
        return None
    if not check_password(user, password):
        return None
    return user


def create_user(
    *,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    programs: list[Program] | None = None,
    supervisor: User | None = None,
    created_by: User | None = None,
) -> User:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(Phrase("Give a valid email address."))
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(Phrase("A user with the email %(email)s already exists.", email=email))
    problem = password_problem(password, [display_name, email])
    if problem:
        raise AccountError(problem)
    user = User(
        email=email,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        programs=list(programs or []),
        supervisor=supervisor,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(AuditAction.CREATE, "user", user.id, user=created_by)
    return user


def set_password(user: User, password: str, *, changed_by: User | None = None) -> None:
    """Set a new password and end every session the user has open elsewhere."""
    problem = password_problem(
        password, [user.display_name, user.email], second_factor=user.has_second_factor
    )
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.session_version += 1
    db.session.flush()
    audit.record(AuditAction.UPDATE, "user", user.id, user=changed_by)


def record_failed_login(email: str) -> None:
    """Audit a failed sign-in against the account it named, when there is one."""
    user_id = db.session.scalar(sa.select(User.id).where(User.email == normalise_email(email)))
    audit.record(AuditAction.LOGIN_FAILED, "user", user_id)


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every login cookie issued so far stops working."""
    user.session_version += 1
    db.session.flush()


def set_role(user: User, role: Role, *, changed_by: User | None = None) -> None:
    """A new role; sessions opened under the old one end."""
    user.role = role
    end_sessions(user)
    audit.record(AuditAction.UPDATE, "user", user.id, user=changed_by)


def set_active(user: User, active: bool, *, changed_by: User | None = None) -> None:
    """Deactivate (or reactivate) an account; a deactivated user is signed out everywhere at
    once."""
    user.active = active
    end_sessions(user)
    audit.record(AuditAction.UPDATE, "user", user.id, user=changed_by)


def update_settings(
    user: User,
    *,
    language: str | None,
    time_zone: str | None,
    quiet_from: time | None,
    quiet_until: time | None,
    work_phone: str | None = None,
) -> None:
    """The person's own settings: the language of their pages (none: their browser's), and the
    time zone and quiet hours their reminders keep to."""
    if language is not None and language not in TRANSLATED_LANGUAGES:
        raise AccountError(
            Phrase("Waymark is not translated into %(language)r.", language=language)
        )
    user.language = language
    if work_phone is not None:
        user.work_phone = work_phone
    user.time_zone = time_zone
    user.quiet_from, user.quiet_until = quiet_from, quiet_until
    db.session.flush()
    audit.record(AuditAction.UPDATE, "user", user.id, user=user)


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    audit.record(AuditAction.LOGIN, "user", user.id, user=user)

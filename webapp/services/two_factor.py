"""TOTP second factor (RFC 6238): enrolment with a QR code, and codes that work only once."""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

from webapp.extensions import db
from webapp.models import AuditAction, User
from webapp.services import audit

ISSUER = "Waymark"
STEP_SECONDS = 30
# Accept the previous and next code too: phones' clocks drift.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()


def qr_code(user: User, secret: str) -> str:
    """The enrolment QR code as an SVG data URI (drawn here: no third-party service sees the
    secret)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5)


def _matching_step(secret: str, code: str, after_step: int | None, now: float) -> int | None:
    code = "".join(code.split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue  # that code, or an older one, was used already
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def check_code(user: User, code: str, *, now: float | None = None) -> bool:
    """True for a current code not used before; the step is remembered so it cannot be replayed."""
    if user.totp_secret is None:
        return False
    step = _matching_step(
        user.totp_secret, code, user.totp_last_step, time.time() if now is None else now
    )
    if step is None:
        return False
    user.totp_last_step = step
    db.session.flush()
    return True


def enable(user: User, secret: str, code: str) -> bool:
    """Turn on the second factor once the person proves their app has the secret."""
    step = _matching_step(secret, code, None, time.time())
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    db.session.flush()
    audit.record(AuditAction.UPDATE, "user", user.id, user=user)
    return True

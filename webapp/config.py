"""Configuration: safe defaults here, overridden by the environment.

Order of precedence (last wins): these defaults, `DATABASE_URL` / `SECRET_KEY`,
any `WAYMARK_*` variable (through `app.config.from_prefixed_env("WAYMARK")`),
then the mapping handed to `create_app(config)` (tests use that).
"""

from __future__ import annotations

from datetime import timedelta


class Defaults:
    # The database lives in the instance folder unless DATABASE_URL says otherwise;
    # the factory fills in the absolute path.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False

    # Forms: 1 MiB is far more than any phone form sends; larger bodies get 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 512 * 1024
    MAX_FORM_PARTS = 200
    WTF_CSRF_TIME_LIMIT = 3600

    # Cookies: HttpOnly and SameSite always; Secure as soon as the app is served over HTTPS
    # (set WAYMARK_SESSION_COOKIE_SECURE=true behind TLS).
    SESSION_COOKIE_NAME = "waymark_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Enforced on the server from timestamps in the signed session: automatic logoff.
    SESSION_IDLE_MINUTES = 30
    # Sign-in throttling (webapp/throttle.py), counted over a sliding window.
    LOGIN_THROTTLE_MINUTES = 15
    LOGIN_FAILURES_PER_ADDRESS = 20
    LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
    # "Known to the agency" look-ups that found someone in another program, per user per hour
    # (webapp/web/agency.py): enough for a day of intakes typed as they go, not for trawling.
    AGENCY_LOOKUPS_PER_HOUR = 60
    # How many proxies in front of the app set X-Forwarded-For/-Proto (0: none, use the socket).
    PROXY_HOPS = 0
    SESSION_ABSOLUTE_HOURS = 12
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    APP_NAME = "Waymark"
    # The HMIS CSV export (issue 23): the organisation's name in Export.csv and Organization.csv,
    # and the HMIS implementation the data comes from (Export.csv's ImplementationID).
    HMIS_ORGANIZATION_NAME = "Waymark"
    HMIS_IMPLEMENTATION_ID = "waymark"
    # argon2-cffi profile for password hashes: RFC 9106's low-memory one (Argon2id, 64 MiB).
    # Tests use "CHEAPEST"; a stronger profile upgrades stored hashes as people sign in.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    # The organisation's time zone: what "today" and "overdue" mean (IANA name).
    TIMEZONE = "UTC"
    # How many rows a list page shows at once.
    PAGE_SIZE = 25

    # Web push (webapp/push.py). The VAPID keys are made once into the instance folder unless
    # WAYMARK_VAPID_PRIVATE_KEY / WAYMARK_VAPID_PUBLIC_KEY hold PEM text. The subject is where push
    # services can reach the operator: a real mailto: or https: address (Apple refuses localhost).
    VAPID_SUBJECT = "mailto:waymark-operator@example.org"
    VAPID_PRIVATE_KEY: str | None = None
    VAPID_PUBLIC_KEY: str | None = None
    # Browsers' push services; subscriptions elsewhere are refused, so the dispatcher cannot be
    # aimed at another host. A leading dot allows subdomains. Tests add 127.0.0.1.
    PUSH_HOSTS = (
        "fcm.googleapis.com",
        "updates.push.services.mozilla.com",
        ".push.apple.com",
        ".notify.windows.com",
    )
    # Plain http is only ever allowed for these (tests' own push service).
    PUSH_INSECURE_HOSTS: tuple[str, ...] = ()
    PUSH_TTL_SECONDS = 24 * 60 * 60
    PUSH_TIMEOUT_SECONDS = 10
    # The reminder dispatcher (webapp/jobs/dispatcher.py): users worked out together (a fixed
    # number of queries per batch), and pushes in flight at once.
    REMINDER_BATCH_USERS = 250
    PUSH_CONCURRENCY = 16

    # Documents and photos on a client's record (webapp/services/documents.py): the largest file
    # taken, and where files are kept: outside the web root, by default the instance folder's
    # uploads/ (set WAYMARK_DOCUMENT_DIR in production, on storage that is backed up).
    DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    DOCUMENT_DIR: str | None = None

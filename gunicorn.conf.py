"""gunicorn settings for Waymark (`gunicorn --config gunicorn.conf.py wsgi:app`)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Requests are short; a stuck one is ended rather than left holding a worker.
timeout = 30
graceful_timeout = 20
# Access log without query strings: searches carry names, and names do not go in logs.
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# Self-intake links (/i/<token>) carry their secret in the path: the access log shows /i/[link],
# and every other log record (the error log, tracebacks, the app's own) is cleaned as it is made.
logger_class = "webapp.web.logs.RedactingLogger"

"""Request plumbing: sign-in guard and headers, CSRF and idempotency, fragments, templates,
languages, limits, logs and CSV responses."""

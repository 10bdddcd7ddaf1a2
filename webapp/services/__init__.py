"""Every state change is a named function here: it changes data, flushes and writes the
audit event. It never commits; the caller (a route or a command) does."""

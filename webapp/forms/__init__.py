"""Form classes, one module per area. Every form validates on the server."""

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """For button-only POSTs (logout, revoke…), so they carry the CSRF token."""

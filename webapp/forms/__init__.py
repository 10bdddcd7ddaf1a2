"""Form classes, one module per area. Every form validates on the server."""

from __future__ import annotations

from wtforms.fields.choices import SelectChoice

from webapp.models.types import LabelledEnum


def enum_choices(enum_type: type[LabelledEnum]) -> list[SelectChoice]:
    """A select's options from one of our enums: stored value, shown label."""
    return [SelectChoice(member.value, member.label) for member in enum_type]

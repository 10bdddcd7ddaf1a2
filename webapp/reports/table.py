"""A report's figures as rows, shared by the page, its chart and its CSV export."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import Any


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # How the figures were counted, said once under the table and in the export's name.
    note: str = ""


def median_or_none(values: list[float]) -> float | None:
    return round(median(values), 1) if values else None


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def quartiles(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Lower quartile, median and upper quartile by the nearest-rank method (no interpolation,
    so every figure is a value some case really had)."""
    if not values:
        return None, None, None
    ordered = sorted(values)

    def rank(fraction: float) -> float:
        index = max(0, min(len(ordered) - 1, -(-len(ordered) * fraction // 1) - 1))
        return ordered[int(index)]

    return rank(0.25), rank(0.5), rank(0.75)

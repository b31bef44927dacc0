"""What a check returns: typed rows grouped in tables, constants, and the verdict -- data, never text.

A check builds its tables from row dataclasses whose fields hold numbers (float, int, ``Fraction``), Monte
Carlo ``Estimate``s, labels (language names, schedule descriptions) or None (a cell that does not apply).
Each field's ``column`` metadata gives its printed label with its unit. Nothing here formats a number:
``render`` turns a result into the printed table, the certificate and (through ``plot``) the figure, so
what is printed, certified and drawn is the same record.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from fractions import Fraction

__all__ = ["column", "Table", "CheckResult", "Constant", "labels", "field_names"]


def column(label: str):
    """A row field printed under ``label`` (which carries the unit, e.g. ``"KL/L [bits]"``)."""
    return field(metadata={"label": label})


def field_names(row_type) -> list[str]:
    return [f.name for f in fields(row_type)]


def labels(row_type) -> list[str]:
    return [f.metadata.get("label", f.name) for f in fields(row_type)]


@dataclass
class Table:
    """Rows of one record type. With ``pivot = (column_field, value_field)`` the table is printed wide (one
    column per value of ``column_field``, lines identified by the fields declared before it) while its records
    stay one per cell."""

    title: str
    row_type: type
    rows: list = field(default_factory=list)
    pivot: tuple | None = None

    def __post_init__(self):
        if not (isinstance(self.row_type, type) and is_dataclass(self.row_type)):
            raise TypeError(f"row_type must be a dataclass type, got {self.row_type!r}")
        if self.pivot is not None and not set(self.pivot) <= set(field_names(self.row_type)):
            raise ValueError(f"pivot {self.pivot} names fields {self.row_type.__name__} does not have")

    @property
    def kind(self) -> str:
        return self.row_type.__name__

    def add(self, row):
        if not isinstance(row, self.row_type):
            raise TypeError(f"table {self.kind!r} takes {self.kind} rows, got {type(row).__name__}")
        self.rows.append(row)
        return row

    def where(self, **match) -> list:
        return [r for r in self.rows if all(getattr(r, k) == v for k, v in match.items())]


@dataclass(frozen=True)
class Constant:
    """A citable number: exact rational where known, a certified interval where one is, the float, a note."""

    value: float | Fraction
    interval: tuple | None = None
    note: str = ""

    @property
    def float(self) -> float:
        return float(self.value)


@dataclass
class CheckResult:
    """What a check found: its options (validated, defaults filled in), method, tables of records against
    bounds, verified constants, and the verdict with its first counterexample."""

    name: str
    theorem: str
    paper: str
    statement: str
    readings: list
    method: str
    tables: list
    constants: dict
    verdict: bool
    counterexample: dict | None = None
    options: dict = field(default_factory=dict)

    def table(self, kind: str) -> Table:
        """The table whose rows are of record type ``kind`` (its class name)."""
        found = [t for t in self.tables if t.kind == kind]
        if len(found) != 1:
            raise KeyError(f"{self.name} has {len(found)} tables of {kind!r}; it has {[t.kind for t in self.tables]}")
        return found[0]

    def format(self) -> str:
        from .render import format_result

        return format_result(self)

    def to_certificate(self) -> dict:
        from .render import certificate

        return certificate(self)

"""The one renderer: a ``CheckResult``'s records as the printed table, as the certificate's JSON, and as
plain row dicts that ``plot`` draws (from a fresh result or from a stored certificate alike).

Cell formats: floats and rationals to 6 significant digits, an ``Estimate`` as ``value [low, high]``, None
as ``-`` (the cell does not apply), booleans as yes/NO. In JSON a rational is ``"p/q"``, an estimate its
fields, infinities ``"inf"``; numbers are never turned into text before this module.
"""

from __future__ import annotations

import math
from dataclasses import asdict, fields, is_dataclass
from fractions import Fraction

from ..provenance import package_versions
from .records import CheckResult, Constant, Table, field_names, labels
from .result import SCHEMA_VERSION, certificate_hash, input_hash

__all__ = ["format_result", "format_table", "certificate", "table_to_dict", "rows_of", "cell_bounds"]

MAX_EXACT_BITS = 2000
"""Larger rationals (e.g. SER at L = 4096) are stored as floats; re-running the check certifies them."""


def format_cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, (float, Fraction)):
        value = float(value)
        return "inf" if math.isinf(value) else f"{value:.6g}"
    if is_dataclass(value) and hasattr(value, "low"):  # a Monte Carlo Estimate (exact where its interval is a point)
        if value.low == value.high == value.value:
            return format_cell(float(value.value))
        return f"{value.value:.4g} [{value.low:.4g}, {value.high:.4g}]"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_cell(v) for v in value) + "]"
    return str(value)


def _grid(table: Table) -> tuple[list, list]:
    """(column labels, rows of cells): the records one per line, or pivoted wide."""
    names, heads = field_names(table.row_type), labels(table.row_type)
    if table.pivot is None:
        return heads, [[format_cell(getattr(r, n)) for n in names] for r in table.rows]
    col, val = table.pivot
    index = names[:names.index(col)]  # the fields declared before the pivot column identify a printed line
    keys = list(dict.fromkeys(getattr(r, col) for r in table.rows))
    lines: dict = {}
    for r in table.rows:
        lines.setdefault(tuple(getattr(r, n) for n in index), {})[getattr(r, col)] = getattr(r, val)
    label_of = dict(zip(names, heads))
    out_heads = [label_of[n] for n in index] + [f"{label_of[col]}={format_cell(k)}" for k in keys]
    rows = [[format_cell(v) for v in idx] + [format_cell(cells.get(k)) for k in keys] for idx, cells in lines.items()]
    return out_heads, rows


def format_table(table: Table) -> str:
    heads, cells = _grid(table)
    widths = [max([len(h)] + [len(r[j]) for r in cells]) for j, h in enumerate(heads)]
    line = "  ".join(h.rjust(w) for h, w in zip(heads, widths))
    return "\n".join([table.title, line, "-" * len(line)] + ["  ".join(c.rjust(w) for c, w in zip(r, widths))
                                                              for r in cells])


def _constant_line(name: str, c: Constant) -> str:
    exact = f" = {_rational(c.value)}" if isinstance(c.value, Fraction) else ""
    interval = f"  in [{float(c.interval[0]):.10g}, {float(c.interval[1]):.10g}]" if c.interval else ""
    note = f"  ({c.note})" if c.note else ""
    return f"  {name}{exact}  ~ {c.float:.10g}{interval}{note}"


def format_result(result: CheckResult) -> str:
    parts = [f"== {result.name}: {result.theorem} ({result.paper})", result.statement.strip(), "",
             f"method: {result.method}"]
    parts += [f"reading: {r}" for r in result.readings]
    for table in result.tables:
        parts += ["", format_table(table)]
    if result.constants:
        parts += ["", "verified constants:"] + [_constant_line(k, c) for k, c in result.constants.items()]
    parts += ["", f"verdict: {'HOLDS' if result.verdict else 'REFUTED'}"]
    if result.counterexample:
        import json

        parts.append("counterexample: " + json.dumps(jsonable(result.counterexample), sort_keys=True))
    return "\n".join(parts)


# --- JSON ----------------------------------------------------------------------------------------------------
def _rational(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def jsonable(value):
    """Plain JSON of a record value: rationals as "p/q" (floats past MAX_EXACT_BITS), estimates as their
    fields, infinities as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Fraction):
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_EXACT_BITS:
            return float(value)
        return _rational(value)
    if is_dataclass(value) and not isinstance(value, type):
        return jsonable(asdict(value))
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def constant_to_dict(c: Constant) -> dict:
    out = {"float": c.float}
    if isinstance(c.value, Fraction):
        out["exact"] = _rational(c.value)
    if c.interval is not None:
        out["interval"] = [float(c.interval[0]), float(c.interval[1])]
        if all(isinstance(v, Fraction) for v in c.interval):
            out["interval_exact"] = [_rational(v) for v in c.interval]
    if c.note:
        out["note"] = c.note
    return out


def table_to_dict(table: Table) -> dict:
    return {"title": table.title, "kind": table.kind, "fields": field_names(table.row_type),
            "labels": labels(table.row_type), "pivot": list(table.pivot) if table.pivot else None,
            "rows": [[jsonable(getattr(r, f.name)) for f in fields(table.row_type)] for r in table.rows]}


def certificate(result: CheckResult) -> dict:
    body = {
        "schema_version": SCHEMA_VERSION,
        "check": result.name,
        "theorem": result.theorem,
        "paper": result.paper,
        "statement": result.statement.strip(),
        "readings": list(result.readings),
        "options": jsonable(result.options),
        "method": result.method,
        "results": {"tables": [table_to_dict(t) for t in result.tables],
                    "constants": {k: constant_to_dict(c) for k, c in result.constants.items()}},
        "verdict": "holds" if result.verdict else "refuted",
        "counterexample": jsonable(result.counterexample),
        "versions": package_versions(),
    }
    body["input_hash"] = input_hash(result.name, body["options"])
    body["certificate_hash"] = certificate_hash(body)
    return body


# --- reading records back (figures, tests) ------------------------------------------------------------------
def rows_of(source, kind: str) -> list[dict]:
    """The rows of the table of record type ``kind`` as dicts (field -> JSON value), from a ``CheckResult`` or
    from a certificate dict: the figures read this, so a figure drawn from a stored certificate is the figure
    of the run that wrote it."""
    tables = source.to_certificate()["results"]["tables"] if isinstance(source, CheckResult) else \
        source["results"]["tables"]
    found = [t for t in tables if t.get("kind") == kind]
    if len(found) != 1:
        raise KeyError(f"expected one table of {kind!r}, found {len(found)} (kinds: {[t.get('kind') for t in tables]})")
    names = found[0]["fields"]
    return [dict(zip(names, row)) for row in found[0]["rows"]]


def cell_bounds(value) -> tuple[float, float, float]:
    """(value, low, high) of a JSON cell: an estimate's interval, or an exact number with low = high."""
    if isinstance(value, dict):
        return float(value["value"]), float(value["low"]), float(value["high"])
    v = float(Fraction(value)) if isinstance(value, str) and "/" in value else float(value)
    return v, v, v

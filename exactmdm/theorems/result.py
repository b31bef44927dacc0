"""The result object every check returns, its table, and its certificate."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from fractions import Fraction

from ..provenance import package_versions

SCHEMA_VERSION = 2

PAPER_FENG = ("Feng, Geng, Guan, Wu, Wang, He 2025, 'Theoretical Benefit and Limitation of Diffusion Language Model', "
              "arXiv 2502.09622v2 (NeurIPS 2025); numbering (Assumption 4.1, Theorems 4.2-4.4) as in that version")
PAPER_LI_CAI = ("Li, Cai 2025, 'A Convergence Theory for Diffusion Language Models: An Information-Theoretic "
                "Perspective', arXiv 2505.21400v1 (v2 is retitled 'Breaking AR's Sampling Bottleneck'); numbering "
                "(Theorems 1, 2) as in v1")

FLOAT_REL_TOL = 1e-9
"""Relative tolerance for floats when a certificate is re-run (exact rationals, stored as strings, must match
exactly): floats come from Numba kernels whose last bits may differ across CPUs and library versions."""


def exact_value(value, *, interval=None, note: str = "") -> dict:
    """A citable number: exact rational as a string where known, an interval where certified, the float."""
    out: dict = {}
    if isinstance(value, Fraction):
        out["exact"] = f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
        out["float"] = float(value)
    else:
        out["float"] = float(value)
    if interval is not None:
        out["interval"] = [float(interval[0]), float(interval[1])]
        if all(isinstance(v, Fraction) for v in interval):
            out["interval_exact"] = [str(v) for v in interval]
    if note:
        out["note"] = note
    return out


@dataclass
class Table:
    """Rows of a printed table; each column name carries its unit in brackets where it has one."""

    title: str
    columns: list
    rows: list = field(default_factory=list)

    def add(self, *values):
        if len(values) != len(self.columns):
            raise ValueError(f"row {values} does not match columns {self.columns}")
        self.rows.append(list(values))

    def format(self) -> str:
        cells = [[_fmt(v) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[j]) for r in cells]) for j, c in enumerate(self.columns)]
        line = "  ".join(c.rjust(w) for c, w in zip(self.columns, widths))
        out = [self.title, line, "-" * len(line)]
        out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"title": self.title, "columns": self.columns, "rows": [[_jsonable(v) for v in r] for r in self.rows]}


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, Fraction):
        return f"{float(value):.6g}"
    if isinstance(value, float):
        if math.isinf(value):
            return "inf"
        return f"{value:.6g}"
    return str(value)


MAX_EXACT_BITS = 2000  # larger rationals (e.g. SER at L = 4096) are certified by re-running, stored as floats


def _jsonable(value):
    if isinstance(value, Fraction):
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_EXACT_BITS:
            return float(value)
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    if hasattr(value, "item"):
        return value.item()
    return value


@dataclass
class CheckResult:
    """What a check found: inputs, method, tables of exact values against bounds, constants, verdict."""

    name: str
    theorem: str
    paper: str
    statement: str
    readings: list
    inputs: dict
    method: str
    tables: list
    constants: dict
    verdict: bool
    counterexample: dict | None = None
    options: dict = field(default_factory=dict)

    def format(self) -> str:
        parts = [f"== {self.name}: {self.theorem} ({self.paper})", self.statement.strip(), "",
                 f"method: {self.method}"]
        parts += [f"reading: {r}" for r in self.readings]
        for table in self.tables:
            parts += ["", table.format()]
        if self.constants:
            parts += ["", "verified constants:"]
            for key, val in self.constants.items():
                exact = f" = {val['exact']}" if "exact" in val else ""
                interval = f"  in [{val['interval'][0]:.10g}, {val['interval'][1]:.10g}]" if "interval" in val else ""
                note = f"  ({val['note']})" if val.get("note") else ""
                parts.append(f"  {key}{exact}  ~ {val['float']:.10g}{interval}{note}")
        parts.append("")
        parts.append(f"verdict: {'HOLDS' if self.verdict else 'REFUTED'}")
        if self.counterexample:
            parts.append("counterexample: " + json.dumps(_clean(self.counterexample), sort_keys=True))
        return "\n".join(parts)

    def to_certificate(self) -> dict:
        body = {
            "schema_version": SCHEMA_VERSION,
            "check": self.name,
            "theorem": self.theorem,
            "paper": self.paper,
            "statement": self.statement.strip(),
            "readings": self.readings,
            "inputs": _clean(self.inputs),
            "options": _clean(self.options),
            "method": self.method,
            "results": {"tables": [t.to_dict() for t in self.tables], "constants": _clean(self.constants)},
            "verdict": "holds" if self.verdict else "refuted",
            "counterexample": _clean(self.counterexample),
            "versions": package_versions(),
        }
        body["input_hash"] = input_hash(self.name, body["options"])
        body["certificate_hash"] = certificate_hash(body)
        return body


def _sha256(obj) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(obj, sort_keys=True, allow_nan=False).encode()).hexdigest()


def input_hash(name: str, options: dict) -> str:
    """Hash of what determines the run: the check's name and its options."""
    return _sha256({"check": name, "options": _clean(options)})


def certificate_hash(certificate: dict) -> str:
    """Hash of the whole canonical payload (every field but this hash): any edit of the file changes it."""
    return _sha256({k: v for k, v in certificate.items() if k != "certificate_hash"})


def _clean(obj):
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return _jsonable(obj)


_NOT_COMPARED = {"versions", "certificate_hash"}  # versions differ across machines; the hash is checked on its own


def compare_certificates(old: dict, new: dict, rel: float = FLOAT_REL_TOL) -> list:
    """Differences between a stored certificate and a re-run (empty when they agree).

    Every field is compared except ``versions`` (reported by ``version_differences``) and the hash itself:
    strings (statement, paper, readings, exact rationals) exactly, floats to ``rel`` relative.
    """
    problems = []
    if old.get("verdict") != new.get("verdict"):
        problems.append(f"verdict {old.get('verdict')} -> {new.get('verdict')}")

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                if key not in a or key not in b:
                    problems.append(f"{path}/{key}: present in only one certificate")
                else:
                    walk(a[key], b[key], f"{path}/{key}")
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                problems.append(f"{path}: length {len(a)} -> {len(b)}")
            for i, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{path}[{i}]")
        elif isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
            if not math.isclose(a, b, rel_tol=rel, abs_tol=1e-12):
                problems.append(f"{path}: {a!r} -> {b!r}")
        elif a != b:
            problems.append(f"{path}: {a!r} -> {b!r}")

    walk({k: v for k, v in old.items() if k not in _NOT_COMPARED | {"verdict"}},
         {k: v for k, v in new.items() if k not in _NOT_COMPARED | {"verdict"}}, "")
    return problems


def version_differences(old: dict, new: dict) -> list:
    """Package versions that differ between the certificate and this environment (a note, not a failure)."""
    a, b = old.get("versions") or {}, new.get("versions") or {}
    return [f"{k}: {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]

"""Certificates: the papers checked, the schema, the hashes, and the comparison of a stored certificate with a
re-run (records compared field by field: exact values exactly, floats to a relative tolerance)."""

from __future__ import annotations

import hashlib
import json
import math


SCHEMA_VERSION = 3
"""3: tables hold typed records (``kind``, ``fields``, one JSON value per field); 2 held pre-formatted rows."""

PAPER_FENG = ("Feng, Geng, Guan, Wu, Wang, He 2025, 'Theoretical Benefit and Limitation of Diffusion Language Model', "
              "arXiv 2502.09622v2 (NeurIPS 2025); numbering (Assumption 4.1, Theorems 4.2-4.4) as in that version")
PAPER_LI_CAI = ("Li, Cai 2025, 'A Convergence Theory for Diffusion Language Models: An Information-Theoretic "
                "Perspective', arXiv 2505.21400v1 (v2 is retitled 'Breaking AR's Sampling Bottleneck'); numbering "
                "(Theorems 1, 2) as in v1")

FLOAT_REL_TOL = 1e-9
"""Relative tolerance for floats when a certificate is re-run (exact rationals, stored as strings, must match
exactly): floats come from Numba kernels whose last bits may differ across CPUs and library versions."""


def _sha256(obj) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(obj, sort_keys=True, allow_nan=False).encode()).hexdigest()


def input_hash(name: str, options: dict) -> str:
    """Hash of what determines the run: the check's name and its options (as JSON values)."""
    return _sha256({"check": name, "options": options})


def certificate_hash(certificate: dict) -> str:
    """Hash of the whole canonical payload (every field but this hash): any edit of the file changes it."""
    return _sha256({k: v for k, v in certificate.items() if k != "certificate_hash"})


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
        if _is_table(a) and _is_table(b) and a["fields"] == b["fields"]:  # records: name the row and the field
            walk({k: v for k, v in a.items() if k != "rows"}, {k: v for k, v in b.items() if k != "rows"}, path)
            if len(a["rows"]) != len(b["rows"]):
                problems.append(f"{path} ({a['kind']}): {len(a['rows'])} -> {len(b['rows'])} records")
            for i, (x, y) in enumerate(zip(a["rows"], b["rows"])):
                for name, u, v in zip(a["fields"], x, y):
                    walk(u, v, f"{path} ({a['kind']}) record {i}.{name}")
        elif isinstance(a, dict) and isinstance(b, dict):
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


def _is_table(obj) -> bool:
    return isinstance(obj, dict) and {"kind", "fields", "rows"} <= set(obj)


def version_differences(old: dict, new: dict) -> list:
    """Package versions that differ between the certificate and this environment (a note, not a failure)."""
    a, b = old.get("versions") or {}, new.get("versions") or {}
    return [f"{k}: {a.get(k)} -> {b.get(k)}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]

"""Named families of random languages used by the checks ("ngram2-V2", "hmm3-V3", ...), seeded."""

from __future__ import annotations

import re

from ..errors import InvalidArgument
from ..languages import HMM, NGram

_PATTERN = re.compile(r"^(ngram|hmm)(\d+)-V(\d+)(?:-p([0-9.]+))?$")


def make_language(family: str, seed: int, concentration: float = 1.0):
    """``ngram{n}-V{V}[-p{prune}]`` or ``hmm{H}-V{V}[-p{prune}]``; the default prune is 0.1."""
    match = _PATTERN.match(family)
    if not match:
        raise InvalidArgument(f"family={family!r} must look like 'ngram2-V2', 'ngram3-V2-p0.2' or 'hmm3-V3'.")
    kind, size, vocab, prune = match.groups()
    prune = float(prune) if prune else 0.1
    if kind == "ngram":
        return NGram.random(int(vocab), int(size), seed, concentration, prune)
    return HMM.random(int(size), int(vocab), seed, concentration, prune)


def family_order(family: str) -> int | None:
    match = _PATTERN.match(family)
    return int(match.group(2)) if match and match.group(1) == "ngram" else None

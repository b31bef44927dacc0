"""Named families of random languages used by the checks ("ngram2-V2", "hmm3-V3", ...), seeded."""

from __future__ import annotations

import re

from ..errors import InvalidArgument
from ..languages import HMM, NGram

_PATTERN = re.compile(r"^(ngram|hmm)(\d+)-V(\d+)(?:-p([0-9.]+))?$")


def parse_family(family: str, flag: str = "--families") -> tuple[str, int, int, float]:
    """(kind, order or hidden states, vocabulary size, prune) of ``ngram{n}-V{V}[-p{prune}]`` / ``hmm{H}-V{V}[...]``."""
    match = _PATTERN.match(family) if isinstance(family, str) else None
    if not match:
        raise InvalidArgument(f"{flag}: {family!r} must look like 'ngram2-V2', 'ngram3-V2-p0.2' or 'hmm3-V3'.")
    kind, size, vocab, prune = match.groups()
    prune = float(prune) if prune else 0.1
    if int(vocab) < 1 or int(size) < (2 if kind == "ngram" else 1) or not 0 <= prune <= 1:
        raise InvalidArgument(f"{flag}: {family!r} needs V >= 1, order >= 2 (n-grams) or H >= 1 (HMMs), and a prune "
                              "in [0, 1].")
    return kind, int(size), int(vocab), prune


def make_language(family: str, seed: int, concentration: float = 1.0):
    """``ngram{n}-V{V}[-p{prune}]`` or ``hmm{H}-V{V}[-p{prune}]`` (the default prune is 0.1), or
    ``counterexample16`` (the letter-pair chain; ``seed`` is then unused)."""
    if family == "counterexample16":
        from ..languages import counterexample16

        return counterexample16()
    kind, size, vocab, prune = parse_family(family)
    if kind == "ngram":
        return NGram.random(vocab, size, seed, concentration, prune)
    return HMM.random(size, vocab, seed, concentration, prune)


def family_order(family: str) -> int | None:
    match = _PATTERN.match(family)
    return int(match.group(2)) if match and match.group(1) == "ngram" else None

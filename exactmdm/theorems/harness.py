"""The loop every check shares: languages of named families x seeds, the models compared on each, and the
verdict with its first counterexample."""

from __future__ import annotations

import functools
import itertools
import math
import sys
import time
from typing import Callable, Iterator

from ..cost import DEFAULT_MAX_ENTRIES, DEFAULT_MAX_WORK, check_enumeration_size, log_power
from ..errors import EnumerationTooLarge
from ..exact.partition import MAX_PARTITIONS, num_partitions
from ..models import Oracle, Perturbed
from .families import make_language, parse_family


def prepare(module, options: dict) -> dict:
    """The validated options of ``module``'s check (its DEFAULTS overridden by ``options``, its LIMITS applied),
    after its ``preflight`` has refused, before any work, a run beyond the budgets."""
    from .options import validate

    merged = validate(module.DEFAULTS, options, getattr(module, "LIMITS", None))
    if hasattr(module, "preflight"):
        module.preflight(**merged)
    return merged


def check_function(body):
    """Make ``body(progress=..., **every option)`` the check of its module: options are validated (defaults from
    the module's DEFAULTS, the one place they live) and refused before work, and the result records exactly the
    validated options, whoever calls it (the CLI, ``theorems.run`` or ``module.check(...)`` directly)."""

    @functools.wraps(body)
    def check(progress: Callable[[str], None] | None = None, **options):
        merged = prepare(sys.modules[body.__module__], options)
        result = body(progress=progress or (lambda message: None), **merged)
        result.options = merged
        return result

    return check


def refuse_work(ops: float, what: str, flag: str, alternative: str = ""):
    """Refuse, before any work, a part of a check that would take more than DEFAULT_MAX_WORK operations,
    naming the option that sets its size (``flag``) and what to do instead."""
    if ops > DEFAULT_MAX_WORK:
        raise EnumerationTooLarge(f"{flag}: {what} needs about {ops:.3g} operations (hours or more), more than the "
                                  f"{DEFAULT_MAX_WORK:.3g} a check starts. {alternative or f'Use smaller {flag}.'}")


def each_language(families, seeds, say: Callable[[str], None] | None = None) -> Iterator[tuple]:
    """(family, seed, language) for every family and seed, announcing each through ``say`` with a count and
    an ETA (from the mean time of the languages done so far)."""
    total = len(families) * len(seeds)
    start = time.monotonic()
    for index, (family, seed) in enumerate(itertools.product(families, seeds)):
        if say is not None:
            elapsed = time.monotonic() - start
            eta = f", ETA {elapsed / index * (total - index):.0f}s" if index else ""
            say(f"[{index + 1}/{total}] {family} seed={seed}{eta}")
        yield family, seed, make_language(family, seed)


def check_exact_lengths(families, lengths, what: str, flag: str = "--lengths"):
    """Refuse, before any work, lengths at which the exact enumerations of a check exceed the default budget:
    every partially masked state ((V+1)^L, for eps_learning) and the joint law (V^L H)."""
    for family in families:
        kind, size, vocab, _ = parse_family(family)
        hidden = sum(vocab ** j for j in range(1, size)) if kind == "ngram" else size
        for length in lengths:
            log_entries = max(log_power(vocab + 1, length), log_power(vocab, length) + math.log(hidden))
            check_enumeration_size(0, f"{what} for {family} at L={length}", 8, DEFAULT_MAX_ENTRIES,
                                   f"Use smaller {flag} for the exact part of this check.", log_entries=log_entries,
                                   override="")


def models_for(lang, eps_learning: float, kind: str = "uniform") -> list:
    """The oracle, and the perturbed model at ``eps_learning`` nats when it is > 0."""
    return [Oracle(lang)] + ([Perturbed(lang, eps_learning, kind)] if eps_learning else [])


class Verdict:
    """Holds while every requirement holds; keeps the first counterexample (built only when needed)."""

    def __init__(self):
        self.holds = True
        self.counterexample: dict | None = None

    def require(self, ok: bool, counterexample: Callable[[], dict]) -> bool:
        if not ok:
            if self.holds:
                self.counterexample = counterexample()
            self.holds = False
        return ok


def ratio_or_none(value: float, bound: float) -> float | None:
    """value / bound, or None (printed "-") when the bound is 0 and no ratio is defined."""
    return value / bound if bound > 0 else None


def check_partition_enumeration(families, length: int):
    """Li & Cai's exact left side enumerates every ordered partition (L! for one token per step) and the joint."""
    check_exact_lengths(families, [length], "the joint law and its information quantities", "--length")
    partitions = num_partitions([1] * length)
    if partitions > MAX_PARTITIONS:
        raise EnumerationTooLarge(
            f"--length={length}: the one-token-per-step schedule has {length}! = {partitions:.3g} ordered partitions "
            f"to enumerate exactly (more than {MAX_PARTITIONS}); use --length <= 8.")

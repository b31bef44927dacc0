"""Every option a check takes: its type, what values it accepts, and what it means.

One table serves the command line (flags, ``NAME --help``) and the library (``theorems.run`` validates
through it too), so a bad value is refused before any work with a message that names the flag the user
typed, e.g. ``--eps=-1.0 must be > 0``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

from ..errors import InvalidArgument, InvalidType
from .families import parse_family


@dataclass(frozen=True)
class Option:
    """One option: ``kind`` int/float/str, list or scalar, bounds, and a help text."""

    kind: type
    help: str
    many: bool = False
    minimum: float | None = None
    strict: bool = False  # minimum excluded
    maximum: float | None = None
    strict_maximum: bool = False
    choices: tuple | None = None
    allow_none: bool = False
    min_count: int = 1  # lists: fewest values
    why: str = ""  # why the bounds are what they are (said when a value is refused)

    def check(self, name: str, value):
        """The validated value (lists as lists); raises InvalidArgument / InvalidType naming the flag."""
        flag = flag_of(name)
        if value is None and self.allow_none:
            return None
        if self.many:
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise InvalidType(f"{flag}={value!r} must be a list of values.")
            values = [self._one(flag, v) for v in value]
            if len(values) < self.min_count:
                raise InvalidArgument(f"{flag} needs at least {self.min_count} value{'s' if self.min_count > 1 else ''}, "
                                      f"got {len(values)}.")
            repeated = sorted({v for v in values if values.count(v) > 1}, key=str)
            if repeated:
                raise InvalidArgument(f"{flag} repeats {', '.join(map(str, repeated))}: each value would be computed "
                                      "twice; give each once.")
            return values
        return self._one(flag, value)

    def _one(self, flag, value):
        if self.kind is str:
            if not isinstance(value, str):
                raise InvalidType(f"{flag}={value!r} must be a string.")
            if self.choices and value not in self.choices:
                raise InvalidArgument(f"{flag}={value!r} must be one of {', '.join(self.choices)}.")
            return value
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise InvalidType(f"{flag}={value!r} must be a number.")
        if self.kind is int:
            if value != int(value):
                raise InvalidType(f"{flag}={value!r} must be an integer.")
            value = int(value)
        else:
            value = float(value)
            if not math.isfinite(value):
                raise InvalidArgument(f"{flag}={value!r} must be a finite number.")
        if self.minimum is not None and (value < self.minimum or (self.strict and value == self.minimum)):
            raise InvalidArgument(f"{flag}={value!r} must be {'>' if self.strict else '>='} {self.minimum:g}{self._why()}.")
        if self.maximum is not None and (value > self.maximum or (self.strict_maximum and value == self.maximum)):
            raise InvalidArgument(f"{flag}={value!r} must be {'<' if self.strict_maximum else '<='} {self.maximum:g}"
                                  f"{self._why()}.")
        return value


    def _why(self) -> str:
        return f" ({self.why})" if self.why else ""


def flag_of(name: str) -> str:
    return "--" + name.replace("_", "-")


OPTIONS = {
    "families": Option(str, "language families: ngram{n}-V{V}[-p{prune}] or hmm{H}-V{V}[-p{prune}], e.g. ngram2-V3",
                       many=True),
    "seeds": Option(int, "seeds of the random languages", many=True, minimum=0),
    "lengths": Option(int, "sequence lengths L", many=True, minimum=1),
    "length": Option(int, "sequence length L", minimum=1),
    "steps": Option(int, "numbers of sampling steps N", many=True, minimum=1),
    "eps": Option(float, "eps of Theorem 4.2 (theorem_ter) / eps_learning in nats (assumption check)", many=True,
                  minimum=0.0, strict=True),
    "eps_learning": Option(float, "eps_learning of the perturbed model, nats (0: oracle only)", minimum=0.0),
    "delta": Option(float, "target SER", minimum=0.0, strict=True, maximum=1.0, strict_maximum=True),
    "max_length": Option(int, "largest L enumerated exactly for C*", minimum=2),
    "c_grid": Option(float, "values of C in N = ceil(C L)", many=True, minimum=0.0, strict=True),
    "claim_c": Option(float, "claim SER > 1/2 for all N <= C L with this C; refuted (exit 1) when C > C*", minimum=0.0,
                      strict=True, allow_none=True),
    "bound_factor": Option(float, "multiply the theorem's bound by this (values < 1 show that the check can fail)",
                           minimum=0.0),
    "claim_factor": Option(float, "claim eps_learning <= factor * eps", minimum=0.0, strict=True),
    "mc_samples": Option(int, "Monte Carlo samples", minimum=1),
    "seed": Option(int, "seed of Monte Carlo draws and searches (independent streams are spawned from it)", minimum=0),
    "max_steps": Option(int, "largest N searched", minimum=1),
    "kinds": Option(str, "perturbation kinds", many=True, choices=("uniform", "temperature")),
    "samples": Option(int, "Monte Carlo draws per long-L cell (sequences x ~ q; sampled states x_t in the assumption "
                      "check)", minimum=2),
    "ter_eps_bits": Option(float, "TER target KL/L in bits/token for the N_min column", minimum=0.0, strict=True),
    "search_candidates": Option(int, "random step-weight vectors tried in the schedule search", minimum=0),
    "long_lengths": Option(int, "lengths of the long-L tables", many=True, minimum=1),
    "long_c_grid": Option(float, "values of C in N = ceil(C L) for the long-L random-language table", many=True,
                          minimum=0.0, strict=True),
    "long_steps": Option(int, "steps of the long-L table", many=True, minimum=1),
    "long_families": Option(str, "random-language families of the long-L tables", many=True),
    "long_model_steps": Option(int, "steps of the long-L Monte Carlo tables", many=True, minimum=1),
    "exact_samples": Option(int, "sequences per cell of the exact-log-p (gap DP) estimate; < 2 skips it", minimum=0),
    "random_schedules": Option(int, "random size compositions per language", minimum=0),
    "exact_length": Option(int, "L at which eps_learning is enumerated exactly", minimum=1),
    "sampled_length": Option(int, "L at which eps_learning is sampled", minimum=1),
    "dp_length": Option(int, "L at which the optimal schedule's DP is compared with brute force over every composition",
                        minimum=1),
    "dp_steps": Option(int, "step counts T of the DP against brute force", many=True, minimum=1),
    "table_families": Option(str, "languages of the long-L schedule tables: the families of --families, "
                             "sticky{H}-V{V}-s{stay}[-n{noise}] or counterexample16 (Markov chains exact at "
                             "--table-lengths, other HMMs Monte Carlo at --mc-lengths)", many=True),
    "table_lengths": Option(int, "lengths L of the exact (Markov-chain) schedule tables", many=True, minimum=2),
    "steps_lengths": Option(int, "lengths L of the steps-needed table and its growth fit (Markov chains, exact)",
                            many=True, minimum=2),
    "table_steps": Option(int, "step counts T of the schedule tables", many=True, minimum=1),
    "kl_targets": Option(float, "targets eps (nats) of the steps-needed table: least T with E KL <= eps", many=True,
                         minimum=0.0, strict=True),
    "mc_lengths": Option(int, "lengths L of the Monte Carlo (HMM) schedule tables", many=True, minimum=2),
    "geometric_ratio": Option(float, "ratio of consecutive sizes of the geometric schedule", minimum=0.0, strict=True),
}


def spec(name: str, limits: dict | None = None) -> Option:
    """The option ``name`` as a check takes it: the table's entry, tightened by the check's ``limits``."""
    return replace(OPTIONS[name], **(limits or {}).get(name, {}))


def validate(defaults: dict, options: dict, limits: dict | None = None) -> dict:
    """``defaults`` overridden by ``options``, every value checked against the table (tightened by the check's
    ``limits``); unknown names raise with the known ones.

    The long-L tables follow ``--families`` when only that is given (a user who names a family means it
    everywhere); ``--long-families`` sets them apart. The resolved value is what the certificate records.
    """
    unknown = sorted(set(options) - set(defaults))
    if unknown:
        raise InvalidArgument(f"unknown option(s) {', '.join(flag_of(u) for u in unknown)}; this check takes "
                              f"{', '.join(flag_of(k) for k in sorted(defaults))}.")
    merged = dict(defaults)
    merged.update(options)
    if "families" in options and "long_families" in defaults and "long_families" not in options:
        merged["long_families"] = options["families"]
    out = {name: spec(name, limits).check(name, value) for name, value in merged.items()}
    for name in ("families", "long_families"):
        for family in out.get(name) or []:
            parse_family(family, flag_of(name))
    return out

"""Feng et al. 2025, Theorem 4.3 (SER with sufficient steps) -- check ``theorem_ser_sufficient``.

Statement (arXiv 2502.09622): for any HMM q and delta > 0, with eps_learning < O(delta/L) and enough steps,
SER(p) <= delta. (The exact N is unconfirmed.)

What is proved and checked exactly: with the fixed-size schedule at N = L (one token per step) the oracle
never leaves the support, and a model with eps_learning <= eps puts at most 1 - e^-eps of mass on tokens
the support forbids (KL(q||p) >= -log p(supp q)), so SER <= 1 - e^(-L eps) <= L eps = delta for
eps = delta / L (``one_per_step_bound``). With the i.i.d. schedule dependent tokens can collide in one step,
so the least N reaching SER <= delta grows with L, measured here; and the largest eps that keeps
SER <= delta at N = L is found by bisection on the exact SER.
Reading: eps_learning in nats; the perturbed model is the uniform mixture (the kind that spends its KL
budget on forbidden tokens).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .. import exact as _exact
from .. import montecarlo
from ..exact import letter_pair as lp
from ..models import Oracle, Perturbed
from ..montecarlo import Estimate
from ..schedules import balanced_sizes, fixed_sizes, iid
from . import bounds
from .harness import Verdict, check_exact_lengths, check_function, each_language, refuse_work
from .monotone import last_true
from .records import CheckResult, Constant, Table, column
from .result import PAPER_FENG

NAME = "theorem_ser_sufficient"
SUMMARY = "Feng et al. Thm 4.3: SER <= delta with eps_learning = delta/L at N = L; N_min for i.i.d. schedules"
DEFAULTS = {"families": ["hmm3-V3-p0.2"], "seeds": [0, 1], "lengths": [2, 3, 4, 5, 6], "delta": 0.02, "max_steps": 256,
            "bound_factor": 1.0, "long_lengths": [64, 256, 1024], "c_grid": [0.25, 1.0, 4.0], "mc_samples": 200, "seed": 0}
LIMITS = {"long_lengths": {"minimum": 2}, "c_grid": {"maximum": 64.0, "why": "N = ceil(C L) Monte Carlo steps"},
          "max_steps": {"maximum": 1 << 16, "why": "each N tried runs the exact engine with N steps"}}


@dataclass(frozen=True)
class OnePerStepRow:
    language: str = column("language")
    seed: int = column("seed")
    L: int = column("L")
    eps: float = column("eps [nats]")
    ser_oracle: float = column("SER oracle")
    ser_model: float = column("SER model")
    bound: float = column("bound 1-e^(-L eps)")
    holds: bool = column("<= delta")


@dataclass(frozen=True)
class LeastStepsRow:
    language: str = column("language")
    seed: int = column("seed")
    L: int = column("L")
    n_min: int | None = column("N_min (- : > max_steps)")
    n_min_over_l: float | None = column("N_min / L")
    largest_eps: float = column("largest eps [nats]")
    largest_eps_times_l: float = column("largest eps * L")


@dataclass(frozen=True)
class LongSerRow:
    language: str = column("language")
    seed: int = column("seed")
    L: int = column("L")
    C: float = column("C")
    N: int = column("N")
    model: str = column("model")
    ser_iid: Estimate = column("SER iid")
    ser_fixed: Estimate | None = column("SER fixed (- : N > L)")
    letter_pair_ser: float = column("letter-pair SER iid (exact)")


def _ser(lang, length, schedule, model):
    return _exact.output_distribution(lang, length, schedule, model).escaped


def least_steps(lang, length, delta, model, max_steps):
    """Least N <= max_steps (i.i.d. linear) with exact SER <= delta (SER falls with N); None if there is none."""
    last_failing = last_true(lambda n: _ser(lang, length, iid(n), model) > delta, upper=max_steps)
    return last_failing + 1 if last_failing < max_steps else None


def largest_eps(lang, length, delta, iterations=30):
    """Largest uniform-mixture eps (nats) with exact SER <= delta at N = L fixed sizes (bisection in log eps)."""
    one = fixed_sizes([1] * length)
    lo, hi = 0.0, 1.0
    while _ser(lang, length, one, Perturbed(lang, hi)) <= delta:
        lo, hi = hi, hi * 2
        if hi > 64:
            return math.inf
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if _ser(lang, length, one, Perturbed(lang, mid)) <= delta:
            lo = mid
        else:
            hi = mid
    return lo


def preflight(families, lengths, long_lengths, c_grid, mc_samples, **_):
    check_exact_lengths(families, lengths, "the exact state-space engine")
    for L in long_lengths:
        refuse_work(4 * mc_samples * L * max(1, math.ceil(max(c_grid) * L)) * len(families),
                    f"the Monte Carlo SER at L={L}, N = ceil({max(c_grid)} L)", "--long-lengths",
                    "Use smaller --long-lengths, --c-grid or --mc-samples.")


def long_ser_table(families, seeds, long_lengths, c_grid, delta, mc_samples, seed, say) -> Table:
    """Monte Carlo SER (Clopper-Pearson 99%) at long L against N/L, oracle and the model with eps = delta/L,
    i.i.d. linear and (N <= L) fixed balanced sizes, beside the letter-pair chain's exact SER (oracle, i.i.d.
    linear) at the same (L, N)."""
    streams = iter(np.random.SeedSequence(seed).spawn(len(families) * len(seeds) * len(long_lengths) * len(c_grid) * 4))
    t = Table(f"SER at long L by Monte Carlo ({mc_samples} sequences per cell, 99% Clopper-Pearson), N = ceil(C L)",
              LongSerRow)
    for family, lang_seed, lang in each_language(families, seeds, say):
        for L in long_lengths:
            for C in c_grid:
                N = max(1, math.ceil(C * L))
                for model in (Oracle(lang), Perturbed(lang, delta / L)):
                    cells = []
                    for schedule in (iid(N), balanced_sizes(L, N) if N <= L else None):
                        stream = int(next(streams).generate_state(1)[0])
                        cells.append(None if schedule is None else
                                     montecarlo.ser(lang, L, schedule, model, num=mc_samples, seed=stream))
                    t.add(LongSerRow(family, lang_seed, L, C, N, model.name, *cells,
                                     -math.expm1(lp.log_correct_uniform(L, N))))
    return t


@check_function
def check(*, families, seeds, lengths, delta, max_steps, bound_factor, long_lengths, c_grid, mc_samples, seed,
          progress) -> CheckResult:
    """Theorem 4.3 of Feng et al.: SER <= delta with eps_learning = delta/L and one token per step."""
    t1 = Table(f"N = L fixed sizes, uniform mixture with eps_learning = delta/L (delta = {delta})", OnePerStepRow)
    t2 = Table(f"least N (i.i.d. linear, oracle) with SER <= {delta}, and largest eps keeping SER <= {delta} at N = L",
               LeastStepsRow)
    verdict = Verdict()
    for family, lang_seed, lang in each_language(families, seeds, progress):
        for L in lengths:
            eps = delta / L
            one = fixed_sizes([1] * L)
            ser_oracle = _ser(lang, L, one, Oracle(lang))
            ser_model = _ser(lang, L, one, Perturbed(lang, eps))
            bound = bound_factor * bounds.one_per_step_ser_bound(L, eps)
            ok = ser_model <= bound * (1 + 1e-12) and ser_model <= delta and ser_oracle == 0.0
            t1.add(OnePerStepRow(family, lang_seed, L, eps, ser_oracle, ser_model, bound, ok))
            verdict.require(ok, lambda: {"language": lang.describe(), "L": L, "eps_nats": eps, "SER": ser_model,
                                         "bound": bound, "delta": delta})
            n_min = least_steps(lang, L, delta, Oracle(lang), max_steps)
            big = largest_eps(lang, L, delta)
            t2.add(LeastStepsRow(family, lang_seed, L, n_min, n_min / L if n_min else None, big, big * L))
    constants = {}
    found = [r for r in t2.rows if r.n_min is not None]
    if found:
        first, last = min(r.L for r in found), max(r.L for r in found)
        top = {L: max(r.n_min for r in found if r.L == L) for L in (first, last)}
        constants["N_min_ratio_last_first"] = Constant(
            top[last] / top[first], note=f"max N_min at L={last} over max N_min at L={first} (length ratio "
                                         f"{last / first:g})")
    progress("Monte Carlo SER at long L")
    long = long_ser_table(families, seeds[:1], long_lengths, c_grid, delta, mc_samples, seed, progress)
    # the theorem's setting (N = L, fixed sizes, eps = delta/L) is judged by the lower Clopper-Pearson end
    judged = [r for r in long.rows if r.N == r.L and r.model != "oracle" and r.ser_fixed is not None]
    bad = [r for r in judged if r.ser_fixed.low > bound_factor * bounds.one_per_step_ser_bound(r.L, delta / r.L)]
    verdict.require(not bad, lambda: {"long_L": "at N = L with fixed sizes the lower 99% end of the Monte Carlo SER "
                                                "exceeds 1 - exp(-delta)", "L": bad[0].L, "language": bad[0].language})
    return CheckResult(
        NAME, "Theorem 4.3 (SER with sufficient steps)", PAPER_FENG,
        "With eps_learning = delta/L and one token per step (N = L), SER <= 1 - exp(-delta) <= delta.",
        ["eps_learning in nats; uniform mixture model p = (1-l) q + l/V with l = 1 - exp(-eps)",
         "enough steps = N = L with the fixed-size schedule; i.i.d. schedules reported by their least N",
         "long L: the theorem's setting (N = L, fixed sizes, model with eps = delta/L) is judged by the lower end of the "
         "99% Clopper-Pearson interval (an estimate cannot refute the theorem by noise); other rows are reported"],
        "state-space engine (exact), bisection on exact SER; Monte Carlo with Clopper-Pearson intervals at "
        "long L", [t1, t2, long], constants,
        verdict.holds, verdict.counterexample)

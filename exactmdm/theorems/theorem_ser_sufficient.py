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

import numpy as np

from .. import exact as _exact
from .. import montecarlo
from ..exact import letter_pair as lp
from ..models import Oracle, Perturbed
from ..schedules import balanced_sizes, fixed_sizes, iid
from .harness import Verdict, check_exact_lengths, each_language
from .monotone import last_true
from .result import PAPER_FENG, CheckResult, Table, exact_value

NAME = "theorem_ser_sufficient"
SUMMARY = "Feng et al. Thm 4.3: SER <= delta with eps_learning = delta/L at N = L; N_min for i.i.d. schedules"
DEFAULTS = {"families": ["hmm3-V3-p0.2"], "seeds": [0, 1], "lengths": [2, 3, 4, 5, 6], "delta": 0.02, "max_steps": 256,
            "bound_factor": 1.0, "long_lengths": [64, 256, 1024], "c_grid": [0.25, 1.0, 4.0], "mc_samples": 200, "seed": 0}


def one_per_step_bound(length: int, eps_nats: float) -> float:
    """SER <= 1 - exp(-L eps) for N = L fixed sizes and any model with eps_learning <= eps (nats)."""
    return -math.expm1(-length * eps_nats)


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


def preflight(families, lengths, **_):
    check_exact_lengths(families, lengths, "the exact state-space engine")


def long_ser_table(families, seeds, long_lengths, c_grid, delta, mc_samples, seed, say, bound_factor=1.0):
    """Monte Carlo SER (Clopper-Pearson 99%) at long L against N/L, oracle and the model with eps = delta/L,
    i.i.d. linear and (N <= L) fixed balanced sizes, beside the letter-pair chain's exact SER (oracle, i.i.d.
    linear) at the same (L, N). Returns the table and whether, at N = L with fixed sizes (the theorem's
    setting), every model row's lower interval end is within the bound 1 - exp(-delta)."""
    streams = iter(np.random.SeedSequence(seed).spawn(len(families) * len(seeds) * len(long_lengths) * len(c_grid) * 4))
    t = Table(f"SER at long L by Monte Carlo ({mc_samples} sequences per cell, 99% Clopper-Pearson), N = ceil(C L)",
              ["language", "seed", "L", "C", "N", "model", "SER iid", "interval iid", "SER fixed", "interval fixed",
               "letter-pair SER iid (exact)"])
    ok = True
    for family, lang_seed, lang in each_language(families, seeds, say):
        for L in long_lengths:
            for C in c_grid:
                N = max(1, math.ceil(C * L))
                for model in (Oracle(lang), Perturbed(lang, delta / L)):
                    cells = []
                    for schedule in (iid(N), balanced_sizes(L, N) if N <= L else None):
                        stream = int(next(streams).generate_state(1)[0])
                        if schedule is None:
                            cells += ["n/a (N > L)", ""]
                            continue
                        est = montecarlo.ser(lang, L, schedule, model, num=mc_samples, seed=stream)
                        cells += [est.value, f"[{est.low:.3g}, {est.high:.3g}]"]
                        if N == L and schedule.kind == "fixed_sizes":
                            ok = ok and est.low <= bound_factor * one_per_step_bound(L, delta / L)
                    t.add(family, lang_seed, L, C, N, model.name, *cells, -math.expm1(lp.log_correct_uniform(L, N)))
    return t, ok


def check(families=None, seeds=None, lengths=None, delta=0.02, max_steps=256, bound_factor=1.0, long_lengths=None,
          c_grid=None, mc_samples=200, seed=0, progress=None) -> CheckResult:
    families = list(families or DEFAULTS["families"])
    seeds = list(seeds if seeds is not None else DEFAULTS["seeds"])
    lengths = list(lengths or DEFAULTS["lengths"])
    say = progress or (lambda msg: None)
    t1 = Table(f"N = L fixed sizes, uniform mixture with eps_learning = delta/L (delta = {delta})",
               ["language", "seed", "L", "eps [nats]", "SER oracle", "SER model", "bound 1-e^(-L eps)", "<= delta"])
    t2 = Table(f"least N (i.i.d. linear, oracle) with SER <= {delta}, and largest eps keeping SER <= {delta} at N = L",
               ["language", "seed", "L", "N_min", "N_min / L", "largest eps [nats]", "largest eps * L"])
    verdict = Verdict()
    growth = []
    for family, seed, lang in each_language(families, seeds, say):
        for L in lengths:
            eps = delta / L
            one = fixed_sizes([1] * L)
            ser_oracle = _ser(lang, L, one, Oracle(lang))
            ser_model = _ser(lang, L, one, Perturbed(lang, eps))
            bound = bound_factor * one_per_step_bound(L, eps)
            ok = ser_model <= bound * (1 + 1e-12) and ser_model <= delta and ser_oracle == 0.0
            t1.add(family, seed, L, eps, ser_oracle, ser_model, bound, ok)
            verdict.require(ok, lambda: {"language": lang.describe(), "L": L, "eps_nats": eps, "SER": ser_model,
                                         "bound": bound, "delta": delta})
            n_min = least_steps(lang, L, delta, Oracle(lang), max_steps)
            big = largest_eps(lang, L, delta)
            t2.add(family, seed, L, n_min if n_min else f"> {max_steps}", n_min / L if n_min else "n/a", big, big * L)
            if n_min:
                growth.append((L, n_min))
    constants = {}
    if growth:
        by_l = {}
        for L, n in growth:
            by_l.setdefault(L, []).append(n)
        first, last = min(by_l), max(by_l)
        constants["N_min_ratio_last_first"] = exact_value(
            max(by_l[last]) / max(by_l[first]), note=f"max N_min at L={last} over max N_min at L={first} "
                                                     f"(length ratio {last / first:g})")
    say("Monte Carlo SER at long L")
    long, long_ok = long_ser_table(families, seeds[:1], list(long_lengths or DEFAULTS["long_lengths"]),
                                   list(c_grid or DEFAULTS["c_grid"]), delta, mc_samples, seed, say, bound_factor)
    verdict.require(long_ok, lambda: {"long_L": "at N = L with fixed sizes the lower 99% end of the Monte Carlo SER "
                                                "exceeds 1 - exp(-delta)"})
    inputs = {"families": families, "seeds": seeds, "lengths": lengths, "delta": delta, "max_steps": max_steps,
              "long_lengths": long_lengths, "c_grid": c_grid, "mc_samples": mc_samples, "seed": seed,
              "bound_factor": bound_factor}
    return CheckResult(
        NAME, "Theorem 4.3 (SER with sufficient steps)", PAPER_FENG,
        "With eps_learning = delta/L and one token per step (N = L), SER <= 1 - exp(-delta) <= delta.",
        ["eps_learning in nats; uniform mixture model p = (1-l) q + l/V with l = 1 - exp(-eps)",
         "enough steps = N = L with the fixed-size schedule; i.i.d. schedules reported by their least N",
         "long L: the theorem's setting (N = L, fixed sizes, model with eps = delta/L) is judged by the lower end of the "
         "99% Clopper-Pearson interval (an estimate cannot refute the theorem by noise); other rows are reported"],
        inputs, "state-space engine (exact), bisection on exact SER; Monte Carlo with Clopper-Pearson intervals at "
                "long L", [t1, t2, long], constants,
        verdict.holds, verdict.counterexample)

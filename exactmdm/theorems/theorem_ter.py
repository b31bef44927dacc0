"""Feng et al. 2025, Theorem 4.2 (TER for n-gram languages) -- check ``theorem_ter``.

Statement (arXiv 2502.09622): for any n-gram language q and any eps > 0, with L >= O((n-1)/eps^(n+0.5))
there is a masking schedule such that with N = O((n-1)/eps^(n+0.5)) steps,
    log TER(p) <= log TER(q) + eps_learning + 4 eps log|V|,
i.e. KL(q || p)/L <= eps_learning + 4 eps log|V| (the identity log2 TER(p) - log2 TER(q) = KL_bits/L).

Readings: logs base 2 with eps_learning converted to bits (the inequality reads the same in any base when
eps_learning is converted with it); the mixed reading (eps_learning in nats inside the base-2
inequality) is reported beside it. eps_learning is the model's exact measured value (max over reachable
x_t, ``metrics.eps_learning``). The check shows N_min(eps, L), the least N on the grid satisfying the
inequality, per language and length, whether it stays flat in L, and the empirical constant
c = N_min eps^(n+0.5) / (n-1). Long lengths: the letter-pair chain (an order-2 language) has the exact
KL/L = -log2(1 - SER)/L in closed form at every L; random n-grams at L = 256 ... 1024 get the path-KL upper
bound with a 99% interval (every order) and, for 2-grams where the Markov gap DP is affordable, the
unbiased estimate from exact log p(x).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .. import exact as _exact
from .. import metrics, montecarlo
from ..exact import letter_pair as lp
from ..montecarlo import Estimate
from ..profile import profile
from ..schedules import balanced_sizes, iid
from . import bounds
from .families import family_order, parse_family
from .harness import Verdict, check_exact_lengths, check_function, each_language, models_for, refuse_work
from .records import CheckResult, Constant, Table, column
from .result import PAPER_FENG

NAME = "theorem_ter"
SUMMARY = "Feng et al. Thm 4.2: KL/L <= eps_learning + 4 eps log|V| with N independent of L (n-grams)"
DEFAULTS = {"families": ["ngram2-V2", "ngram2-V3", "ngram3-V2", "ngram4-V2"], "seeds": [0, 1], "lengths": [3, 4, 5, 6],
            "steps": [1, 2, 4, 8, 16, 32, 64, 128], "eps": [0.002, 0.005, 0.01, 0.02, 0.05],
            "eps_learning": 0.001, "bound_factor": 1.0,
            "long_lengths": [256, 512, 1024], "long_steps": [64, 128, 256, 512, 1024, 2048],
            "long_families": ["ngram2-V2", "ngram3-V2", "ngram4-V2"],
            "long_model_steps": [4, 16, 64, 128, 256, 512, 1024, 2048],
            "samples": 64, "exact_samples": 8, "seed": 0}
LIMITS = {"long_lengths": {"minimum": 2}}

EXACT_CELL_WORK = 2e10
"""Largest gap-DP cost (L^4 N / 24 multiply-adds, about 2 s on two cores) per sequence in the default exact table."""


# --- the records ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class KLRow:
    language: str = column("language")
    seed: int = column("seed")
    model: str = column("model")
    eps_learning_bits: float = column("eps_learn [bits]")
    L: int = column("L")
    N: int = column("N")
    kl_bits_per_token: float = column("KL/L [bits]")
    eps_total_percent: float = column("eps_total [%]")


@dataclass(frozen=True)
class NMinRow:
    language: str = column("language")
    seed: int = column("seed")
    model: str = column("model")
    sampler: str = column("sampler")
    eps: float = column("eps")
    L: int = column("L")
    bound_bits: float = column("bound [bits]")
    n_min: int | None = column("N_min (base 2)")
    n_min_mixed: int | None = column("N_min (mixed)")


@dataclass(frozen=True)
class LetterPairRow:
    L: int = column("L")
    N: int = column("N")
    eps_total_percent: float = column("eps_total [%]")


@dataclass(frozen=True)
class PathKLRow:
    language: str = column("language")
    seed: int = column("seed")
    L: int = column("L")
    N: int = column("N")
    eps_total_percent: Estimate = column("eps_total [%]")
    kl_bits_per_token: Estimate = column("path KL/L [bits]")


@dataclass(frozen=True)
class CertifiedNMinRow:
    language: str = column("language")
    seed: int = column("seed")
    L: int = column("L")
    eps: float = column("eps")
    n_min: int | None = column("N_min")


@dataclass(frozen=True)
class ShapeRow:
    language: str = column("language")
    seed: int = column("seed")
    flat_at: tuple = column("flat in L at N")
    falls_from: tuple = column("falls at every L from N")
    n_min_growth: float | None = column("N_min(L_max)/N_min(L_min), max over eps")


@dataclass(frozen=True)
class ExactLogPRow:
    language: str = column("language")
    L: int = column("L")
    N: int = column("N")
    exact: Estimate = column("exact-log-p KL/L [bits]")
    eps_total_percent: float = column("eps_total [%]")
    path: Estimate = column("path-KL KL/L [bits]")


def _first_step(kl_by_length_step: dict, length: int, steps, bound: float):
    """Least N on the grid whose exact KL/L at this length is within the bound (None if none is)."""
    return next((N for N in steps if (length, N) in kl_by_length_step and kl_by_length_step[length, N] <= bound), None)


def exact_kl_grid(lang, model, lengths, steps, say=None) -> dict:
    """{"iid": {(L, N): KL/L bits}, "fixed": {...}, "eps_total": {...}}: exact KL(q||p)/L for i.i.d. linear and
    balanced fixed sizes."""
    results = {"iid": {}, "fixed": {}, "eps_total": {}}
    for L in lengths:
        if say:
            say(f"{model.name} L={L}")
        for N in steps:
            s = metrics.evaluate(lang, _exact.output_distribution(lang, L, iid(N), model))
            results["iid"][L, N] = s.kl_bits_per_token
            results["eps_total"][L, N] = s.eps_total
            if N <= L:
                out = _exact.output_distribution(lang, L, balanced_sizes(L, N), model)
                results["fixed"][L, N] = metrics.evaluate(lang, out).kl_bits_per_token
    return results


def n_min_rows(family, lang_seed, lang, model, measured, results, lengths, steps, eps_grid, bound_factor) -> list:
    """N_min records for one (language, model): per sampler, eps and L, the least N on the grid within the bound
    in the base-2 reading and in the mixed reading."""
    rows = []
    for sampler in ("iid", "fixed"):
        for e in eps_grid:
            for L in lengths:
                b2 = bound_factor * bounds.ter_bound_bits(e, measured[L] / math.log(2), lang.vocab_size)
                bmix = bound_factor * bounds.ter_bound_bits(e, measured[L], lang.vocab_size)
                rows.append(NMinRow(family, lang_seed, model.name, sampler, e, L, b2,
                                    _first_step(results[sampler], L, steps, b2),
                                    _first_step(results[sampler], L, steps, bmix)))
    return rows


def _eps_total_percent(kl_bits_per_token: float) -> float:
    return 100 * math.expm1(kl_bits_per_token * math.log(2))


def _as_eps_total(est: Estimate) -> Estimate:
    """The path-KL estimate (bits/token) as eps_total = 2^(KL/L) - 1 in percent, interval mapped end by end
    (the map is increasing)."""
    return dataclasses.replace(est, value=_eps_total_percent(est.value), low=_eps_total_percent(est.low),
                               high=_eps_total_percent(est.high), quantity="eps_total", unit="%")


def path_kl_per_token(lang, length: int, steps, samples: int, seed: int) -> dict:
    """{N: path KL / L in bits/token} under i.i.d. linear schedules with N steps, oracle.

    The path KL is E over the reveal order of KL(q || p_order) (>= KL(q || p)); by the information-profile
    identity it is sum_c a_c(N) h(c) - H with h(j) = E H(X_a | X_R), |R| = j. Exact for Markov chains (the
    profile's nearest-neighbour form); otherwise one Monte Carlo profile (``samples`` sequences, exact
    per-sample conditional entropies) serves every N, so the N share their random numbers and the 99% CLT
    intervals are those of the per-sample identity, far narrower than sampling reveal paths."""
    chain = lang.token_chain() is not None
    prof = profile(lang, length, method="markov") if chain else profile(lang, length, method="montecarlo", num=samples,
                                                                        seed=seed)
    scale = length * math.log(2)
    out = {}
    for N in steps:
        value = prof.expected_kl(iid(N))
        if isinstance(value, Estimate):
            out[N] = dataclasses.replace(value, value=value.value / scale, low=value.low / scale,
                                         high=value.high / scale, quantity="path KL/L", unit="bits/token")
        else:
            out[N] = Estimate(value / scale, value / scale, value / scale, 0, 1.0, "exact", "path KL/L", "bits/token",
                              f"information profile ({prof.method})")
    return out


def long_random_tables(long_families, seeds, long_lengths, long_model_steps, eps_grid, samples, exact_samples, seed,
                       say) -> tuple[list, dict]:
    """Random n-grams at long L: eps_total from the path KL (exact for 2-grams, Monte Carlo intervals
    otherwise; ``path_kl_per_token``), the exact-log-p estimate of KL(q||p) itself for 2-grams where the gap
    DP is affordable, the certified N_min(eps) per L, and a summary of the shape (flat in L, falling in N);
    returns the tables and the N_min growth constants."""
    cells = np.random.SeedSequence(seed).spawn(len(long_families) * len(seeds) * len(long_lengths))
    cell_seeds = iter(int(c.generate_state(1)[0]) for c in cells)
    table = Table(f"random n-grams at long L, oracle, i.i.d. linear: eps_total [%] = 2^(KL/L) - 1 from the path KL (an "
                  f"upper bound on KL(q||p)): exact for 2-grams, else mean [99% interval] from {samples} sequences x ~ q "
                  "per (language, L)", PathKLRow, pivot=("N", "eps_total_percent"))
    nmin = Table("certified N_min(eps) at long L: least N on the grid whose path-KL upper interval end is <= 4 eps log2|V| "
                 "(oracle, so eps_learning = 0); - if none on the grid", CertifiedNMinRow, pivot=("eps", "n_min"))
    shape = Table("shape of eps_total at long L (from the path-KL table above): flat in L = at that N the 99% intervals "
                  "of all L share a point; falls with N = at every L the interval at the next N lies wholly below",
                  ShapeRow)
    constants = {}
    for family, lang_seed, lang in each_language(long_families, seeds, say):
        est = {}
        for L in long_lengths:
            by_steps = path_kl_per_token(lang, L, long_model_steps, samples, next(cell_seeds))
            for N in long_model_steps:
                est[L, N] = by_steps[N]
                table.add(PathKLRow(family, lang_seed, L, N, _as_eps_total(est[L, N]), est[L, N]))
            for e in eps_grid:
                nmin.add(CertifiedNMinRow(family, lang_seed, L, e, next(
                    (N for N in long_model_steps if est[L, N].high <= bounds.ter_bound_bits(e, 0.0, lang.vocab_size)),
                    None)))
        flat = tuple(N for N in long_model_steps if max(est[L, N].low for L in long_lengths)
                     <= min(est[L, N].high for L in long_lengths))
        falls = tuple(N for N, N2 in zip(long_model_steps, long_model_steps[1:])
                      if all(est[L, N2].high < est[L, N].low for L in long_lengths))
        mins = {(r.L, r.eps): r.n_min for r in nmin.where(language=family, seed=lang_seed)}
        growth = [mins[long_lengths[-1], e] / mins[long_lengths[0], e] for e in eps_grid
                  if mins[long_lengths[0], e] and mins[long_lengths[-1], e]]
        shape.add(ShapeRow(family, lang_seed, flat, falls, max(growth) if growth else None))
        if growth:
            constants[f"N_min_growth_long_{family}"] = Constant(
                max(growth), note=f"max over eps of certified N_min(L={long_lengths[-1]}) / N_min(L={long_lengths[0]}) "
                                  "(path-KL upper 99% end; 1 = steps independent of L, as the theorem says)")
    tables = [table, nmin, shape]
    exact_cells = [(L, N) for L in long_lengths for N in long_model_steps if L ** 4 * N / 24 <= EXACT_CELL_WORK]
    chains = [f for f in long_families if family_order(f) == 2]
    if chains and exact_samples >= 2 and exact_cells:
        t = Table(f"2-grams: unbiased KL/L from exact log p(x) (Markov gap DP, {exact_samples} sequences x ~ q, 99% "
                  "t interval) beside the path-KL upper bound at the same (L, N) [bits/token]; cells where the gap DP "
                  f"costs at most {EXACT_CELL_WORK:.0e} operations per sequence", ExactLogPRow)
        for family, lang_seed, lang in each_language(chains, seeds[:1], say):
            for L, N in exact_cells:
                ex = montecarlo.kl_per_token(lang, L, iid(N), num=exact_samples, seed=seed, method="exact")
                path = table.where(language=family, seed=lang_seed, L=L, N=N)[0].kl_bits_per_token
                t.add(ExactLogPRow(family, L, N, ex, _eps_total_percent(ex.value), path))
        tables.append(t)
    return tables, constants


def letter_pair_table(long_lengths, long_steps) -> tuple[Table, dict]:
    """The letter-pair chain (order 2, V = 16), oracle, exact at long L: eps_total from the closed form
    KL/L = -log(1 - SER)/L, and how it spreads over L and falls with N."""
    t = Table("letter-pair chain (order 2, V=16), oracle, exact at long L: eps_total [%] = TER(p)/TER(q) - 1",
              LetterPairRow, pivot=("N", "eps_total_percent"))
    for L in long_lengths:
        for N in long_steps:
            t.add(LetterPairRow(L, N, 100 * math.expm1(-lp.log_correct_uniform(L, N) / L)))
    value = {(r.L, r.N): r.eps_total_percent for r in t.rows}
    constants = {"letter_pair_eps_total_spread_in_L": Constant(
        max(max(value[L, N] for L in long_lengths) / min(value[L, N] for L in long_lengths) - 1 for N in long_steps),
        note=f"max over N of eps_total's relative spread over L = {long_lengths} (exact; 0 = flat in L)")}
    if len(long_steps) > 1:
        constants["letter_pair_eps_total_step_ratio"] = Constant(
            max(value[L, N2] / value[L, N] for L in long_lengths for N, N2 in zip(long_steps, long_steps[1:])),
            note="max over L and consecutive N of eps_total(N') / eps_total(N) (exact; < 1 = falls with N)")
    return t, constants


def preflight(families, lengths, steps, long_lengths, long_families, long_model_steps, samples, **_):
    check_exact_lengths(families, lengths, "the exact state-space engine and eps_learning")
    for family in families:
        _, _, vocab, _ = parse_family(family)
        # the state-space engine pushes mass over at most (V+1)^L states per step, for every N of the grid
        refuse_work(sum(steps) * len(lengths) * (vocab + 1) ** max(lengths), f"the exact KL grid of {family}", "--steps",
                    "Use fewer or smaller --steps (the exact part needs N only up to where KL/L meets the bound).")
    for family in long_families:
        _, order, vocab, _ = parse_family(family, "--long-families")
        for L in long_lengths:
            refuse_work(samples * L * sum(long_model_steps) * vocab ** order, f"the path-KL Monte Carlo of {family} at "
                        f"L={L}", "--long-lengths", "Use smaller --long-lengths, --long-model-steps or --samples.")


@check_function
def check(*, families, seeds, lengths, steps, eps, eps_learning, bound_factor, long_lengths, long_steps, long_families,
          long_model_steps, samples, exact_samples, seed, progress) -> CheckResult:
    """Theorem 4.2 of Feng et al.: N_min(eps) for KL/L <= eps_learning + 4 eps log2|V| does not grow with L."""
    steps, long_model_steps = sorted(steps), sorted(long_model_steps)
    kl_table = Table(f"exact KL(q||p)/L [bits/token] and eps_total, i.i.d. linear schedule, L = {lengths[-1]}", KLRow)
    nmin_table = Table("N_min(eps, L): least N on the grid with KL/L <= bound (base-2 reading; mixed reading beside it; "
                       "- if none on the grid)", NMinRow)
    verdict = Verdict()
    for family, lang_seed, lang in each_language(families, seeds, progress):
        for model in models_for(lang, eps_learning):
            measured = {L: metrics.eps_learning(lang, model, L).max_nats for L in lengths}
            results = exact_kl_grid(lang, model, lengths, steps, progress)
            L = lengths[-1]
            for N in steps:
                kl_table.add(KLRow(family, lang_seed, model.name, measured[L] / math.log(2), L, N, results["iid"][L, N],
                                   100 * results["eps_total"][L, N]))
            for row in n_min_rows(family, lang_seed, lang, model, measured, results, lengths, steps, eps, bound_factor):
                nmin_table.add(row)
                if row.sampler == "iid":
                    verdict.require(row.n_min is not None, lambda row=row: {
                        "language": lang.describe(), "family": family, "L": row.L, "eps": row.eps, "model": model.name,
                        "max_N_tried": steps[-1],
                        "best_KL_per_token_bits": min(results["iid"][row.L, N] for N in steps),
                        "bound_bits": row.bound_bits})
    constants: dict = {}
    for family in families:
        groups: dict = {}
        for r in nmin_table.where(language=family, sampler="iid"):
            groups.setdefault((r.seed, r.model, r.eps), {})[r.L] = r.n_min
        c_values = [bounds.ter_constant(max(n for n in by_l.values() if n), e, family_order(family) or 2)
                    for (_, _, e), by_l in groups.items() if any(by_l.values())]
        growth = [by_l[lengths[-1]] / by_l[lengths[0]] for by_l in groups.values() if all(by_l.values())]
        if c_values:
            constants[f"c_{family}"] = Constant(max(c_values), note="max over seeds, models, eps of N_min eps^(n+0.5)/(n-1), "
                                                                   "N_min the largest over L (i.i.d. linear)")
        if growth:
            constants[f"N_min_growth_{family}"] = Constant(
                max(growth), note=f"max over seeds, models, eps of N_min(L={lengths[-1]}) / N_min(L={lengths[0]}); "
                                  "these L are below the theorem's L >= O((n-1)/eps^(n+0.5)), an observation only")
    progress("letter-pair chain at long L")
    long_table, letter_constants = letter_pair_table(long_lengths, long_steps)
    constants.update(letter_constants)
    progress("random n-grams at long L (Monte Carlo)")
    long_tables, long_constants = long_random_tables(long_families, seeds[:1], long_lengths, long_model_steps, eps,
                                                     samples, exact_samples, seed, progress)
    constants.update(long_constants)
    return CheckResult(
        NAME, "Theorem 4.2 (TER of n-gram languages)", PAPER_FENG,
        "KL(q||p)/L <= eps_learning + 4 eps log2|V| with a number of steps N that does not grow with L.",
        ["log base 2, eps_learning converted to bits; the mixed reading (nats inside base 2) beside it",
         "eps_learning = the model's exact measured max over reachable x_t at that L",
         "verdict: the inequality is met by some N on the grid at every (language, model, L, eps) of the exact part; "
         "the growth of N_min with L and the long-L Monte Carlo tables are reported, not judged",
         "long L: the path KL (KL between the laws of (unmasking order, tokens)) upper-bounds KL(q||p); it is exact for "
         "2-grams and has a 99% CLT interval otherwise, so the certified N_min holds at that confidence"],
        "state-space engine (exact) at small L; closed form for the letter-pair chain at long L; for random n-grams "
        "at long L the path-KL upper bound from the information profile (exact for 2-grams, Monte Carlo with exact "
        "per-sample conditional entropies for 3- and 4-grams) and exact log p by the Markov gap DP (2-grams)",
        [kl_table, nmin_table, long_table, *long_tables], constants, verdict.holds, verdict.counterexample)

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

import math

import numpy as np

from .. import exact as _exact
from .. import metrics, montecarlo
from ..exact import letter_pair as lp
from ..schedules import balanced_sizes, iid
from .families import family_order
from .harness import Verdict, check_exact_lengths, each_language, models_for
from .result import PAPER_FENG, CheckResult, Table, exact_value

NAME = "theorem_ter"
SUMMARY = "Feng et al. Thm 4.2: KL/L <= eps_learning + 4 eps log|V| with N independent of L (n-grams)"
DEFAULTS = {"families": ["ngram2-V2", "ngram2-V3", "ngram3-V2", "ngram4-V2"], "seeds": [0, 1], "lengths": [3, 4, 5, 6],
            "steps": [1, 2, 4, 8, 16, 32, 64, 128], "eps": [0.002, 0.005, 0.01, 0.02, 0.05],
            "eps_learning": 0.001, "bound_factor": 1.0,
            "long_lengths": [256, 512, 1024], "long_steps": [64, 128, 256, 512, 1024, 2048],
            "long_families": ["ngram2-V2", "ngram3-V2", "ngram4-V2"], "long_model_steps": [4, 16, 64, 256, 1024],
            "samples": 64, "exact_samples": 8, "seed": 0}


EXACT_CELL_WORK = 2e10
"""Largest gap-DP cost (L^4 N / 24 multiply-adds, about 2 s on two cores) per sequence in the default exact table."""


def bound_bits(eps: float, eps_learning_bits: float, vocab_size: int) -> float:
    """Right side of Theorem 4.2 per token, in bits: eps_learning + 4 eps log2|V|."""
    return eps_learning_bits + 4.0 * eps * math.log2(vocab_size)


def empirical_constant(n_min: int, eps: float, order: int) -> float:
    """c = N_min eps^(n + 0.5) / (n - 1)."""
    return n_min * eps ** (order + 0.5) / (order - 1)


def _first_step(kl_by_length_step: dict, length: int, steps, bound: float):
    """Least N on the grid whose exact KL/L at this length is within the bound (None if none is)."""
    return next((N for N in steps if (length, N) in kl_by_length_step and kl_by_length_step[length, N] <= bound), None)


def exact_kl_grid(lang, model, lengths, steps, say=None) -> dict:
    """{"iid": {(L, N): KL/L bits}, "fixed": {...}}: exact KL(q||p)/L for i.i.d. linear and balanced fixed sizes."""
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


def _n_min_rows(family, seed, lang, model, measured, results, lengths, steps, eps_grid, bound_factor, nmin_table,
                verdict) -> tuple[list, list]:
    """Rows of the N_min table for one (language, model); returns the constants c and the N_min growth ratios."""
    order = family_order(family) or 2
    constants, growth = [], []
    for sampler in ("iid", "fixed"):
        for e in eps_grid:
            row, mins = [], []
            for L in lengths:
                b2 = bound_factor * bound_bits(e, measured[L] / math.log(2), lang.vocab_size)
                bmix = bound_factor * bound_bits(e, measured[L], lang.vocab_size)
                n2, nm = (_first_step(results[sampler], L, steps, b) for b in (b2, bmix))
                row.append(f"{n2 if n2 else '-'}/{nm if nm else '-'}")
                mins.append(n2)
                if sampler == "iid":
                    verdict.require(n2 is not None, lambda L=L, b2=b2: {
                        "language": lang.describe(), "family": family, "L": L, "eps": e, "model": model.name,
                        "max_N_tried": steps[-1], "best_KL_per_token_bits": min(results["iid"][L, N] for N in steps),
                        "bound_bits": b2})
            found = [n for n in mins if n is not None]
            if sampler == "iid" and len(found) == len(lengths):
                growth.append(found[-1] / found[0])
            if sampler == "iid" and found:
                constants.append(empirical_constant(max(found), e, order))
            nmin_table.add(family, seed, model.name, sampler, e,
                           bound_factor * bound_bits(e, measured[lengths[-1]] / math.log(2), lang.vocab_size), *row)
    return constants, growth


def _eps_total_percent(kl_bits_per_token: float) -> float:
    return 100 * math.expm1(kl_bits_per_token * math.log(2))


def long_random_tables(long_families, seeds, long_lengths, long_model_steps, eps_grid, samples, exact_samples, seed,
                       say) -> tuple[list, dict]:
    """Random n-grams at long L: eps_total with intervals from the path-KL upper bound (every order), the
    exact-log-p estimate for 2-grams where the gap DP is affordable, the certified N_min(eps) per L, and a
    summary of the shape (flat in L, falling in N); returns the tables and the N_min growth constants."""
    cells = np.random.SeedSequence(seed).spawn(len(long_families) * len(seeds) * len(long_lengths) * len(long_model_steps))
    cell_seeds = iter(int(c.generate_state(1)[0]) for c in cells)
    table = Table(f"random n-grams at long L, oracle, i.i.d. linear: eps_total [%] = 2^(KL/L) - 1, path-KL upper bound "
                  f"(mean [99% interval], {samples} sequences x ~ q per cell)",
                  ["language", "seed", "L"] + [f"N={N}" for N in long_model_steps])
    nmin = Table("certified N_min(eps) at long L: least N on the grid whose path-KL upper interval end is <= 4 eps log2|V| "
                 "(oracle, so eps_learning = 0); '-' if none on the grid",
                 ["language", "seed", "L"] + [f"eps={e:g}" for e in eps_grid])
    shape = Table("shape of eps_total at long L (from the path-KL table above): flat in L = at that N the 99% intervals "
                  "of all L share a point; falls with N = at every L the interval at the next N lies wholly below",
                  ["language", "seed", "flat in L at N", "falls at every L from N", "N_min(L_max)/N_min(L_min), max over eps"])
    constants = {}
    path_estimates = {}
    for family, lang_seed, lang in each_language(long_families, seeds, say):
        n_mins = {}
        for L in long_lengths:
            row = []
            for N in long_model_steps:
                est = montecarlo.kl_per_token(lang, L, iid(N), num=samples, seed=next(cell_seeds), method="path")
                path_estimates[family, L, N] = est
                row.append(f"{_eps_total_percent(est.value):.3g} [{_eps_total_percent(est.low):.3g}, "
                           f"{_eps_total_percent(est.high):.3g}]")
            table.add(family, lang_seed, L, *row)
            n_mins[L] = [next((N for N in long_model_steps
                               if path_estimates[family, L, N].high <= bound_bits(e, 0.0, lang.vocab_size)), None)
                         for e in eps_grid]
            nmin.add(family, lang_seed, L, *[n or "-" for n in n_mins[L]])
        est = {(L, N): path_estimates[family, L, N] for L in long_lengths for N in long_model_steps}
        flat = [N for N in long_model_steps if max(est[L, N].low for L in long_lengths)
                <= min(est[L, N].high for L in long_lengths)]
        falls = [N for N, N2 in zip(long_model_steps, long_model_steps[1:])
                 if all(est[L, N2].high < est[L, N].low for L in long_lengths)]
        growth = [b / a for a, b in zip(n_mins[long_lengths[0]], n_mins[long_lengths[-1]]) if a and b]
        shape.add(family, lang_seed, _listed(flat, long_model_steps), _listed(falls, long_model_steps[:-1]),
                  max(growth) if growth else "-")
        if growth:
            constants[f"N_min_growth_long_{family}"] = exact_value(
                max(growth), note=f"max over eps of certified N_min(L={long_lengths[-1]}) / N_min(L={long_lengths[0]}) "
                                  "(path-KL upper 99% end; 1 = steps independent of L, as the theorem says)")
    tables = [table, nmin, shape]
    cells = [(L, N) for L in long_lengths for N in long_model_steps if L ** 4 * N / 24 <= EXACT_CELL_WORK]
    chains = [f for f in long_families if family_order(f) == 2]
    if chains and exact_samples >= 2 and cells:
        t = Table(f"2-grams: unbiased KL/L from exact log p(x) (Markov gap DP, {exact_samples} sequences x ~ q, 99% "
                  "t interval) beside the path-KL upper bound at the same (L, N) [bits/token]; cells where the gap DP "
                  f"costs at most {EXACT_CELL_WORK:.0e} operations per sequence",
                  ["language", "L", "N", "exact-log-p estimate", "99% interval", "eps_total [%]", "path-KL estimate",
                   "99% interval"])
        for family, lang_seed, lang in each_language(chains, seeds[:1], say):
            for L, N in cells:
                ex = montecarlo.kl_per_token(lang, L, iid(N), num=exact_samples, seed=seed, method="exact")
                pk = path_estimates.get((family, L, N)) or montecarlo.kl_per_token(lang, L, iid(N), num=samples,
                                                                                  seed=seed, method="path")
                t.add(family, L, N, ex.value, f"[{ex.low:.3g}, {ex.high:.3g}]", _eps_total_percent(ex.value), pk.value,
                      f"[{pk.low:.3g}, {pk.high:.3g}]")
        tables.append(t)
    return tables, constants


def _listed(chosen, grid) -> str:
    return "all" if chosen == list(grid) else (", ".join(str(n) for n in chosen) or "none")


def preflight(families, lengths, **_):
    check_exact_lengths(families, lengths, "the exact state-space engine and eps_learning")


def check(families=None, seeds=None, lengths=None, steps=None, eps=None, eps_learning=0.001, bound_factor=1.0,
          long_lengths=None, long_steps=None, long_families=None, long_model_steps=None, samples=64, exact_samples=8,
          seed=0, progress=None) -> CheckResult:
    families = list(families or DEFAULTS["families"])
    seeds = list(seeds if seeds is not None else DEFAULTS["seeds"])
    lengths = list(lengths or DEFAULTS["lengths"])
    steps = sorted(steps or DEFAULTS["steps"])
    eps_grid = list(eps or DEFAULTS["eps"])
    long_lengths = list(long_lengths or DEFAULTS["long_lengths"])
    long_steps = list(long_steps or DEFAULTS["long_steps"])
    long_families = list(long_families or DEFAULTS["long_families"])
    long_model_steps = sorted(long_model_steps or DEFAULTS["long_model_steps"])
    say = progress or (lambda msg: None)

    kl_table = Table("exact KL(q||p)/L [bits/token] and eps_total, i.i.d. linear schedule",
                     ["language", "seed", "model", "eps_learn [bits]", "L", "N", "KL/L [bits]", "eps_total [%]"])
    nmin_table = Table("N_min(eps, L): least N on the grid with KL/L <= bound (base-2 reading; mixed reading after /)",
                       ["language", "seed", "model", "sampler", "eps", "bound [bits]"] + [f"L={L}" for L in lengths])
    constants: dict = {}
    verdict = Verdict()
    per_family: dict = {}
    for family, seed, lang in each_language(families, seeds, say):
        for model in models_for(lang, eps_learning):
            measured = {L: metrics.eps_learning(lang, model, L).max_nats for L in lengths}
            results = exact_kl_grid(lang, model, lengths, steps, say)
            L = lengths[-1]
            for N in steps:
                kl_table.add(family, seed, model.name, measured[L] / math.log(2), L, N, results["iid"][L, N],
                             100 * results["eps_total"][L, N])
            c, g = _n_min_rows(family, seed, lang, model, measured, results, lengths, steps, eps_grid, bound_factor,
                               nmin_table, verdict)
            per_family.setdefault(family, ([], []))
            per_family[family][0].extend(c)
            per_family[family][1].extend(g)
    for family, (family_c, growth) in per_family.items():
        if family_c:
            constants[f"c_{family}"] = exact_value(max(family_c), note="max over seeds, models, eps of N_min "
                                                                      "eps^(n+0.5)/(n-1) (i.i.d. linear)")
        if growth:
            constants[f"N_min_growth_{family}"] = exact_value(
                max(growth), note=f"max over seeds, models, eps of N_min(L={lengths[-1]}) / N_min(L={lengths[0]}); "
                                  "these L are below the theorem's L >= O((n-1)/eps^(n+0.5)), an observation only")

    say("letter-pair chain at long L")
    long_table = Table("letter-pair chain (order 2, V=16), oracle, exact at long L: eps_total [%] = TER(p)/TER(q) - 1",
                       ["L"] + [f"N={N}" for N in long_steps])
    letter_pair = {(L, N): 100 * math.expm1(-lp.log_correct_uniform(L, N) / L) for L in long_lengths for N in long_steps}
    for L in long_lengths:
        long_table.add(L, *[letter_pair[L, N] for N in long_steps])
    spread = max(max(letter_pair[L, N] for L in long_lengths) / min(letter_pair[L, N] for L in long_lengths) - 1
                 for N in long_steps)
    constants["letter_pair_eps_total_spread_in_L"] = exact_value(
        spread, note=f"max over N of eps_total's relative spread over L = {long_lengths} (exact; 0 = flat in L)")
    halving = max(letter_pair[L, N2] / letter_pair[L, N] for L in long_lengths for N, N2 in zip(long_steps, long_steps[1:]))
    constants["letter_pair_eps_total_step_ratio"] = exact_value(
        halving, note="max over L and consecutive N of eps_total(N') / eps_total(N) (exact; < 1 = falls with N)")
    say("random n-grams at long L (Monte Carlo)")
    long_tables, long_constants = long_random_tables(long_families, seeds[:1], long_lengths, long_model_steps, eps_grid,
                                                     samples, exact_samples, seed, say)
    constants.update(long_constants)
    inputs = {"families": families, "seeds": seeds, "lengths": lengths, "steps": steps, "eps": eps_grid,
              "eps_learning_nats": eps_learning, "bound_factor": bound_factor, "long_lengths": long_lengths,
              "long_steps": long_steps, "long_families": long_families, "long_model_steps": long_model_steps,
              "samples": samples, "exact_samples": exact_samples, "seed": seed}
    return CheckResult(
        NAME, "Theorem 4.2 (TER of n-gram languages)", PAPER_FENG,
        "KL(q||p)/L <= eps_learning + 4 eps log2|V| with a number of steps N that does not grow with L.",
        ["log base 2, eps_learning converted to bits; the mixed reading (nats inside base 2) after the slash",
         "eps_learning = the model's exact measured max over reachable x_t at that L",
         "verdict: the inequality is met by some N on the grid at every (language, model, L, eps) of the exact part; "
         "the growth of N_min with L and the long-L Monte Carlo tables are reported, not judged",
         "long L: the path KL (KL between the laws of (unmasking order, tokens)) upper-bounds KL(q||p); its estimate "
         "has a 99% CLT interval, so the certified N_min holds at that confidence"],
        inputs, "state-space engine (exact) at small L; closed form for the letter-pair chain at long L; Monte Carlo "
                "path-KL upper bound (any order) and exact log p by the Markov gap DP (2-grams) for random n-grams "
                "at long L",
        [kl_table, nmin_table, long_table, *long_tables], constants, verdict.holds, verdict.counterexample)

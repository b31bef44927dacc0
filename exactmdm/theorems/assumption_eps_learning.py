"""Feng et al. 2025, Assumption 4.1 (learning with small error) -- check ``assumption_eps_learning``.

Assumption: for every position i, time t and reachable x_t, KL(q_{0|t}(x0^i | x_t) || p_theta(x0^i | x_t)) < eps
(truth-to-model, a supremum over states). exactmdm measures it exactly on small lengths (every reachable
x_t, ``metrics.eps_learning``: max and forward-process mean) and by sampling x_t from the forward process
at longer lengths (max and mean over the sample, with the mean's standard error). The check confirms that
the package's perturbed models meet the eps they are built with, which the theorem checks rely on.
Reading: KL in nats; the max is compared with <= eps (the bisection of the temperature kind reaches eps
itself up to 1e-12, so the strict '<' holds for any larger eps).
"""

from __future__ import annotations

import math

import numpy as np

from .. import metrics
from ..models import Perturbed, kl_rows
from ..posterior import posterior
from .families import make_language
from .result import CheckResult, Table, exact_value

NAME = "assumption_eps_learning"
SUMMARY = "Feng et al. Assumption 4.1: exact max/mean KL(q_{0|t} || p_theta) of the perturbed models"
DEFAULTS = {"families": ["hmm3-V3", "ngram2-V3"], "seeds": [0], "eps": [0.001, 1 / 128, 0.1],
            "kinds": ["uniform", "temperature"], "exact_length": 4, "sampled_length": 64, "samples": 2000,
            "claim_factor": 1.0}


def sampled_eps_learning(lang, model, length, samples, seed):
    """(max, mean, standard error) of the per-masked-position KL over x_t from the forward process
    (x0 ~ q, t ~ U(0,1), linear schedule)."""
    rng = np.random.default_rng(seed)
    x0 = lang.sample(samples, length, seed=seed)
    keep = rng.random((samples, 1))
    masked = rng.random((samples, length)) >= keep
    masked[np.arange(samples), rng.integers(0, length, samples)] = True
    xt = np.where(masked, -1, x0)
    q = posterior(lang, xt)
    p = model(xt)
    terms = kl_rows(q, p)
    per_state = (terms * masked).sum(axis=1) / masked.sum(axis=1)
    return float(terms[masked].max()), float(per_state.mean()), float(per_state.std(ddof=1) / math.sqrt(samples))


def check(families=None, seeds=None, eps=None, kinds=None, exact_length=4, sampled_length=64, samples=2000,
          claim_factor=1.0, progress=None) -> CheckResult:
    families = list(families or DEFAULTS["families"])
    seeds = list(seeds if seeds is not None else DEFAULTS["seeds"])
    eps_grid = list(eps or DEFAULTS["eps"])
    kinds = list(kinds or DEFAULTS["kinds"])
    say = progress or (lambda msg: None)
    table = Table("eps_learning of perturbed models [nats]: exact over every reachable x_t, and sampled at longer L",
                  ["language", "seed", "kind", "eps", f"exact max (L={exact_length})", "exact mean",
                   f"sampled max (L={sampled_length})", "sampled mean", "+-", "max <= eps"])
    verdict, counterexample = True, None
    worst_ratio = 0.0
    for family in families:
        for seed in seeds:
            lang = make_language(family, seed)
            for kind in kinds:
                for e in eps_grid:
                    say(f"{family} seed={seed} {kind} eps={e:g}")
                    model = Perturbed(lang, e, kind)
                    ex = metrics.eps_learning(lang, model, exact_length)
                    smax, smean, se = sampled_eps_learning(lang, model, sampled_length, samples, seed)
                    claimed = claim_factor * e
                    ok = max(ex.max_nats, smax) <= claimed * (1 + 1e-12)
                    worst_ratio = max(worst_ratio, max(ex.max_nats, smax) / e)
                    table.add(family, seed, kind, e, ex.max_nats, ex.mean_nats, smax, smean, se, ok)
                    if not ok and counterexample is None:
                        verdict = False
                        counterexample = {"language": lang.describe(), "model": model.describe(),
                                          "claimed_eps": claimed, "measured_max_nats": ex.max_nats,
                                          "state": list(ex.argmax_state), "position": ex.argmax_position}
    inputs = {"families": families, "seeds": seeds, "eps": eps_grid, "kinds": kinds, "exact_length": exact_length,
              "sampled_length": sampled_length, "samples": samples, "claim_factor": claim_factor}
    return CheckResult(
        NAME, "Assumption 4.1 (learning with small error)", "Feng et al. 2025, arXiv 2502.09622",
        "Every perturbed model has sup over positions and reachable x_t of KL(q_{0|t} || p_theta) <= its eps.",
        ["KL in nats, truth-to-model", "mean: x0 ~ q, t ~ U(0,1), linear schedule, average over masked positions"],
        inputs, "exact enumeration of reachable x_t (small L); forward-process sampling (long L)", [table],
        {"max_measured_over_eps": exact_value(worst_ratio, note="largest measured max / eps (<= 1 expected)")},
        verdict, counterexample)

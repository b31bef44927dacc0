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



from .. import metrics
from ..models import Perturbed
from .harness import Verdict, check_exact_lengths, each_language
from .result import PAPER_FENG, CheckResult, Table, exact_value

NAME = "assumption_eps_learning"
SUMMARY = "Feng et al. Assumption 4.1: exact max/mean KL(q_{0|t} || p_theta) of the perturbed models"
DEFAULTS = {"families": ["hmm3-V3", "ngram2-V3"], "seeds": [0], "eps": [0.001, 1 / 128, 0.1],
            "kinds": ["uniform", "temperature"], "exact_length": 4, "sampled_length": 64, "samples": 2000,
            "claim_factor": 1.0}


def preflight(families, exact_length, **_):
    check_exact_lengths(families, [exact_length], "exact eps_learning over every reachable x_t", "--exact-length")


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
    verdict = Verdict()
    worst_ratio = 0.0
    for family, seed, lang in each_language(families, seeds, say):
        for kind in kinds:
            for e in eps_grid:
                model = Perturbed(lang, e, kind)
                ex = metrics.eps_learning(lang, model, exact_length)
                sampled = metrics.sampled_eps_learning(lang, model, sampled_length, samples=samples, seed=seed)
                claimed = claim_factor * e
                measured = max(ex.max_nats, sampled.max_nats)
                ok = measured <= claimed * (1 + 1e-12)
                worst_ratio = max(worst_ratio, measured / e)
                table.add(family, seed, kind, e, ex.max_nats, ex.mean_nats, sampled.max_nats, sampled.mean_nats,
                          sampled.stderr_nats, ok)
                verdict.require(ok, lambda: {"language": lang.describe(), "model": model.describe(),
                                             "claimed_eps": claimed, "measured_max_nats": ex.max_nats,
                                             "state": list(ex.argmax_state), "position": ex.argmax_position})
    inputs = {"families": families, "seeds": seeds, "eps": eps_grid, "kinds": kinds, "exact_length": exact_length,
              "sampled_length": sampled_length, "samples": samples, "claim_factor": claim_factor}
    return CheckResult(
        NAME, "Assumption 4.1 (learning with small error)", PAPER_FENG,
        "Every perturbed model has sup over positions and reachable x_t of KL(q_{0|t} || p_theta) <= its eps.",
        ["KL in nats, truth-to-model", "mean: x0 ~ q, t ~ U(0,1), linear schedule, average over masked positions"],
        inputs, "exact enumeration of reachable x_t (small L); forward-process sampling (long L)", [table],
        {"max_measured_over_eps": exact_value(worst_ratio, note="largest measured max / eps (<= 1 expected)")},
        verdict.holds, verdict.counterexample)

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

from dataclasses import dataclass

from .. import metrics
from ..models import Perturbed
from .harness import Verdict, check_exact_lengths, check_function, each_language
from .records import CheckResult, Constant, Table, column
from .result import PAPER_FENG

NAME = "assumption_eps_learning"
SUMMARY = "Feng et al. Assumption 4.1: exact max/mean KL(q_{0|t} || p_theta) of the perturbed models"
DEFAULTS = {"families": ["hmm3-V3", "ngram2-V3"], "seeds": [0], "eps": [0.001, 1 / 128, 0.1],
            "kinds": ["uniform", "temperature"], "exact_length": 4, "sampled_length": 64, "samples": 2000,
            "claim_factor": 1.0}
LIMITS = {"sampled_length": {"maximum": 1 << 16, "why": "each sampled state runs a forward-backward pass over L"},
          "samples": {"maximum": 10 ** 7, "why": "each sampled state runs a forward-backward pass"}}


@dataclass(frozen=True)
class EpsLearningRow:
    language: str = column("language")
    seed: int = column("seed")
    kind: str = column("kind")
    eps: float = column("eps [nats]")
    exact_max: float = column("exact max [nats]")
    exact_mean: float = column("exact mean [nats]")
    sampled_max: float = column("sampled max [nats]")
    sampled_mean: float = column("sampled mean [nats]")
    sampled_stderr: float = column("+- (std. error)")
    holds: bool = column("max <= eps")


def preflight(families, exact_length, **_):
    check_exact_lengths(families, [exact_length], "exact eps_learning over every reachable x_t", "--exact-length")


@check_function
def check(*, families, seeds, eps, kinds, exact_length, sampled_length, samples, claim_factor, progress) -> CheckResult:
    """Assumption 4.1 of Feng et al.: the perturbed models meet the eps_learning they are built with."""
    table = Table(f"eps_learning of perturbed models [nats]: exact over every reachable x_t (L={exact_length}), and "
                  f"sampled at L={sampled_length} ({samples} states)", EpsLearningRow)
    verdict = Verdict()
    for family, lang_seed, lang in each_language(families, seeds, progress):
        for kind in kinds:
            for e in eps:
                model = Perturbed(lang, e, kind)
                ex = metrics.eps_learning(lang, model, exact_length)
                sampled = metrics.sampled_eps_learning(lang, model, sampled_length, samples=samples, seed=lang_seed)
                claimed = claim_factor * e
                ok = max(ex.max_nats, sampled.max_nats) <= claimed * (1 + 1e-12)
                table.add(EpsLearningRow(family, lang_seed, kind, e, ex.max_nats, ex.mean_nats, sampled.max_nats,
                                         sampled.mean_nats, sampled.stderr_nats, ok))
                verdict.require(ok, lambda: {"language": lang.describe(), "model": model.describe(),
                                             "claimed_eps": claimed, "measured_max_nats": ex.max_nats,
                                             "state": list(ex.argmax_state), "position": ex.argmax_position})
    worst_ratio = max(max(r.exact_max, r.sampled_max) / r.eps for r in table.rows)
    return CheckResult(
        NAME, "Assumption 4.1 (learning with small error)", PAPER_FENG,
        "Every perturbed model has sup over positions and reachable x_t of KL(q_{0|t} || p_theta) <= its eps.",
        ["KL in nats, truth-to-model", "mean: x0 ~ q, t ~ U(0,1), linear schedule, average over masked positions"],
        "exact enumeration of reachable x_t (small L); forward-process sampling (long L)", [table],
        {"max_measured_over_eps": Constant(worst_ratio, note="largest measured max / eps (<= 1 expected)")},
        verdict.holds, verdict.counterexample)

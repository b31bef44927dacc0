"""Monte Carlo estimators: SER with an exact interval, KL(q||p)/L, and Li & Cai's information quantities.

Each returns an ``Estimate`` whose ``kind`` says what the interval covers:
- ``ser``: exact Clopper-Pearson interval for the binomial proportion of sequences off the support (a row
  holding ``MASK``, where the sampler escaped, counts as a sequence error).
- ``kl_per_token``: "unbiased" when p(x) is exact per sample (the Markov gap DP): the mean of
  log q(x) - log p(x) over x ~ q with a normal (CLT) interval; otherwise "upper bound": the path KL, the
  KL between the joint laws of (unmasking order, tokens) under the data and the sampler, which is
  >= KL(q || p) (data processing) and for a fixed order equals the sum over steps of the expected
  conditional total correlation of the tokens revealed together plus the model's per-step KL; its
  unbiased estimate gets a CLT interval, so the interval covers the path KL, an upper bound on KL(q||p).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ..cost import DEFAULT_MAX_ENTRIES, progress_bar
from ..errors import InvalidArgument
from ..inference import log_evidence_batch, posterior_batch
from ..information import kl_rows
from ..models import Oracle
from ..schedules import Blockwise, sampler_schedule
from ..validation import MASK, as_float, as_int, as_language
from .samplers import check_options, MAX_SAMPLER_WORK, check_output_size, check_run, choose_batch, run_batches
from .kernel_arrays import schedule_arrays
from .statistics import clopper_pearson, normal_quantile
from .streams import stream_key

__all__ = ["Estimate", "mean_estimate", "ser", "ser_of_samples", "kl_per_token", "information", "information_values",
           "KL_METHODS", "check_confidence"]

KL_METHODS = ("auto", "exact", "path")


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate: ``value`` with the interval [``low``, ``high``] at ``confidence``.

    ``kind`` says what the interval is about: "exact interval" (Clopper-Pearson on a proportion),
    "unbiased" (mean of exact per-sample values, CLT interval) or "upper bound" (an unbiased estimate
    of a quantity that bounds the target from above, CLT interval).
    """

    value: float
    low: float
    high: float
    num: int
    confidence: float
    kind: str
    quantity: str
    unit: str
    method: str

    def to_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (f"{self.quantity} = {self.value:.6g} {self.unit} [{self.low:.6g}, {self.high:.6g}] "
                f"({self.confidence:g}, {self.kind}, n={self.num})")


def check_confidence(confidence) -> float:
    return as_float(confidence, "confidence", minimum=0.0, maximum=1.0, strict_minimum=True)


def ser(lang, length: int, schedule, model=None, *, num: int, seed: int, confidence: float = 0.99,
        progress: bool = False, max_work: float = MAX_SAMPLER_WORK, given=None, strategy: str = "random",
        temperature: float = 1.0) -> Estimate:
    """SER: the fraction of ``num`` sampled sequences off the support, with an exact Clopper-Pearson interval.

    Counts batch by batch (no (num, L) array is held); refused before sampling when num * L * N exceeds
    ``max_work`` position-steps. ``schedule``, ``given``, ``strategy`` and ``temperature`` as in ``sample`` (the
    given tokens are kept, so a sequence on the support is on the support of the law conditioned on them)."""
    given, strategy, temperature = check_options(lang, length, given, strategy, temperature)
    length, model, num, seed = check_run(lang, length, schedule, model, num, seed, max_work=max_work, given=given)
    confidence = check_confidence(confidence)
    errors = sum(_count_errors(lang, out, escaped) for out, escaped in run_batches(lang, length, schedule, model, num,
                                                                                    seed, progress, given, strategy,
                                                                                    temperature))
    return _ser_estimate(errors, num, confidence)


def ser_of_samples(lang, samples, confidence: float = 0.99, escaped=None) -> Estimate:
    """SER of sampled sequences (num, L): the fraction that are sequence errors (off the support, or holding
    MASK where the sampler stopped, or flagged in ``escaped``), with an exact Clopper-Pearson interval."""
    confidence = check_confidence(confidence)
    out = np.asarray(samples)
    return _ser_estimate(_count_errors(as_language(lang), out, escaped), out.shape[0], confidence)


def _count_errors(lang, out, escaped) -> int:
    wrong = ~lang.in_support(np.where(out < 0, 0, out)) | (out < 0).any(axis=1)
    if escaped is not None:
        wrong |= escaped
    return int(wrong.sum())


def _ser_estimate(errors: int, num: int, confidence: float) -> Estimate:
    low, high = clopper_pearson(errors, num, confidence)
    return Estimate(errors / num, low, high, num, confidence, "exact interval", "SER", "probability",
                    "Monte Carlo sampler, Clopper-Pearson interval")


def kl_per_token(lang, length: int, schedule, model=None, *, num: int, seed: int, confidence: float = 0.99,
                 base=2, method: str = "auto", progress: bool = False) -> Estimate:
    """KL(q || p) / L from ``num`` sequences x ~ q (see the module docstring for the two kinds).

    ``method``: "exact" (exact log p(x) per sample by the best exact method: the Markov gap DP, or for block
    schedules the revealed-set DP one block at a time; an "unbiased" estimate), "path" (the path-KL "upper
    bound", any language and model, cheap at long L; exchangeable schedules only), or "auto" (exact where the
    gap DP applies or the schedule is made of blocks). MDLM's schedule with eps > 0 takes "exact" only: its
    argmax step makes the path KL infinite. For block schedules on Markov chains ``exact.block_metrics``
    gives the KL itself.
    """
    from .. import exact
    from ..metrics import log_base

    length, model, num, seed = check_run(lang, length, schedule, model, num, seed)
    check_output_size(num, length, DEFAULT_MAX_ENTRIES, "the sequences x ~ q of montecarlo.kl_per_token")
    confidence = check_confidence(confidence)
    scale = log_base(base)
    if num < 2:
        raise InvalidArgument(f"num={num} must be >= 2 for an interval.")
    data_seed, order_seed = np.random.SeedSequence(seed).spawn(2)
    xs = lang.sample(num, length, seed=int(data_seed.generate_state(1)[0]))
    log_q = lang.log_prob(xs)
    if method not in KL_METHODS:
        raise InvalidArgument(f"method={method!r} must be one of {', '.join(KL_METHODS)}.")
    how = exact.choose_method(lang, schedule, model)
    use_exact = method == "exact" or (method == "auto" and (how == "gap-dp" or isinstance(schedule, Blockwise)))
    if not use_exact and isinstance(schedule, Blockwise):
        raise InvalidArgument(f"method='path' does not take schedule={schedule.name}: the path KL is written for "
                              "exchangeable schedules. Use method='exact' (log p(x) block by block), or "
                              "exactmdm.exact.block_metrics for the exact KL of a Markov chain.")
    if not use_exact and sampler_schedule(schedule)[1]:
        raise InvalidArgument(f"method={method!r} would estimate the path KL of schedule={schedule.name}, which is "
                              "infinite: its noise-removal step puts all its mass on the argmax where the data's "
                              "posterior is spread. Use method='exact' (Markov-chain languages), or eps=0.")
    if use_exact:
        values = np.empty(num)
        with progress_bar(num, f"exact log p(x), L={length}", progress) as bar:
            for i, x in enumerate(xs):
                values[i] = log_q[i] - exact.sequence_logprob(lang, x, schedule, model)
                bar.update(1)
        by = "the Markov gap DP" if how == "gap-dp" else "the revealed-set DP" + (
            ", block by block" if isinstance(schedule, Blockwise) else "")
        kind, method = "unbiased", f"mean over x ~ q of log q(x) - log p(x), p(x) exact by {by}"
    else:
        values = _path_kl(lang, xs, schedule, model, int(order_seed.generate_state(1)[0]), progress)
        kind, method = "upper bound", "path KL over (unmasking order, tokens), unbiased estimate of an upper bound"
    unit = "bits/token" if abs(scale - math.log(2)) < 1e-15 else ("nats/token" if scale == 1.0 else f"log-{base}/token")
    return mean_estimate(values / scale / length, confidence, kind, "KL(q||p)/L", unit, method)


def mean_estimate(values, confidence, kind, quantity, unit, method) -> Estimate:
    """The mean of per-sample values with its CLT interval (normal quantile, sample standard deviation)."""
    num = values.shape[0]
    mean = float(values.mean())
    half = normal_quantile(confidence) * float(values.std(ddof=1)) / math.sqrt(num)
    return Estimate(mean, mean - half, mean + half, num, confidence, kind, quantity, unit, method)


def information_values(lang, xs) -> tuple[np.ndarray, np.ndarray]:
    """Per-sequence terms of ``information``: (log q(x) - sum_i log q(x_i), sum_i log q(x_i | x_-i) - log q(x)),
    whose means under q are TC and DTC."""
    from ..inference import posterior

    num, length = xs.shape
    log_q = lang.log_prob(xs)
    positions = np.arange(length)
    log_marginal = np.log(posterior(lang, np.full(length, MASK))[positions, xs])  # (num, L)
    log_conditional = np.empty((num, length))
    for b in range(num):
        leave_one_out = np.repeat(xs[b][None], length, axis=0)
        leave_one_out[positions, positions] = MASK
        log_conditional[b] = np.log(posterior(lang, leave_one_out)[positions, positions, xs[b]])
    return log_q - log_marginal.sum(axis=1), log_conditional.sum(axis=1) - log_q


def information(lang, length: int, *, num: int, seed: int, confidence: float = 0.99) -> dict:
    """Li & Cai's information quantities of ``lang`` at length L by Monte Carlo, in nats, for any HMM:
    {"sum_mi": sum_i I(X^i; X^-i), "tc": TC, "dtc": DTC}, each an "unbiased" Estimate with a CLT interval.

    Each is the mean over x ~ q of an exact per-sample value: with log q(x) (forward pass), the marginals
    log q(x_i) and the leave-one-out conditionals log q(x_i | x_-i) (the masked posterior of x with only
    position i masked),
      TC = E[log q(x) - sum_i log q(x_i)], DTC = E[sum_i log q(x_i | x_-i) - log q(x)],
      sum_i I(X^i; X^-i) = TC + DTC = E[sum_i (log q(x_i | x_-i) - log q(x_i))].
    Costs O(L^2 nnz(T)) per sample (one batched posterior over the L leave-one-out states). For Markov chains
    ``information.markov_information`` gives the exact values.
    """
    lang = as_language(lang)
    length = as_int(length, "length", minimum=1)
    num = as_int(num, "num", minimum=2)
    check_output_size(num, length, DEFAULT_MAX_ENTRIES, "the sequences x ~ q of montecarlo.information")
    seed = as_int(seed, "seed", minimum=0)
    confidence = check_confidence(confidence)
    tc, dtc = information_values(lang, lang.sample(num, length, seed=seed))
    how = "mean over x ~ q of exact per-sample values (forward pass, marginals, leave-one-out posteriors)"
    return {name: mean_estimate(values, confidence, "unbiased", quantity, "nats", how)
            for name, values, quantity in (("sum_mi", tc + dtc, "sum_i I(X^i; X^-i)"), ("tc", tc, "TC"),
                                           ("dtc", dtc, "DTC"))}


def _path_kl(lang, xs, schedule, model, seed, progress):
    """Per sequence x ~ q and one random unmasking order from the schedule, the path KL's terms (nats):

        sum over steps of [log q(x_S | x_R) - sum_{j in S} log q(x_j | x_R)] + sum_{j in S} KL(q_j(.|x_R) || p_j(.|x_R)),

    R revealed before the step, S at it. The first bracket is the pointwise total correlation of the tokens
    revealed together (mean: their conditional TC); the model's per-position log ratio, whose conditional
    mean is the KL, is replaced by that KL computed exactly from the rows (Rao-Blackwell), which removes
    most of the variance and leaves the mean unchanged."""
    num, length = xs.shape
    kind, rates, sizes = schedule_arrays(sampler_schedule(schedule)[0], length)  # no final argmax: refused above
    key = stream_key(seed)
    hmm = lang.as_hmm()
    revealed = np.zeros((num, length), dtype=np.bool_)
    total = np.zeros(num)
    with progress_bar(len(rates), f"path KL, L={length}", progress) as bar:
        for k in range(len(rates)):
            before = np.where(revealed, xs, MASK)
            chosen = choose_batch(before, key, 0, k, kind, rates[k], sizes[k])
            if chosen.any():
                after_mask = revealed | chosen
                after = np.where(after_mask, xs, MASK)
                joint = log_evidence_batch(hmm, after, check=False) - log_evidence_batch(hmm, before, check=False)
                truth, _ = posterior_batch(hmm, before, check=False)
                marginal = np.log(np.take_along_axis(truth, xs[:, :, None], axis=2)[:, :, 0], where=chosen,
                                  out=np.zeros((num, length)))
                learning = 0.0
                if not isinstance(model, Oracle):
                    learning = np.where(chosen, kl_rows(truth, model(before)), 0.0).sum(axis=1)
                total += joint - marginal.sum(axis=1) + learning
                revealed = after_mask
            bar.update(1)
    return total

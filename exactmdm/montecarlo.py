"""Monte Carlo at long lengths: the N-step sampler itself, SER with an exact interval, and KL(q||p)/L.

Reproducibility: every random number is a counter-based hash of (seed, sequence index, step, position,
stream) (splitmix64), so sequence i is the same whatever ``num``, the batch size or the number of
threads, and a run can be replayed sequence by sequence.

Samplers (both schedule kinds, any reverse model):
- Markov-chain languages (``lang.token_chain()``) with the oracle or a ``Perturbed`` model: a Numba kernel
  in which a masked position's posterior needs only its nearest revealed neighbours,
  q(x_j = v | x_a, x_b) ∝ T^(j-a)(x_a, v) T^(b-j)(v, x_b): O(V) per revealed token, O(L N) bookkeeping per
  sequence, parallel over sequences.
- Any language and any ``ReverseModel``: batched calls of the model on the states x_t of every step
  (the oracle: the batched masked forward-backward kernel).

A sequence whose revealed tokens no support sequence agrees with has escaped the support: the oracle's
posterior is then 0/0, so its remaining masked positions stay ``MASK`` (-1) in the returned array. Such a
row is a sequence error; every SER estimator counts it as one.

Estimators return an ``Estimate`` whose ``kind`` says what the interval covers:
- ``ser``: exact Clopper-Pearson interval for the binomial proportion of sequences off the support.
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

from ._jit import njit, prange
from .cost import progress_bar
from .exact.markov import chain_tables
from .errors import InvalidArgument, InvalidType
from .hmm_kernels import _consistent_batch, _log_evidence_batch, _posterior_batch
from .languages import Language
from .models import ORACLE, Oracle, apply_row_transform, resolve_model
from .schedules import FixedSizes, IIDSchedule
from .validation import MASK, as_float, as_int

__all__ = ["Estimate", "sample", "ser", "kl_per_token", "clopper_pearson", "uniforms", "binomial_two_sided_pvalue",
           "regularized_beta", "choose_positions", "schedule_arrays", "ser_of_samples", "information"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


# --- counter-based random numbers --------------------------------------------------------------------------
@njit
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit
def _uniform(key, sequence, step, position, stream):
    """A uniform in [0, 1) from the splitmix64 hash of the counters (53 random bits)."""
    z = _mix(key + np.uint64(sequence) * _GOLDEN)
    z = _mix(z + np.uint64(step * 4 + stream) * np.uint64(0xD1B54A32D192ED03))
    z = _mix(z + np.uint64(position) * np.uint64(0x8CB92BA72F3D8DD7))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(parallel=True)
def _uniform_block(key, first, num, step, length, stream):
    out = np.empty((num, length))
    for b in prange(num):
        for i in range(length):
            out[b, i] = _uniform(key, first + b, step, i, stream)
    return out


def _key(seed: int) -> np.uint64:
    return np.uint64(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0])


def uniforms(seed: int, sequences, step: int, length: int, stream: int) -> np.ndarray:
    """The sampler's uniforms for sequences ``sequences`` (a range) at ``step`` (stream 0: which positions
    unmask, 1: which tokens); exposed so that a run can be replayed or audited."""
    return _uniform_block(_key(seed), sequences.start, len(sequences), step, length, stream)


# --- schedules as kernel arrays ----------------------------------------------------------------------------
def _schedule_arrays(schedule, length: int):
    """(kind, rates, sizes): kind 0 i.i.d. with per-step rates, 1 fixed sizes."""
    if isinstance(schedule, IIDSchedule):
        return 0, np.ascontiguousarray(schedule.rates), np.zeros(schedule.num_steps, dtype=np.int64)
    if isinstance(schedule, FixedSizes):
        schedule._check_length(length)
        return 1, np.zeros(schedule.num_steps), np.array(schedule.sizes, dtype=np.int64)
    raise InvalidType(f"schedule={schedule!r} must come from exactmdm.schedules.iid or fixed_sizes.")


@njit
def _choose(state, kind, rate, size, key, seq, step, chosen, order):
    """Mark in ``chosen`` the masked positions unmasked at this step; returns how many."""
    length = state.shape[0]
    count = 0
    if kind == 0:
        for i in range(length):
            chosen[i] = state[i] < 0 and _uniform(key, seq, step, i, 0) < rate
            count += chosen[i]
        return count
    m = 0
    for i in range(length):
        chosen[i] = False
        if state[i] < 0:
            order[m] = i
            m += 1
    for t in range(size):  # partial Fisher-Yates: a uniformly random subset of exactly ``size`` masked positions
        s = t + int(_uniform(key, seq, step, t, 0) * (m - t))
        order[t], order[s] = order[s], order[t]
        chosen[order[t]] = True
    return size


@njit
def _draw(row, u):
    acc = 0.0
    last = -1
    for v in range(row.shape[0]):
        if row[v] > 0.0:
            last = v
            acc += row[v]
            if u < acc:
                return v
    return last  # u beyond the rounded total: the last token of positive probability


# --- the Markov fast path ----------------------------------------------------------------------------------
@njit(parallel=True)
def _sample_markov(num, first, length, key, kind, rates, sizes, marginals, powers, model_kind, param):
    vocab = powers.shape[1]
    out = np.full((num, length), -1, dtype=np.int64)
    escaped = np.zeros(num, dtype=np.bool_)
    for b in prange(num):
        state = out[b]
        seq = first + b
        chosen = np.empty(length, dtype=np.bool_)
        order = np.empty(length, dtype=np.int64)
        left = np.empty(length, dtype=np.int64)
        right = np.empty(length, dtype=np.int64)
        row = np.empty(vocab)
        tmp = np.empty(vocab)
        res = np.empty(vocab)
        for k in range(rates.shape[0]):
            if _choose(state, kind, rates[k], sizes[k], key, seq, k, chosen, order) == 0:
                continue
            last = -1  # nearest revealed neighbours at the start of the step
            for i in range(length):
                left[i] = last
                if state[i] >= 0:
                    last = i
            last = length
            for i in range(length - 1, -1, -1):
                right[i] = last
                if state[i] >= 0:
                    last = i
            new = state.copy()
            for j in range(length):
                if not chosen[j]:
                    continue
                a, c = left[j], right[j]
                total = 0.0
                for v in range(vocab):
                    lv = marginals[j, v] if a < 0 else powers[j - a, state[a], v]
                    rv = 1.0 if c == length else powers[c - j, v, state[c]]
                    row[v] = lv * rv
                    total += row[v]
                if total <= 0.0:  # the neighbours disagree: the posterior is 0/0, the sequence has escaped
                    escaped[b] = True
                    break
                for v in range(vocab):
                    row[v] /= total
                if model_kind == ORACLE:
                    res[:] = row
                else:
                    apply_row_transform(row, model_kind, param, tmp, res)
                new[j] = _draw(res, _uniform(key, seq, k, j, 1))
            if escaped[b]:
                break
            state[:] = new
    return out, escaped


# --- the general path --------------------------------------------------------------------------------------
@njit(parallel=True)
def _step_general(states, active, probs, key, first, step, kind, rate, size, changed):
    num, length = states.shape
    for b in prange(num):
        changed[b] = False
        if not active[b]:
            continue
        chosen = np.empty(length, dtype=np.bool_)
        order = np.empty(length, dtype=np.int64)
        if _choose(states[b], kind, rate, size, key, first + b, step, chosen, order) == 0:
            continue
        changed[b] = True
        for j in range(length):
            if chosen[j]:
                states[b, j] = _draw(probs[b, j], _uniform(key, first + b, step, j, 1))


def _sample_general(lang, model, length, kind, rates, sizes, key, first, num, oracle):
    """Any HMM and model: the rows of a sequence are recomputed only after a step that revealed something in it
    (with N > L most steps reveal nothing in a given sequence), by one batched call on those sequences."""
    states = np.full((num, length), MASK, dtype=np.int64)
    active = np.ones(num, dtype=np.bool_)
    changed = np.ones(num, dtype=np.bool_)
    probs = np.zeros((num, length, lang.vocab_size))
    hmm = lang.as_hmm()
    for k in range(rates.shape[0]):
        if changed.any():
            rows = np.flatnonzero(changed)
            if oracle:
                new, log_ev = _posterior_batch(states[rows], *hmm.kernel_arrays())
                active[rows] &= log_ev > -np.inf
            else:
                if not getattr(model, "defined_off_support", False):
                    active[rows] &= _consistent_batch(states[rows], *hmm.support_arrays())
                rows = rows[active[rows]]
                new = model(states[rows]) if rows.size else np.zeros((0, length, lang.vocab_size))
            probs[rows] = new  # an escaped sequence's rows are never read
        _step_general(states, active, probs, key, first, k, kind, rates[k], sizes[k], changed)
    return states, ~active


# --- public API --------------------------------------------------------------------------------------------
def _check(lang, length, schedule, model, num, seed):
    if not isinstance(lang, Language):
        raise InvalidType(f"lang={lang!r} must be an exactmdm language (HMM or NGram).")
    length = as_int(length, "length", minimum=1)
    num = as_int(num, "num", minimum=1)
    seed = as_int(seed, "seed", minimum=0)
    model = resolve_model(lang, model)
    return length, model, num, seed


def _run(lang, length, schedule, model, num, seed, batch=4096, progress=False):
    kind, rates, sizes = _schedule_arrays(schedule, length)
    key = _key(seed)
    markov = lang.token_chain() is not None and hasattr(model, "kernel_form")
    if markov:
        arrays = chain_tables(lang, length)
        model_kind, param = model.kernel_form()
    outs, escapes = [], []
    with progress_bar(num, f"sampling L={length}", progress) as bar:
        for first in range(0, num, batch):
            n = min(batch, num - first)
            if markov:
                out, esc = _sample_markov(n, first, length, key, kind, rates, sizes, *arrays, int(model_kind),
                                          float(param))
            else:
                out, esc = _sample_general(lang, model, length, kind, rates, sizes, key, first, n,
                                           oracle=isinstance(model, Oracle))
            outs.append(out)
            escapes.append(esc)
            bar.update(n)
    return np.concatenate(outs), np.concatenate(escapes)


def sample(lang, length: int, schedule, model=None, *, num: int, seed: int, progress: bool = False) -> np.ndarray:
    """``num`` sequences from the N-step sampler, shape (num, L) int64; reproducible per sequence from ``seed``.

    Rows that left the support keep ``MASK`` at the positions the oracle (undefined there) never filled.
    """
    length, model, num, seed = _check(lang, length, schedule, model, num, seed)
    return _run(lang, length, schedule, model, num, seed, progress=progress)[0]


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


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz), converged to 1e-15."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function (the binomial tail), for a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _beta_quantile(p: float, a: float, b: float) -> float:
    """x with I_x(a, b) = p, by bisection (I_x increases in x) to the last float bit."""
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if regularized_beta(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def binomial_two_sided_pvalue(successes: int, trials: int, p: float) -> float:
    """min(1, 2 min(P(X <= k), P(X >= k))) for X ~ Binomial(trials, p): exact tails via I_x(a, b)."""
    if p <= 0.0:
        return 1.0 if successes == 0 else 0.0
    if p >= 1.0:
        return 1.0 if successes == trials else 0.0
    upper = 1.0 if successes == 0 else regularized_beta(successes, trials - successes + 1, p)  # P(X >= k)
    lower = 1.0 if successes == trials else 1.0 - regularized_beta(successes + 1, trials - successes, p)  # P(X <= k)
    return min(1.0, 2.0 * min(upper, lower))


def clopper_pearson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Exact (conservative) two-sided interval for a binomial proportion."""
    alpha = 1.0 - confidence
    low = 0.0 if successes == 0 else _beta_quantile(alpha / 2, successes, trials - successes + 1)
    high = 1.0 if successes == trials else _beta_quantile(1 - alpha / 2, successes + 1, trials - successes)
    return low, high


def _check_confidence(confidence) -> float:
    return as_float(confidence, "confidence", minimum=0.0, maximum=1.0, strict_minimum=True)


def ser(lang, length: int, schedule, model=None, *, num: int, seed: int, confidence: float = 0.99,
        progress: bool = False) -> Estimate:
    """SER: the fraction of ``num`` sampled sequences off the support, with an exact Clopper-Pearson interval."""
    length, model, num, seed = _check(lang, length, schedule, model, num, seed)
    confidence = _check_confidence(confidence)
    out, escaped = _run(lang, length, schedule, model, num, seed, progress=progress)
    return ser_of_samples(lang, out, confidence, escaped)


def ser_of_samples(lang, samples, confidence: float = 0.99, escaped=None) -> Estimate:
    """SER of sampled sequences (num, L): the fraction that are sequence errors (off the support, or holding
    MASK where the sampler stopped, or flagged in ``escaped``), with an exact Clopper-Pearson interval."""
    confidence = _check_confidence(confidence)
    out = np.asarray(samples)
    wrong = ~lang.in_support(np.where(out < 0, 0, out)) | (out < 0).any(axis=1)
    if escaped is not None:
        wrong |= escaped
    errors, num = int(wrong.sum()), out.shape[0]
    low, high = clopper_pearson(errors, num, confidence)
    return Estimate(errors / num, low, high, num, confidence, "exact interval", "SER", "probability",
                    "Monte Carlo sampler, Clopper-Pearson interval")


KL_METHODS = ("auto", "exact", "path")


def kl_per_token(lang, length: int, schedule, model=None, *, num: int, seed: int, confidence: float = 0.99,
                 base=2, method: str = "auto", progress: bool = False) -> Estimate:
    """KL(q || p) / L from ``num`` sequences x ~ q (see the module docstring for the two kinds).

    ``method``: "exact" (exact log p(x) per sample by the Markov gap DP: an "unbiased" estimate), "path" (the
    path-KL "upper bound", any language and model, cheap at long L), or "auto" (exact where the gap DP
    applies).
    """
    from . import exact
    from .metrics import log_base

    length, model, num, seed = _check(lang, length, schedule, model, num, seed)
    confidence = _check_confidence(confidence)
    scale = log_base(base)
    if num < 2:
        raise InvalidArgument(f"num={num} must be >= 2 for an interval.")
    data_seed, order_seed = np.random.SeedSequence(seed).spawn(2)
    xs = lang.sample(num, length, seed=int(data_seed.generate_state(1)[0]))
    log_q = lang.log_prob(xs)
    if method not in KL_METHODS:
        raise InvalidArgument(f"method={method!r} must be one of {', '.join(KL_METHODS)}.")
    if method == "exact" or (method == "auto" and exact.choose_method(lang, schedule, model) == "gap-dp"):
        values = np.empty(num)
        with progress_bar(num, f"exact log p(x), L={length}", progress) as bar:
            for i, x in enumerate(xs):
                values[i] = log_q[i] - exact.sequence_logprob(lang, x, schedule, model, method="gap-dp")
                bar.update(1)
        kind, method = "unbiased", "mean over x ~ q of log q(x) - log p(x), p(x) exact by the Markov gap DP"
    else:
        values = _path_kl(lang, xs, schedule, model, int(order_seed.generate_state(1)[0]), progress)
        kind, method = "upper bound", "path KL over (unmasking order, tokens), unbiased estimate of an upper bound"
    unit = "bits/token" if abs(scale - math.log(2)) < 1e-15 else ("nats/token" if scale == 1.0 else f"log-{base}/token")
    return _mean_estimate(values / scale / length, confidence, kind, "KL(q||p)/L", unit, method)


def _mean_estimate(values, confidence, kind, quantity, unit, method) -> Estimate:
    """The mean of per-sample values with its CLT interval (normal quantile, sample standard deviation)."""
    num = values.shape[0]
    mean = float(values.mean())
    half = _normal_quantile(confidence) * float(values.std(ddof=1)) / math.sqrt(num)
    return Estimate(mean, mean - half, mean + half, num, confidence, kind, quantity, unit, method)


def information_values(lang, xs) -> tuple[np.ndarray, np.ndarray]:
    """Per-sequence terms of ``information``: (log q(x) - sum_i log q(x_i), sum_i log q(x_i | x_-i) - log q(x)),
    whose means under q are TC and DTC."""
    from .inference import posterior

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
    if not isinstance(lang, Language):
        raise InvalidType(f"lang={lang!r} must be an exactmdm language (HMM or NGram).")
    length = as_int(length, "length", minimum=1)
    num = as_int(num, "num", minimum=2)
    seed = as_int(seed, "seed", minimum=0)
    confidence = _check_confidence(confidence)
    tc, dtc = information_values(lang, lang.sample(num, length, seed=seed))
    how = "mean over x ~ q of exact per-sample values (forward pass, marginals, leave-one-out posteriors)"
    return {name: _mean_estimate(values, confidence, "unbiased", quantity, "nats", how)
            for name, values, quantity in (("sum_mi", tc + dtc, "sum_i I(X^i; X^-i)"), ("tc", tc, "TC"),
                                           ("dtc", dtc, "DTC"))}


def _normal_quantile(confidence: float) -> float:
    """z with P(|Z| <= z) = confidence (bisection on erf)."""
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if math.erf(mid / math.sqrt(2)) < confidence:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _path_kl(lang, xs, schedule, model, seed, progress):
    """Per sequence x ~ q and one random unmasking order from the schedule, the path KL's terms (nats):

        sum over steps of [log q(x_S | x_R) - sum_{j in S} log q(x_j | x_R)] + sum_{j in S} KL(q_j(.|x_R) || p_j(.|x_R)),

    R revealed before the step, S at it. The first bracket is the pointwise total correlation of the tokens
    revealed together (mean: their conditional TC); the model's per-position log ratio, whose conditional
    mean is the KL, is replaced by that KL computed exactly from the rows (Rao-Blackwell), which removes
    most of the variance and leaves the mean unchanged."""
    from .information import kl_rows

    num, length = xs.shape
    kind, rates, sizes = _schedule_arrays(schedule, length)
    key = _key(seed)
    hmm = lang.as_hmm()
    arrays = hmm.kernel_arrays()
    revealed = np.zeros((num, length), dtype=np.bool_)
    total = np.zeros(num)
    with progress_bar(len(rates), f"path KL, L={length}", progress) as bar:
        for k in range(len(rates)):
            before = np.where(revealed, xs, MASK)
            chosen = _choose_batch(before, key, 0, k, kind, rates[k], sizes[k])
            if chosen.any():
                after_mask = revealed | chosen
                after = np.where(after_mask, xs, MASK)
                joint = _log_evidence_batch(after, *arrays) - _log_evidence_batch(before, *arrays)
                truth, _ = _posterior_batch(before, *arrays)
                marginal = np.log(np.take_along_axis(truth, xs[:, :, None], axis=2)[:, :, 0], where=chosen,
                                  out=np.zeros((num, length)))
                learning = 0.0
                if not isinstance(model, Oracle):
                    learning = np.where(chosen, kl_rows(truth, model(before)), 0.0).sum(axis=1)
                total += joint - marginal.sum(axis=1) + learning
                revealed = after_mask
            bar.update(1)
    return total


@njit(parallel=True)
def _choose_batch(states, key, first, step, kind, rate, size):
    num, length = states.shape
    out = np.zeros((num, length), dtype=np.bool_)
    for b in prange(num):
        order = np.empty(length, dtype=np.int64)
        _choose(states[b], kind, rate, size, key, first + b, step, out[b], order)
    return out


def schedule_arrays(schedule, length: int):
    """``(kind, rates, sizes)`` of a schedule as the samplers use it: kind 0 i.i.d. (per-step unmasking
    probability ``rates[k]`` of a still-masked position), kind 1 fixed sizes (``sizes[k]`` positions)."""
    return _schedule_arrays(schedule, length)


def choose_positions(states: np.ndarray, seed: int, first: int, step: int, kind: int, rate: float, size: int) -> np.ndarray:
    """The positions the sampler unmasks at ``step`` for sequences ``first, first + 1, ...`` in states
    ``states`` (MASK = -1 where masked): the same counter-based choice as ``sample``, so other samplers (the
    PyTorch one) replay this one's randomness exactly."""
    return _choose_batch(np.ascontiguousarray(states, dtype=np.int64), _key(seed), int(first), int(step), int(kind),
                         float(rate), int(size))

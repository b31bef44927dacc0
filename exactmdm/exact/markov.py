"""Exact p(x) at long L for Markov-chain languages under i.i.d. schedules: the Markov gap DP.

For a Markov chain on tokens (initial pi, transition T) the posterior of a masked position depends only
on its nearest unmasked neighbours a < j < b: q(x_j = v | x_a, x_b) = T^(j-a)(x_a, v) T^(b-j)(v, x_b) /
T^(b-a)(x_a, x_b) (a = -1 uses pi T^j; b = L has no right factor). Under an i.i.d. schedule every
still-masked position is unmasked at step k independently with probability r_k, so a maximal masked gap
(a, b) evolves independently of the rest of the sequence. Let F(a, b, k) be the probability that the
interior of (a, b), fully masked at the start of step k and with x's tokens at a and b, ends filled with
x's tokens. Summing over the set S = {j_1 < ... < j_m} unmasked at step k,

    F(a, b, k) = sum_S r^m (1-r)^(n-m) prod_{j in S} p_ab(x_j) prod_{sub-gaps} F(., ., k+1),

with n = b - a - 1, p_ab the model's row at j (a function of the posterior there), F(a, b, N+1) = [n = 0],
and p(x) = F(-1, L, 1). The sum over S runs left to right: H(j) = r p_ab(x_j) [(1-r)^(j-a-1) F(a, j, k+1)
+ sum_{a<i<j} H(i) (1-r)^(j-i-1) F(i, j, k+1)], which costs O(n^2) per (a, b, k), so p(x) costs
O(L^4 N / 24) operations in all. (A prefix-sum evaluation of each F in O(L) would need
F(i, j, k+1) to factorise in i and j, which it does not for a general chain; none of lower order is known
to us.)

Numerics: F is stored relative to the data, F^(a, b, k) = F(a, b, k) / q(interior | x_a, x_b), which
stays near 1 where the sampler is good and equals p(x)/q(x) for the whole sequence, so
log p(x) = log q(x) + log F^(-1, L, 1); the tables are further tilted by e^(lam n) with lam the per-token
log ratio measured on a prefix, so that p(x)/q(x) far below 1e-308 (e.g. e^-719 at L = 520, N = 1) stays
in range. A result still out of range is reported as an error, never as -inf.
Exactness: the recursion is the definition
summed in another order; tests compare it with the revealed-set DP to 1e-12 relative.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit, prange
from ..cost import check_enumeration_size, check_work
from ..errors import InvalidArgument
from ..models import apply_row_transform
from ..schedules import IIDSchedule

__all__ = ["is_supported", "gap_dp_logprob", "unsupported_reason", "chain_tables"]

_PREFIX = 48


def unsupported_reason(lang, schedule, model) -> str | None:
    """Why the gap DP cannot run on these inputs, or None when it can."""
    if lang.token_chain() is None:
        return ("the language is not a Markov chain on its tokens (an order-2 n-gram, or an HMM whose states each "
                "emit one token of their own)")
    if not isinstance(schedule, IIDSchedule):
        return "the gap DP needs an i.i.d. (alpha) schedule: under fixed sizes the gaps are not independent"
    if not hasattr(model, "kernel_form"):
        return (f"model {getattr(model, 'name', model)!r} is not a row transform of the posterior (the oracle or a "
                "Perturbed model)")
    return None


def is_supported(lang, schedule, model) -> bool:
    return unsupported_reason(lang, schedule, model) is None


def chain_tables(lang, length: int) -> tuple[np.ndarray, np.ndarray]:
    """(marginals, powers) of a Markov-chain language: marginals[j] = pi T^j (shape (L, V)) and powers[d] = T^d
    for d = 0..L (shape (L+1, V, V)), what nearest-neighbour posteriors read (numpy: Numba's matmul needs scipy)."""
    initial, transition = lang.token_chain()
    transition = np.ascontiguousarray(transition, dtype=np.float64)
    powers = np.empty((length + 1,) + transition.shape)
    powers[0] = np.eye(transition.shape[0])
    for d in range(1, length + 1):
        powers[d] = powers[d - 1] @ transition
    marginals = np.empty((length, transition.shape[0]))
    marginals[0] = initial
    for j in range(1, length):
        marginals[j] = marginals[j - 1] @ transition
    return marginals, powers


@njit
def _gap_weight(powers, marginals, x, a, b):
    """Z_ab = q(x_b | x_a) = T^(b-a)(x_a, x_b); q(x_b) when a = -1; 1 when b = L (no right end)."""
    if b == x.shape[0]:
        return 1.0
    if a < 0:
        return marginals[b, x[b]]
    return powers[b - a, x[a], x[b]]


@njit
def _posterior_row(powers, marginals, x, a, b, j, out):
    """q(x_j = . | x_a, x_b) for a masked j inside the gap (a, b)."""
    vocab = out.shape[0]
    total = 0.0
    for v in range(vocab):
        left = marginals[j, v] if a < 0 else powers[j - a, x[a], v]
        right = 1.0 if b == x.shape[0] else powers[b - j, v, x[b]]
        out[v] = left * right
        total += out[v]
    for v in range(vocab):
        out[v] /= total


@njit
def _dot(h, w, offset, count):
    """sum_{t < count} h[t] w[offset + t] with four partial sums (a fixed order: deterministic, and fast
    without fastmath, which exact kernels never use)."""
    s0 = s1 = s2 = s3 = 0.0
    t = 0
    while t + 4 <= count:
        s0 += h[t] * w[offset + t]
        s1 += h[t + 1] * w[offset + t + 1]
        s2 += h[t + 2] * w[offset + t + 2]
        s3 += h[t + 3] * w[offset + t + 3]
        t += 4
    while t < count:
        s0 += h[t] * w[offset + t]
        t += 1
    return (s0 + s1) + (s2 + s3)


@njit(parallel=True)
def _model_probs(x, marginals, powers, kind, param, offsets):
    """p_ab(x_j) for every gap (a, b) and interior j, packed: gap (a, b) starts at offsets[a + 1, b]. It is
    the same at every step (the model reads only x_t), so it is computed once."""
    length = x.shape[0]
    vocab = powers.shape[1]
    out = np.empty(offsets[length, length])
    for a1 in prange(length + 1):
        a = a1 - 1
        row = np.empty(vocab)
        tmp = np.empty(vocab)
        res = np.empty(vocab)
        for b in range(a + 2, length + 1):
            base = offsets[a1, b]
            for j in range(a + 1, b):
                _posterior_row(powers, marginals, x, a, b, j, row)
                apply_row_transform(row, kind, param, tmp, res)
                out[base + j - a - 1] = res[x[j]]
    return out


def _packed_offsets(length: int) -> np.ndarray:
    """offsets[a + 1, b] of gap (a, b)'s interior in the packed table; offsets[L, L] is the total size."""
    offsets = np.zeros((length + 1, length + 1), dtype=np.int64)
    total = 0
    for a1 in range(length + 1):
        for b in range(a1 + 1, length + 1):
            offsets[a1, b] = total
            total += b - a1
    offsets[length, length] = total
    return offsets


@njit(parallel=True)
def _gap_dp(x, marginals, powers, rates, probs, offsets, tilt):
    """log F^(-1, L, 1) (module docstring), step by step from the last: only two steps' tables are held.

    With ``tilt`` = e^lam every table holds e^(lam n) F^ (n the gap's interior size): since the sub-gaps of a
    gap with m revealed positions have n - m interior positions in all, that scaling only multiplies each
    revealed position's factor by e^lam, and a lam near the per-token log ratio keeps every entry near 1
    however long the sequence (the caller subtracts lam L at the end).

    ``fhat[a + 1, b]`` is F^(a, b, k) for the step being computed, ``nxt`` the same at k + 1, and
    ``weight[b, a + 1]`` = F^(a, b, k+1) (1 - r_k)^(b-a-1) / Z_ab, the factor a gap contributes as a
    sub-gap at step k (it does not depend on the enclosing gap). The working set of a step is (L+1)^2
    doubles, which stays in cache; within a step gaps are filled by increasing span, in parallel.
    """
    length = x.shape[0]
    num_steps = rates.shape[0]
    nxt = np.zeros((length + 1, length + 1))
    for a1 in range(length + 1):
        nxt[a1, a1] = 1.0  # the gap (a, a + 1) has an empty interior
    fhat = np.zeros((length + 1, length + 1))
    weight = np.zeros((length + 1, length + 1))
    stay_pow = np.empty(length + 1)
    z = np.empty((length + 1, length + 1))
    for a1 in range(length + 1):
        for b in range(a1, length + 1):
            z[a1, b] = _gap_weight(powers, marginals, x, a1 - 1, b)
    for k in range(num_steps - 1, -1, -1):
        r = rates[k]
        stay_pow[0] = 1.0
        for d in range(1, length + 1):
            stay_pow[d] = stay_pow[d - 1] * (1.0 - r)
        for a1 in prange(length + 1):
            for b in range(a1, length + 1):
                weight[b, a1] = nxt[a1, b] * stay_pow[b - a1] / z[a1, b]
        if r == 0.0:
            continue  # nothing is unmasked: F^(., ., k) = F^(., ., k + 1), already in nxt
        for a1 in range(length + 1):
            fhat[a1, a1] = 1.0
        for span in range(2, length + 2):
            for a1 in prange(0, length + 2 - span):
                a = a1 - 1
                b = a + span
                n = span - 1
                base = offsets[a1, b]
                h = np.empty(n)
                for j in range(a + 1, b):
                    h[j - a - 1] = r * tilt * probs[base + j - a - 1] * (weight[j, a1] + _dot(h, weight[j], a + 2,
                                                                                         j - a - 1))
                fhat[a1, b] = z[a1, b] * (weight[b, a1] + _dot(h, weight[b], a + 2, n))
        nxt, fhat = fhat, nxt
    value = nxt[0, length]
    return math.log(value) if 0.0 < value < np.inf else (-np.inf if value == 0.0 else np.inf)


def gap_dp_logprob(lang, x: np.ndarray, schedule, model, *, max_work: float, max_entries: int) -> float:
    """Natural log of p(x) by the Markov gap DP; raises if the inputs are not supported or too large."""
    reason = unsupported_reason(lang, schedule, model)
    if reason is not None:
        raise InvalidArgument(f"the Markov gap DP cannot run: {reason}. Use exactmdm.exact.sequence_prob (the "
                              "revealed-set DP, any HMM and schedule, short L).")
    if not lang.in_support(x):
        raise InvalidArgument(f"x is not in the support of the language, and model {model.name} is undefined off the "
                              "support; p(x) is tracked only for support sequences.")
    length, num_steps = x.shape[0], schedule.num_steps
    check_work(math.log(max(1.0, length ** 4 / 24 * num_steps)), f"the Markov gap DP at L={length}, N={num_steps}",
               max_work, "Use fewer steps or a shorter sequence.")
    check_enumeration_size((length + 1) ** 3 / 6 + 5 * (length + 1) ** 2, f"the gap DP tables at L={length}", 8,
                           max_entries, "Use a shorter sequence.")
    marginals, powers = chain_tables(lang, length)
    kind, param = model.kernel_form()
    x = np.ascontiguousarray(x, dtype=np.int64)
    rates = np.ascontiguousarray(schedule.rates)

    def log_ratio(m: int, lam: float) -> float:
        offsets = _packed_offsets(m)
        probs = _model_probs(x[:m], marginals[:m], powers, int(kind), float(param), offsets)
        return _gap_dp(x[:m], marginals[:m], powers, rates, probs, offsets, math.exp(lam)) - lam * m

    # the per-token log ratio of a prefix sets the tilt, so that long sequences neither underflow nor overflow
    lam = 0.0 if length <= _PREFIX else -log_ratio(_PREFIX, 0.0) / _PREFIX
    value = log_ratio(length, lam)
    if not math.isfinite(value):
        raise ArithmeticError(f"the gap DP's scaled tables left the float64 range at L={length} (log p(x)/q(x) "
                              f"estimated at {-lam * length:.4g} nats from a prefix); reported instead of a wrong "
                              "-inf.")
    return lang.log_prob(x) + value

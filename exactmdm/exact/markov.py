"""Exact p(x) at long L for Markov-chain languages under i.i.d. schedules (and MDLM's grid with its argmax
last step, whose factor is [x_j is the row's argmax] in place of p_ab(x_j)): the Markov gap DP.

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
O(L^4 N / 24) multiply-adds in all. (A prefix-sum evaluation of each F in O(L) would need the revealed
positions' factors p_ab(x_j) to factorise in a and b, which they do not for a general chain; we know of no
DP of lower order.) The kernel spends that count well: all gaps of one step are independent, and for one
left end the sums of every right end are carried together in long, contiguous, vectorised loops (about
1 s at L = 256, N = 64 on two cores; see benchmarks/bench_long.py).

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

import numba
import numpy as np

from .._jit import njit, prange
from ..cost import SECONDS_PER_MULTIPLY_ADD, check_enumeration_size, check_work
from ..errors import InvalidArgument
from ..inference import log_evidence
from ..models import apply_row_transform
from ..schedules import BlockSchedule, IIDSchedule, MDLMSchedule, sampler_schedule
from .remasking import SCORE_GRID

__all__ = ["is_supported", "gap_dp_logprob", "unsupported_reason", "chain_tables", "DEFAULT_MAX_WORK"]

DEFAULT_MAX_WORK = 1e12
"""Multiply-adds the gap DP starts by default for one sequence (about a minute and a half on two cores)."""

_PREFIX = 48


def unsupported_reason(lang, schedule, model) -> str | None:
    """Why the gap DP cannot run on these inputs, or None when it can."""
    if lang.token_chain() is None:
        return ("the language is not a Markov chain on its tokens (an order-2 n-gram, or an HMM whose states each "
                "emit one token of their own)")
    blocks_iid = isinstance(schedule, BlockSchedule) and isinstance(schedule.inner, IIDSchedule)
    if not (isinstance(schedule, (IIDSchedule, MDLMSchedule)) or blocks_iid):
        return ("the gap DP needs independent reveal steps (an i.i.d. schedule, MDLM's grid, or blocks of an i.i.d. "
                "schedule): under fixed sizes (and LLaDA's blocks, fixed sizes per block) the gaps are not "
                "independent")
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
def grid_argmax(row) -> int:
    """The most likely token of a row compared on ``remasking.SCORE_GRID``, ties to the lowest (Numba twin of
    ``remasking.argmax_rows``)."""
    best, best_score = 0, np.rint(row[0] / SCORE_GRID)
    for v in range(1, row.shape[0]):
        score = np.rint(row[v] / SCORE_GRID)
        if score > best_score:
            best, best_score = v, score
    return best


@njit(parallel=True)
def _model_probs(x, marginals, powers, kind, param, offsets, argmax):
    """p_ab(x_j) for every gap (a, b) and interior j, packed for the gap DP's loops: for a left end a and a
    position j the values for b = j + 1 .. L are contiguous, from offsets[a + 1, j]. It is the same at every
    step (the model reads only x_t), so it is computed once. With ``argmax``: [x_j is the row's argmax]
    instead (MDLM's last, noise-removal step)."""
    length = x.shape[0]
    vocab = powers.shape[1]
    out = np.empty(offsets[length, length])
    for a1 in prange(length + 1):
        a = a1 - 1
        row = np.empty(vocab)
        tmp = np.empty(vocab)
        res = np.empty(vocab)
        for j in range(a1, length):
            base = offsets[a1, j] - j - 1
            for b in range(j + 1, length + 1):
                _posterior_row(powers, marginals, x, a, b, j, row)
                apply_row_transform(row, kind, param, tmp, res)
                if argmax:
                    out[base + b] = 1.0 if grid_argmax(res) == x[j] else 0.0
                else:
                    out[base + b] = res[x[j]]
    return out


def _packed_offsets(length: int) -> np.ndarray:
    """offsets[a + 1, j]: where p_ab(x_j) for b = j + 1 .. L start in the packed table; offsets[L, L] is its
    size."""
    offsets = np.zeros((length + 1, length + 1), dtype=np.int64)
    total = 0
    for a1 in range(length + 1):
        for j in range(a1, length):
            offsets[a1, j] = total
            total += length - j
    offsets[length, length] = total
    return offsets


_BLOCK = 8  # positions decided per sweep over the running sums (the unrolled update below is written for 8)


@njit(parallel=True)
def _gap_tables(x, marginals, powers, rates, lows, highs, probs, final_probs, offsets, tilt, workers):
    """The table of e^(lam n) F^(a, b, 1) at ``[a + 1, b]`` for every gap (module docstring), computed step by step
    from the last: only two steps' tables are held.

    With ``tilt`` = e^lam every table holds e^(lam n) F^ (n the gap's interior size): since the sub-gaps of a
    gap with m revealed positions have n - m interior positions in all, that scaling only multiplies each
    revealed position's factor by e^lam, and a lam near the per-token log ratio keeps every entry near 1
    however long the sequence (the caller subtracts lam L at the end). The last step reads ``final_probs``
    (MDLM's argmax step; ``probs`` itself otherwise). Step k reveals only positions lows[k]..highs[k]-1 (a
    block; every position otherwise): a gap's stay factor counts its interior positions in that window, and
    a position outside it is never the one revealed.

    ``fhat[a + 1, b]`` is F^(a, b, k) for the step being computed, ``nxt`` the same at k + 1, and
    ``weight[a + 1, b]`` = F^(a, b, k+1) (1 - r_k)^(b-a-1) / Z_ab, the factor a gap contributes as a
    sub-gap at step k (it does not depend on the enclosing gap). Gaps of one step read only the next step's
    tables, so they are independent: threads take left ends a in turn (gap (a, b) costs (b - a)^2).

    For one left end all right ends b are carried together: ``acc[t, b]`` is the running sum of the terms in
    which t is the next position revealed after the ones decided so far, for the gap (a, b). Positions j are
    decided left to right; H_b(j) = r p_ab(x_j) acc[j, b] is then added into every later row t with weight
    w(j, t), a multiply-add over b that is long, contiguous and vectorises without reassociation. Rows are
    updated for a block of j's at a time, so each row of ``acc`` is read once per block. Each acc[t, b] sums
    its terms in increasing j, the order of the definition.
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
        r, lo, hi = rates[k], np.int64(lows[k]), np.int64(highs[k])
        stay_pow[0] = 1.0
        for d in range(1, length + 1):
            stay_pow[d] = stay_pow[d - 1] * (1.0 - r)
        for a1 in prange(length + 1):
            first = max(np.int64(a1), lo)  # the gap's interior positions in the window: first .. min(b, hi) - 1
            for b in range(a1, length + 1):
                inside = np.int64(min(np.int64(b), hi) - first)
                weight[a1, b] = nxt[a1, b] * stay_pow[inside if inside > 0 else 0] / z[a1, b]
        if r == 0.0:
            continue  # nothing is unmasked: F^(., ., k) = F^(., ., k + 1), already in nxt
        rt = r * tilt
        step_probs = final_probs if k == num_steps - 1 else probs
        for worker in prange(workers):
            acc = np.empty((length + 1, length + 1))
            hbuf = np.empty((_BLOCK, length + 1))
            h0, h1, h2, h3, h4, h5, h6, h7 = hbuf[0], hbuf[1], hbuf[2], hbuf[3], hbuf[4], hbuf[5], hbuf[6], hbuf[7]
            end = np.uint64(length + 1)
            for a1 in range(worker, length + 1, workers):
                for t in range(a1, length + 1):
                    row, w = acc[t], weight[a1, t]  # t revealed first: the sub-gap (a, t) before it
                    for b in range(np.uint64(t), end):
                        row[b] = w
                for j0 in range(a1, length, _BLOCK):
                    j1 = min(j0 + _BLOCK, length)
                    for j in range(j0, j1):
                        h, src = hbuf[j - j0, j + 1:], acc[j, j + 1:]
                        pr = step_probs[offsets[a1, j]:offsets[a1, j] + length - j]  # b = j + 1 .. L
                        rj = rt if lo <= j < hi else 0.0
                        for u in range(np.uint64(length - j)):
                            h[u] = rj * pr[u] * src[u]
                        h = hbuf[j - j0]
                        for t in range(j + 1, j1):
                            row, w = acc[t], weight[j + 1, t]
                            for b in range(np.uint64(t), end):
                                row[b] += w * h[b]
                    if j1 - j0 < _BLOCK:  # the last, short block
                        for t in range(j1, length + 1):
                            row = acc[t]
                            for j in range(j0, j1):
                                h, w = hbuf[j - j0], weight[j + 1, t]
                                for b in range(np.uint64(t), end):
                                    row[b] += w * h[b]
                        continue
                    for t in range(j1, length + 1):
                        row, wt = acc[t], weight[:, t]
                        w0, w1, w2, w3 = wt[j0 + 1], wt[j0 + 2], wt[j0 + 3], wt[j0 + 4]
                        w4, w5, w6, w7 = wt[j0 + 5], wt[j0 + 6], wt[j0 + 7], wt[j0 + 8]
                        for b in range(np.uint64(t), end):  # unsigned: no wrap-around test, so it vectorises
                            row[b] = (((((((row[b] + w0 * h0[b]) + w1 * h1[b]) + w2 * h2[b]) + w3 * h3[b])
                                        + w4 * h4[b]) + w5 * h5[b]) + w6 * h6[b]) + w7 * h7[b]
                fhat[a1, a1] = 1.0
                for b in range(a1 + 1, length + 1):
                    fhat[a1, b] = z[a1, b] * acc[b, b]
        nxt, fhat = fhat, nxt
    return nxt


def _windows(schedule, length: int, given) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per step: the unmasking probability of a masked position in the step's window, and the window
    [low, high): every position, or for ``schedules.blocks`` the block the step belongs to."""
    if not isinstance(schedule, BlockSchedule):
        rates = sampler_schedule(schedule)[0].rates
        return (np.ascontiguousarray(rates, dtype=np.float64), np.zeros(len(rates), dtype=np.int64),
                np.full(len(rates), length, dtype=np.int64))
    inner = schedule.inner.rates
    ranges = schedule.block_ranges(length, given)
    return (np.concatenate([inner] * len(ranges)).astype(np.float64),
            np.repeat([lo for lo, _ in ranges], len(inner)).astype(np.int64),
            np.repeat([hi for _, hi in ranges], len(inner)).astype(np.int64))


def gap_dp_logprob(lang, x: np.ndarray, schedule, model, *, max_work: float, max_entries: int, given=None) -> float:
    """Natural log of p(x) by the Markov gap DP; raises if the inputs are not supported or too large.

    ``given`` (validated, MASK where generated): the sampler starts with those tokens revealed, so the gaps
    between them evolve independently from the first step and p(x | given) = q(x | given) times the product
    of F^(a, b, 1) over the consecutive given positions a < b (virtual ends -1 and L); -inf when x changes a
    given token."""
    reason = unsupported_reason(lang, schedule, model)
    if reason is not None:
        raise InvalidArgument(f"the Markov gap DP cannot run: {reason}. Use exactmdm.exact.sequence_prob (the "
                              "revealed-set DP, any HMM and schedule, short L).")
    if not lang.in_support(x):
        raise InvalidArgument(f"x is not in the support of the language, and model {model.name} is undefined off the "
                              "support; p(x) is tracked only for support sequences.")
    length = x.shape[0]
    rates, lows, highs = _windows(schedule, length, given)
    num_steps = rates.shape[0]
    check_work(math.log(max(1.0, length ** 4 / 24 * num_steps)), f"the Markov gap DP at L={length}, N={num_steps}",
               max_work, "Use fewer steps or a shorter sequence.", seconds_per_op=SECONDS_PER_MULTIPLY_ADD)
    check_enumeration_size((length + 1) ** 3 / 6 + 5 * (length + 1) ** 2, f"the gap DP tables at L={length}", 8,
                           max_entries, "Use a shorter sequence.")
    marginals, powers = chain_tables(lang, length)
    kind, param = model.kernel_form()
    x = np.ascontiguousarray(x, dtype=np.int64)
    argmax = sampler_schedule(schedule)[1]

    workers = numba.get_num_threads()

    def tables(m: int, lam: float):
        offsets = _packed_offsets(m)
        probs = _model_probs(x[:m], marginals[:m], powers, int(kind), float(param), offsets, False)
        final = _model_probs(x[:m], marginals[:m], powers, int(kind), float(param), offsets, True) if argmax else probs
        return _gap_tables(x[:m], marginals[:m], powers, rates, lows, highs, probs, final, offsets, math.exp(lam),
                           workers)

    def log_entry(table, a: int, b: int, lam: float) -> float:
        value = table[a + 1, b]
        log = math.log(value) if 0.0 < value < np.inf else (-np.inf if value == 0.0 else np.inf)
        return log - lam * (b - a - 1)

    if given is not None and np.any((given >= 0) & (given != x)):
        return -math.inf  # the sampler keeps the given tokens
    # the per-token log ratio of a prefix sets the tilt, so that long sequences neither underflow nor overflow
    lam = 0.0 if length <= _PREFIX else -log_entry(tables(_PREFIX, 0.0), -1, _PREFIX, 0.0) / _PREFIX
    table = tables(length, lam)
    ends = [-1] + ([] if given is None else [int(i) for i in np.flatnonzero(given >= 0)]) + [length]
    value = sum(log_entry(table, a, b, lam) for a, b in zip(ends, ends[1:]))
    if not math.isfinite(value):
        raise ArithmeticError(f"the gap DP's scaled tables left the float64 range at L={length} (log p(x)/q(x) "
                              f"estimated at {-lam * length:.4g} nats from a prefix); reported instead of a wrong "
                              "-inf.")
    return lang.log_prob(x) + value - (0.0 if given is None else float(log_evidence(lang, given)))

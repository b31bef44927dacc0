"""Exact SER of a Markov-chain language at long L: the gap DP summed over the tokens of the gap's ends
(i.i.d. schedules, and MDLM's grid, whose argmax last step draws from one-hot rows).

A partially unmasked sequence of a Markov chain (initial pi, transition T) is consistent with the support
iff every pair of consecutive revealed positions i < j has T^(j-i)(x_i, x_j) > 0 (and the first revealed
position j has (pi T^j)(x_j) > 0). The output is in the support iff the sampler never leaves it, so
1 - SER = P(every state it passes through is consistent).

Under an i.i.d. schedule a maximal masked gap evolves independently of the rest given its two end tokens
(module ``markov``). Let G_k(n; u, v) be the probability that a gap of n interior positions between end
tokens u and v, fully masked at the start of step k, is filled consistently. The posterior of a masked
position in that gap, T^j(u, y) T^(n+1-j)(y, v) / T^(n+1)(u, v), depends only on n, the offset j and the
end tokens, so G does not depend on where the gap sits. The two ends of the sequence are folded in by two
virtual tokens: a start s at position -1 with T(s, y) = pi(y) (so T^j(s, y) = (pi T^(j-1))(y)), and an end
e at position L with T^d(y, e) = 1 (no constraint); then 1 - SER = G_1(L; s, e).

With r = r_k, a step reveals a set S of the interior, draws its tokens independently from the model's rows
p_uv^(n)(j, .) (the oracle's posterior or a row transform of it), and leaves the gaps between them:

    G_k(n; u, v) = sum_S r^|S| (1-r)^(n-|S|) sum_{y_S} prod_{j in S} p(j, y_j) prod_{sub-gaps} G_{k+1},

with G_k(0; u, v) = [T(u, v) > 0] at every step, G_{N+1}(n; u, v) = 0 for n > 0, and G = 0 whenever the ends
are inconsistent (T^(n+1)(u, v) = 0; the oracle is undefined there and the run has already escaped). The
sum runs left to right over the revealed positions: acc(t, y) = (1-r)^(t-1) G_{k+1}(t-1; u, y) +
sum_{j<t, y'} H(j, y') (1-r)^(t-j-1) G_{k+1}(t-j-1; y', y) with H(j, y') = r p(j, y') acc(j, y'), and
G_k(n; u, v) is the same sum taken at t = n + 1, y = v. That costs n^2 V^2 / 2 multiply-adds per
(n, u, v, k): O(N V^4 L^3 / 6) in all (V^4 because the product over revealed positions does not factorise
in the gap's two ends, as in the p(x) DP).

Numerics: every quantity is a probability in [0, 1] (no scaling needed); SER = 1 - G is exact to rounding
in absolute terms (about 1e-15 per unit of work), so a tiny SER has a correspondingly larger relative error.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._jit import njit, prange
from ..cost import SECONDS_PER_MULTIPLY_ADD, check_enumeration_size, check_work, progress_bar
from ..errors import InvalidArgument
from ..models import apply_row_transform
from ..schedules import Blockwise, sampler_schedule
from .markov import chain_tables, grid_argmax, unsupported_reason

__all__ = ["ser", "work", "DEFAULT_MAX_WORK"]

DEFAULT_MAX_WORK = 2e12
"""Multiply-adds ``exact.ser`` starts by default on this DP: about a minute and a half on two cores."""

_COLUMNS = 64  # gap sizes carried together in one vectorised sweep
_BLOCK = 8  # offsets decided before their rows are pushed into the later running sums


def work(vocab: int, length: int, num_steps: int) -> float:
    """Multiply-adds of the DP: (V+1)^2 end pairs x V^2 token pairs x L^3/6 x N."""
    return (vocab + 1) ** 2 * vocab ** 2 * length ** 3 / 6 * num_steps


def _end_factors(initial, transition, length):
    """left[u, j, y] = T^j(u, y) and right[v, y, d] = T^d(y, v), with the virtual start s = V (left) and end
    e = V (right): T^j(s, y) = (pi T^(j-1))(y), T^d(y, e) = 1."""
    vocab = initial.shape[0]
    marginals, powers = chain_tables_from(initial, transition, length + 1)
    left = np.zeros((vocab + 1, length + 2, vocab))
    right = np.zeros((vocab + 1, vocab, length + 2))
    for j in range(1, length + 2):
        left[:vocab, j] = powers[j]
        left[vocab, j] = marginals[j - 1]
        right[:vocab, :, j] = powers[j].T  # right[v, y, d] = T^d(y, v)
        right[vocab, :, j] = 1.0
    return left, right, powers[1] > 0, initial > 0


def chain_tables_from(initial, transition, length):
    """``markov.chain_tables`` for a bare (initial, transition) pair."""

    class _Chain:
        def token_chain(self):
            return initial, transition

    return chain_tables(_Chain(), length)


@njit(parallel=True)
def _model_table(left, right, kind, param, argmax):
    """probs[u, v, j, y, d] = the model's row at offset j of a gap whose right end is d further on (n = j + d - 1
    interior positions), between end tokens u and v: a transform of the posterior T^j(u, y) T^d(y, v) / Z.
    Zero where the ends are inconsistent (Z = 0) and where d = 0 (no such position). With ``argmax`` the row
    is one-hot at its argmax (MDLM's noise-removal step)."""
    ends, size, vocab = left.shape[0], left.shape[1], left.shape[2]
    out = np.zeros((ends, ends, size, vocab, size))
    for pair in prange(ends * ends):
        u, v = pair // ends, pair % ends
        row = np.empty(vocab)
        tmp = np.empty(vocab)
        res = np.empty(vocab)
        for j in range(1, size):
            for d in range(1, size - j + 1):
                total = 0.0
                for y in range(vocab):
                    row[y] = left[u, j, y] * right[v, y, d]
                    total += row[y]
                if total == 0.0:
                    continue
                for y in range(vocab):
                    row[y] /= total
                apply_row_transform(row, kind, param, tmp, res)
                best = grid_argmax(res) if argmax else -1
                for y in range(vocab):
                    out[u, v, j, y, d] = (1.0 if y == best else 0.0) if argmax else res[y]
    return out


@njit
def _add_sources(acc, t, y, lo, hi, weights, sources, first, count):
    """acc[t, y, c] += sum_s weights[s] sources[first + s, c] for lo <= c < hi over ``count`` source rows, eight
    at a time (unrolled, so that the loop over c vectorises; each element still sums its terms in the order of
    s). Unsigned column indices: no wrap-around test in the loop."""
    start, stop = np.uint64(lo), np.uint64(hi)
    s = 0
    while s + 8 <= count:
        w0, w1, w2, w3 = weights[s], weights[s + 1], weights[s + 2], weights[s + 3]
        w4, w5, w6, w7 = weights[s + 4], weights[s + 5], weights[s + 6], weights[s + 7]
        i = first + s
        for c in range(start, stop):
            acc[t, y, c] = (((((((acc[t, y, c] + w0 * sources[i, c]) + w1 * sources[i + 1, c])
                                 + w2 * sources[i + 2, c]) + w3 * sources[i + 3, c]) + w4 * sources[i + 4, c])
                              + w5 * sources[i + 5, c]) + w6 * sources[i + 6, c]) + w7 * sources[i + 7, c]
        s += 8
    while s < count:
        w, i = weights[s], first + s
        for c in range(start, stop):
            acc[t, y, c] += w * sources[i, c]
        s += 1


@njit
def _add_sources_pair(acc, t, y, lo, hi, weights0, weights1, sources, count):
    """``_add_sources`` for the two targets y and y + 1 at once, four sources at a time: each source element
    is loaded once for both (the loop is bound by loads, not arithmetic)."""
    start, stop = np.uint64(lo), np.uint64(hi)
    s = 0
    while s + 4 <= count:
        a0, a1, a2, a3 = weights0[s], weights0[s + 1], weights0[s + 2], weights0[s + 3]
        b0, b1, b2, b3 = weights1[s], weights1[s + 1], weights1[s + 2], weights1[s + 3]
        for c in range(start, stop):
            h0, h1, h2, h3 = sources[s, c], sources[s + 1, c], sources[s + 2, c], sources[s + 3, c]
            acc[t, y, c] = (((acc[t, y, c] + a0 * h0) + a1 * h1) + a2 * h2) + a3 * h3
            acc[t, y + 1, c] = (((acc[t, y + 1, c] + b0 * h0) + b1 * h1) + b2 * h2) + b3 * h3
        s += 4
    while s < count:
        a, b = weights0[s], weights1[s]
        for c in range(start, stop):
            h = sources[s, c]
            acc[t, y, c] += a * h
            acc[t, y + 1, c] += b * h
        s += 1


@njit(parallel=True)
def _step(nxt, probs, r, vocab, workers):
    """G_k from G_{k+1} (``nxt[n, u, v]``, u, v in 0..V with V the virtual start on the left and the virtual
    end on the right) for every n in 1..L and end pair; G_k(0; ., .) is copied.

    End pairs are independent problems (threads take them in turn), and so are gap sizes: for one pair the
    sizes n are carried together in chunks of ``_COLUMNS`` (``acc[t, y, c]`` for the gap size n = n0 + c,
    kept only where t <= n). Offsets j are decided in blocks of ``_BLOCK``; a block's H(j, y') rows are then
    pushed into every later row t at once, one vectorised multiply-add over c per (t, y) whose weights
    (1-r)^(t-j-1) G_{k+1}(t-j-1; y', y) for the block are one contiguous slice of ``weight``.
    """
    size = nxt.shape[0]  # L + 1
    length = size - 1
    ends = vocab + 1
    out = np.empty_like(nxt)
    out[0] = nxt[0]
    stay = np.empty(size)
    stay[0] = 1.0
    for d in range(1, size):
        stay[d] = stay[d - 1] * (1.0 - r)
    # weight[y, d, y'] = (1-r)^d G_{k+1}(d; y', y): the sub-gap between y' and a later revealed y
    weight = np.empty((vocab, size, vocab))
    for y in range(vocab):
        for d in range(size):
            for y2 in range(vocab):
                weight[y, d, y2] = stay[d] * nxt[d, y2, y]
    flat = weight.reshape((vocab, size * vocab))
    for worker in prange(workers):
        acc = np.empty((size, vocab, _COLUMNS))
        # block rows, last offset first: hbuf[(j1 - 1 - j) V + y'], so that a row's weights are weight[y, t-j1:...]
        hbuf = np.empty((_BLOCK * vocab, _COLUMNS))
        fin = np.empty(_COLUMNS)
        for pair in range(worker, ends * ends, workers):
            u, v = pair // ends, pair % ends
            for n0 in range(1, size, _COLUMNS):
                top = min(n0 + _COLUMNS - 1, length)  # the largest gap size of the chunk
                cols = top - n0 + 1
                for c in range(cols):
                    fin[c] = stay[n0 + c] * nxt[n0 + c, u, v]  # nothing revealed in the gap at this step
                for t in range(1, top + 1):
                    for y in range(vocab):
                        first = stay[t - 1] * nxt[t - 1, u, y]  # t is the first revealed position
                        for c in range(cols):
                            acc[t, y, c] = first
                for j0 in range(1, top + 1, _BLOCK):
                    j1 = min(j0 + _BLOCK, top + 1)
                    for j in range(j0, j1):
                        lo = max(0, j - n0)  # gap sizes n < j have no position j
                        base = (j1 - 1 - j) * vocab
                        for y in range(vocab):
                            h, src, pr = hbuf[base + y], acc[j, y], probs[u, v, j, y]
                            for c in range(lo):
                                h[c] = 0.0
                            for c in range(lo, cols):
                                h[c] = r * pr[n0 + c + 1 - j] * src[c]
                        for c in range(lo, cols):  # the last sub-gap, from j to the gap's right end v
                            dist = n0 + c - j
                            total = 0.0
                            for y2 in range(vocab):
                                total += stay[dist] * nxt[dist, y2, v] * hbuf[base + y2, c]
                            fin[c] += total
                        for t in range(j + 1, j1):  # later offsets of the same block, one source offset at a time
                            lo_t = max(0, t - n0)
                            for y in range(vocab):
                                _add_sources(acc, t, y, lo_t, cols, weight[y, t - j - 1], hbuf, base, vocab)
                    count = (j1 - j0) * vocab
                    for t in range(j1, top + 1):
                        lo_t = max(0, t - n0)
                        first = (t - j1) * vocab
                        for y in range(0, vocab - 1, 2):
                            _add_sources_pair(acc, t, y, lo_t, cols, flat[y, first:], flat[y + 1, first:], hbuf, count)
                        if vocab % 2:
                            _add_sources(acc, t, vocab - 1, lo_t, cols, flat[vocab - 1, first:], hbuf, 0, count)
                for c in range(cols):
                    out[n0 + c, u, v] = fin[c]
    return out


def ser(lang, length: int, schedule, model, *, max_work: float = DEFAULT_MAX_WORK, max_entries: int,
        progress: bool = False, given=None) -> float:
    """Exact SER of a Markov-chain language under an i.i.d. schedule (module docstring).

    ``given`` (validated, MASK where generated): the gaps between consecutive given tokens (and the virtual
    ends) evolve independently from the first step, so 1 - SER is the product of their G_1 factors."""
    reason = unsupported_reason(lang, schedule, model)
    if isinstance(schedule, Blockwise):  # a gap's G would depend on where it sits, not on its size alone
        reason = "block schedules are taken by the block transfer (exact.ser(..., method='block-transfer'))"
    if reason is not None:
        raise InvalidArgument(f"the Markov SER DP cannot run: {reason}.")
    initial, transition = lang.token_chain()
    reveal, argmax = sampler_schedule(schedule)
    vocab, num_steps = initial.shape[0], reveal.num_steps
    check_work(math.log(work(vocab, length, num_steps)), f"the Markov SER DP at V={vocab}, L={length}, N={num_steps}",
               max_work, "Estimate SER with exactmdm.montecarlo.ser (an exact Clopper-Pearson interval).",
               seconds_per_op=SECONDS_PER_MULTIPLY_ADD)
    check_enumeration_size((vocab + 1) ** 2 * (length + 2) ** 2 * vocab, f"the model table of the SER DP at L={length}",
                           8, max_entries, "Estimate SER with exactmdm.montecarlo.ser.")
    left, right, allowed, _ = _end_factors(np.asarray(initial, float), np.asarray(transition, float), length)
    kind, param = model.kernel_form()
    probs = _model_table(left, right, int(kind), float(param), False)
    final = _model_table(left, right, int(kind), float(param), True) if argmax else probs
    g = np.zeros((length + 1, vocab + 1, vocab + 1))
    g[0, :vocab, :vocab] = allowed  # an empty gap between two real tokens: consistent iff the pair is allowed
    g[0, vocab, :vocab] = initial > 0  # position 0 next to the virtual start
    g[0, :vocab, vocab] = 1.0  # position L - 1 next to the virtual end
    workers = numba.get_num_threads()
    rates = reveal.rates
    with progress_bar(num_steps, "SER DP steps", progress) as bar:
        for k in range(num_steps - 1, -1, -1):
            if rates[k] > 0.0:
                g = _step(g, final if k == num_steps - 1 else probs, float(rates[k]), vocab, workers)
            bar.update()
    if given is None:
        value = 1.0 - float(g[length, vocab, vocab])
    else:  # the virtual start and end share the index vocab (a start is only ever a left end, an end a right end)
        ends = [(-1, vocab)] + [(int(i), int(given[i])) for i in np.flatnonzero(given >= 0)] + [(length, vocab)]
        value = 1.0 - math.prod(float(g[b - a - 1, u, v]) for (a, u), (b, v) in zip(ends, ends[1:]))
    if not -1e-9 < value < 1.0 + 1e-9:
        raise ArithmeticError(f"the Markov SER DP returned {value!r}, outside [0, 1] by more than rounding.")
    return min(max(value, 0.0), 1.0)  # rounding only (about 1e-14 at L = 256): a probability stays one

"""Exact SER of the letter-pair chain (``languages.counterexample16``) at every length.

Token x_i = (c_{i-1}, c_i) of i.i.d. uniform letters. Under the oracle a masked position's two letters
are independent: each is known when the neighbour sharing it is revealed and uniform otherwise. So the
only way to leave the support is to reveal two neighbours in the same step, whose shared letter is then
drawn twice independently and agrees with probability 1/4; distinct pairs share distinct letters.
Hence P(correct) = E[(1/4)^K], K = number of neighbouring pairs revealed in the same step, and on the
support p(x) = q(x) (1 - SER), so KL(q || p) = -log(1 - SER) exactly.

Under the i.i.d. schedule the step labels are i.i.d. with law w, and E[z^K] = w^T T^(L-1) 1 with
T = 1 w^T + (z - 1) diag(w): an O(L N) vector recurrence. For uniform weights 1 is an eigenvector of T
with eigenvalue 1 + (z-1)/N, giving the closed form E[z^K] = (1 + (z-1)/N)^(L-1).

For any model with eps_learning <= eps, two neighbours revealed together agree with probability at most
m(eps) (``theorems.bounds.pair_match_bound``); pairs on disjoint positions are independent, so P(correct) <= E[m^K'] with
K' the size of a maximum matching of same-step neighbours (sum of floor(run/2) over runs of equal
labels), another transfer recurrence (``matching_generating``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._jit import njit
from ..cost import DEFAULT_MAX_WORK, SECONDS_PER_MULTIPLY_ADD, check_work
from ..errors import InvalidArgument
from ..schedules import multinomial
from ..validation import as_int

__all__ = ["letter_pairs", "same_step_generating", "matching_generating", "ser_uniform_exact", "ser_iid",
           "fixed_sizes_correct_exact", "fixed_sizes_correct_mc", "log_same_step_generating",
           "log_matching_generating", "correct_uniform_exact", "log_correct_uniform", "log_correct_iid"]


def letter_pairs(lang):
    """The letter structure of ``lang`` when it is a letter-pair chain, else None: ``(k, left, right)`` with
    token t = (left[t], right[t]) in {0..k-1}^2, a bijection onto the k^2 pairs.

    A letter-pair chain has i.i.d. uniform letters c_0..c_L and tokens x_i = (c_{i-1}, c_i): as a Markov chain
    on V = k^2 tokens, the start is uniform and t -> u has probability 1/k when u's left letter is t's right
    letter, else 0. Read from the transition matrix, whatever the token labels: two tokens share their right
    letter iff their rows are equal, and their left letter iff their columns are equal. The exact SER below
    holds for exactly these languages (``counterexample16`` is the one with k = 4), so the engines dispatch on
    this property rather than on one witness.
    """
    chain = lang.token_chain()
    if chain is None:
        return None
    initial, transition = chain
    vocab = initial.shape[0]
    k = math.isqrt(vocab)
    if k < 2 or k * k != vocab or np.any(initial != initial[0]) or initial[0] != 1.0 / vocab:
        return None
    positive = transition > 0
    if np.any(transition[positive] != 1.0 / k) or np.any(positive.sum(axis=1) != k):
        return None
    rows, right = np.unique(positive, axis=0, return_inverse=True)  # one row per right letter
    columns, left = np.unique(positive.T, axis=0, return_inverse=True)  # one column pattern per left letter
    if rows.shape[0] != k or columns.shape[0] != k:
        return None
    right, left = right.ravel(), left.ravel()
    # the row of right letter r must reach exactly the tokens whose left letter is r (numbered by their columns)
    letter_of_row = left[rows.argmax(axis=1)]
    if np.unique(letter_of_row).shape[0] != k or np.any(rows != (left[None, :] == letter_of_row[:, None])):
        return None
    right = letter_of_row[right]
    if np.unique(left * k + right).shape[0] != vocab:
        return None
    return k, left, right


@njit
def _log_same_step_gen(weights, z, length):
    """log E[z^K] by the transfer recurrence v_k <- w_k (sum(v) + (z - 1) v_k), kept normalised (sum v = 1).

    With sum v = 1 the normaliser is 1 + (z - 1) sum_k w_k v_k, so its log is log1p of a small number formed
    directly, never as a difference of numbers near 1: P(correct) = 8.5e-176 (L = 4096, N = 8) and
    P(correct) = 1 - 3e-3 (N = 10^6) both keep full relative precision in log form. The weights are read
    as w / sum(w), the law they stand for.
    """
    w = weights / weights.sum()
    v = w.copy()
    log_scale = 0.0
    for _ in range(1, length):
        d = 0.0
        for k in range(w.shape[0]):
            d += w[k] * v[k]
        d *= z - 1.0
        if d <= -1.0:
            return -np.inf
        for k in range(w.shape[0]):
            v[k] = w[k] * (1.0 + (z - 1.0) * v[k]) / (1.0 + d)
        log_scale += math.log1p(d)
    return log_scale


@njit
def _log_matching_gen(weights, m, length):
    """log E[m^K'] by the run-parity recurrence (odd_k <- w_k (1 - odd_k), even_k <- m w_k odd_k after
    normalising to total 1), with the normaliser 1 + (m - 1) sum_k w_k odd_k taken through log1p."""
    w = weights / weights.sum()
    odd = w.copy()  # current run at label k has odd length
    even = np.zeros_like(w)
    log_scale = 0.0
    for _ in range(1, length):
        d = 0.0
        for k in range(w.shape[0]):
            d += w[k] * odd[k]
        d *= m - 1.0
        if d <= -1.0:
            return -np.inf
        for k in range(w.shape[0]):
            o = odd[k]
            even[k] = m * w[k] * o / (1.0 + d)
            odd[k] = w[k] * (1.0 - o) / (1.0 + d)
        log_scale += math.log1p(d)
    return log_scale


def _is_exact(z, weights) -> bool:
    return isinstance(z, Fraction) or all(isinstance(w, Fraction) for w in weights)


def same_step_generating(weights, z, length: int):
    """E[z^K] for i.i.d. step labels with law ``weights``. Exact (Fractions) when the inputs are Fractions;
    otherwise exp of ``log_same_step_generating`` (which underflows to 0 only past 1e-308)."""
    length = as_int(length, "length", minimum=1)
    if _is_exact(z, weights):
        w = [Fraction(x) for x in weights]
        v = list(w)
        for _ in range(1, length):
            s = sum(v)
            v = [wk * (s + (Fraction(z) - 1) * vk) for wk, vk in zip(w, v)]
        return sum(v)
    return math.exp(log_same_step_generating(weights, z, length))


def _check_recurrence_work(weights, length: int, max_work: float) -> np.ndarray:
    """The weights as floats, once the O(L N) transfer recurrence is known to fit in ``max_work`` steps."""
    weights = np.asarray([float(w) for w in weights])
    check_work(math.log(length) + math.log(max(1, weights.shape[0])),
               f"the letter-pair transfer recurrence at L={length}, N={weights.shape[0]}", max_work,
               "For uniform weights (the linear schedule) log_correct_uniform(L, N) is the same number in closed form "
               "(O(1)); otherwise estimate with exactmdm.montecarlo.ser.", seconds_per_op=SECONDS_PER_MULTIPLY_ADD)
    return weights


def log_same_step_generating(weights, z, length: int, *, max_work: float = DEFAULT_MAX_WORK) -> float:
    """Natural log of E[z^K] (float), finite wherever E[z^K] > 0, at every length; O(L N), refused (before
    starting) above ``max_work`` steps."""
    length = as_int(length, "length", minimum=1)
    weights = _check_recurrence_work(weights, length, max_work)
    return float(_log_same_step_gen(weights, float(z), length))


def matching_generating(weights, m, length: int):
    """E[m^K'] with K' = sum over runs of equal neighbouring labels of floor(run / 2)."""
    length = as_int(length, "length", minimum=1)
    if _is_exact(m, weights):
        w = [Fraction(x) for x in weights]
        odd, even = list(w), [Fraction(0)] * len(w)
        for _ in range(1, length):
            s = sum(odd) + sum(even)
            odd, even = [wk * (s - o) for wk, o in zip(w, odd)], [Fraction(m) * wk * o for wk, o in zip(w, odd)]
        return sum(odd) + sum(even)
    return math.exp(log_matching_generating(weights, m, length))


def log_matching_generating(weights, m, length: int, *, max_work: float = DEFAULT_MAX_WORK) -> float:
    """Natural log of E[m^K'] (float), finite at every length; O(L N), refused above ``max_work`` steps."""
    length = as_int(length, "length", minimum=1)
    return float(_log_matching_gen(_check_recurrence_work(weights, length, max_work), float(m), length))


def correct_uniform_exact(length: int, num_steps: int, match=Fraction(1, 4), exponent: int | None = None) -> Fraction:
    """(1 - (1 - m)/N)^e exactly: P(correct) of the oracle (m = 1/4, e = L - 1) under uniform weights,
    and, with e = floor(L/2), the disjoint-pairs bound valid for every i.i.d. schedule. The one home of
    this closed form; ``log_correct_uniform`` is its float log."""
    length = as_int(length, "length", minimum=1)
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    e = length - 1 if exponent is None else exponent
    return (1 - (1 - Fraction(match)) / num_steps) ** e


def log_correct_uniform(length: int, num_steps: int, match=0.25, exponent: int | None = None) -> float:
    """e * log1p(-(1 - m)/N): the natural log of ``correct_uniform_exact``, with no cancellation."""
    length = as_int(length, "length", minimum=1)
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    e = length - 1 if exponent is None else exponent
    step = (1 - float(match)) / num_steps
    return e * math.log1p(-step) if step < 1 else (0.0 if e == 0 else -math.inf)


def ser_uniform_exact(length: int, num_steps: int, match: Fraction = Fraction(1, 4)) -> Fraction:
    """Exact SER = 1 - (1 - (1 - match)/N)^(L-1) of the oracle (match = 1/4) under uniform weights."""
    return 1 - correct_uniform_exact(length, num_steps, match)


def log_correct_iid(schedule, length: int, letters: int = 4, *, max_work: float = DEFAULT_MAX_WORK) -> float:
    """log P(correct) = log(1 - SER) of the oracle under any i.i.d. schedule, in nats; KL(q||p) is minus this.
    ``letters``: k of a letter-pair chain over k letters (4 for ``counterexample16``), whose same-step
    neighbours agree with probability 1/k."""
    letters = as_int(letters, "letters", minimum=1)
    return log_same_step_generating(schedule.weights, 1.0 / letters, length, max_work=max_work)


def ser_iid(schedule, length: int, exact: bool = False):
    """Oracle SER under an i.i.d. schedule: exact Fraction when ``exact`` and the weights are rational, else
    -expm1(log P(correct)) (no cancellation near 0 or 1)."""
    if exact:
        if schedule.exact_weights is None:
            raise InvalidArgument(f"schedule {schedule.name} has no exact rational weights: use exact=False.")
        return 1 - same_step_generating(schedule.exact_weights, Fraction(1, 4), length)
    return -math.expm1(log_correct_iid(schedule, length))


def fixed_sizes_correct_exact(sizes, match=Fraction(1, 4)) -> Fraction:
    """Exact E[match^K] under a fixed-size schedule: K over a uniformly random arrangement of the labels.

    Sum over arrangements of match^K by a memoised recursion on (sorted positive counts of the other
    labels, count left of the label just placed): labels with equal counts are interchangeable, so the
    state space is a set of count histograms, small for balanced sizes. Divided by L!/prod s_t!.
    """
    from functools import lru_cache

    z = Fraction(match)

    @lru_cache(maxsize=None)
    def total(others: tuple, last: int) -> Fraction:
        if not others and last == 0:
            return Fraction(1)
        out = z * total(others, last - 1) if last > 0 else Fraction(0)
        for value in set(others):
            rest = list(others)
            rest.remove(value)
            if last > 0:
                rest.append(last)
            out += others.count(value) * total(tuple(sorted(rest)), value - 1)
        return out

    sizes = [int(x) for x in sizes]
    return total(tuple(sorted(x for x in sizes if x > 0)), 0) / multinomial(sizes)


def fixed_sizes_correct_mc(sizes, num_samples: int, seed: int, match: float = 0.25):
    """Monte Carlo of P(correct) = E[match^K] under a fixed-size schedule (uniform ordered partition).

    Each sample draws a uniform arrangement of the step labels and averages match^K: a bounded estimator
    in [0, 1], so Hoeffding gives the interval. Returns (estimate, half_width_99)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    total = 0.0
    batch = 4096
    done = 0
    while done < num_samples:
        n = min(batch, num_samples - done)
        perms = rng.permuted(np.tile(labels, (n, 1)), axis=1)
        k = (perms[:, 1:] == perms[:, :-1]).sum(axis=1)
        total += float(np.sum(match ** k))
        done += n
    half = math.sqrt(math.log(2 / 0.01) / (2 * num_samples))
    return total / num_samples, half

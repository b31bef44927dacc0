"""Exact SER of the letter-pair chain (``languages.counterexample16``) at every length (SPEC 2.E).

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
m(eps) (``pair_match_bound``); pairs on disjoint positions are independent, so P(correct) <= E[m^K'] with
K' the size of a maximum matching of same-step neighbours (sum of floor(run/2) over runs of equal
labels), another transfer recurrence (``matching_generating``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .._jit import njit
from ..validation import as_float, as_int

__all__ = ["same_step_generating", "matching_generating", "ser_uniform_exact", "ser_iid", "pair_match_bound",
           "pair_match_optimum", "tilted_letter_model", "fixed_sizes_correct_exact",
           "pinsker_match_bound", "fixed_sizes_correct_mc"]


@njit
def _same_step_gen(weights, z, length):
    v = weights.copy()
    for _ in range(1, length):
        s = v.sum()
        for k in range(v.shape[0]):
            v[k] = weights[k] * (s + (z - 1.0) * v[k])
    return v.sum()


@njit
def _matching_gen(weights, m, length):
    odd = weights.copy()  # current run at label k has odd length
    even = np.zeros_like(weights)
    for _ in range(1, length):
        s = odd.sum() + even.sum()
        for k in range(weights.shape[0]):
            o = odd[k]
            even[k] = m * weights[k] * o
            odd[k] = weights[k] * (s - o)
    return odd.sum() + even.sum()


def same_step_generating(weights, z, length: int):
    """E[z^K] for i.i.d. step labels with law ``weights``. Exact (Fractions) when the inputs are Fractions."""
    length = as_int(length, "length", minimum=1)
    if isinstance(z, Fraction) or all(isinstance(w, Fraction) for w in weights):
        w = [Fraction(x) for x in weights]
        v = list(w)
        for _ in range(1, length):
            s = sum(v)
            v = [wk * (s + (Fraction(z) - 1) * vk) for wk, vk in zip(w, v)]
        return sum(v)
    return float(_same_step_gen(np.asarray(weights, dtype=np.float64), float(z), length))


def matching_generating(weights, m, length: int):
    """E[m^K'] with K' = sum over runs of equal neighbouring labels of floor(run / 2)."""
    length = as_int(length, "length", minimum=1)
    if isinstance(m, Fraction) or all(isinstance(w, Fraction) for w in weights):
        w = [Fraction(x) for x in weights]
        odd, even = list(w), [Fraction(0)] * len(w)
        for _ in range(1, length):
            s = sum(odd) + sum(even)
            odd, even = [wk * (s - o) for wk, o in zip(w, odd)], [Fraction(m) * wk * o for wk, o in zip(w, odd)]
        return sum(odd) + sum(even)
    return float(_matching_gen(np.asarray(weights, dtype=np.float64), float(m), length))


def ser_uniform_exact(length: int, num_steps: int, match: Fraction = Fraction(1, 4)) -> Fraction:
    """Exact SER = 1 - (1 - (1 - match)/N)^(L-1) of the oracle (match = 1/4) under uniform weights."""
    length = as_int(length, "length", minimum=1)
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    return 1 - (1 - (1 - Fraction(match)) / num_steps) ** (length - 1)


def ser_iid(schedule, length: int, exact: bool = False):
    """Oracle SER under an i.i.d. schedule: exact Fraction when ``exact`` and the weights are rational."""
    if exact:
        if schedule.exact_weights is None:
            raise ValueError(f"schedule {schedule.name} has no exact rational weights; use exact=False.")
        return 1 - same_step_generating(schedule.exact_weights, Fraction(1, 4), length)
    return 1.0 - same_step_generating(schedule.weights, 0.25, length)


def _kl_uniform_to(a: np.ndarray) -> float:
    return float(-np.mean(np.log(a * a.shape[0])))


def pair_match_optimum(eps_nats: float, letters: int = 4) -> tuple[float, np.ndarray]:
    """(max |a|^2, the maximiser a) over letter laws a with KL(uniform || a) <= eps.

    The stationary points of |a|^2 on {KL(u || a) = eps} take two values (2 a_c + mu / a_c = lambda has two
    positive roots), so the maximum is over k coordinates at x and letters - k at y, found by bisection
    (the returned a is feasible: it is the inner end of the bisection bracket).
    """
    eps = as_float(eps_nats, "eps_nats", minimum=0.0)
    best, best_a = 1.0 / letters, np.full(letters, 1.0 / letters)
    for k in range(1, letters):
        lo, hi = 1.0 / letters, 1.0 / k  # KL increases from 0 to inf as x grows over (1/letters, 1/k)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            y = (1.0 - k * mid) / (letters - k)
            if y > 0 and _kl_uniform_to(np.array([mid] * k + [y] * (letters - k))) <= eps:
                lo = mid
            else:
                hi = mid
        a = np.array([lo] * k + [(1.0 - k * lo) / (letters - k)] * (letters - k))
        if float(a @ a) > best:
            best, best_a = float(a @ a), a
    return best, best_a


def pair_match_bound(eps_nats: float, letters: int = 4) -> float:
    """m(eps) = max <a, b> over letter laws a, b with KL(uniform || a), KL(uniform || b) <= eps.

    Two neighbours revealed together each draw their shared letter from their model's marginal on it;
    the oracle's marginal is uniform, and marginalising cannot increase KL, so any model with
    eps_learning <= eps has marginals in that set, and <a, b> <= max(|a|^2, |b|^2). Rounded up by 1e-9
    relative (past the bisection's bracket) so that it stays an upper bound.
    """
    return pair_match_optimum(eps_nats, letters)[0] * (1 + 1e-9)


def tilted_letter_model(eps_nats: float):
    """A model for ``counterexample16`` with eps_learning <= eps that makes same-step pairs agree often.

    At a masked position each unknown letter (the neighbour sharing it is masked) is drawn from the
    maximiser a of ``pair_match_optimum`` for the budget eps / (number of unknown letters); known
    letters are copied. Its KL to the oracle is the sum over unknown letters of KL(u || a) <= eps, and two
    neighbours revealed together agree with probability |a|^2: close to the worst case m(eps).
    """
    from ..models import FunctionModel

    laws = {1: pair_match_optimum(eps_nats)[1], 2: pair_match_optimum(eps_nats / 2)[1]}

    def fn(xt):
        batch, length = xt.shape
        out = np.zeros((batch, length, 16))
        for b in range(batch):
            for i in range(length):
                if xt[b, i] >= 0:
                    out[b, i, xt[b, i]] = 1.0
                    continue
                left = xt[b, i - 1] % 4 if i > 0 and xt[b, i - 1] >= 0 else -1
                right = xt[b, i + 1] // 4 if i + 1 < length and xt[b, i + 1] >= 0 else -1
                unknown = (left < 0) + (right < 0)
                a = laws.get(unknown)
                pl = a if left < 0 else np.eye(4)[left]
                pr = a if right < 0 else np.eye(4)[right]
                out[b, i] = np.outer(pl, pr).reshape(16)
        return out

    return FunctionModel(fn, 16, name=f"tilted-letter(eps={eps_nats:g} nats)", defined_off_support=False)


def pinsker_match_bound(eps_nats) -> Fraction | float:
    """Pinsker route: TV <= delta = sqrt(eps/2), and <a, b> <= 1/4 + 2 delta^2 = 1/4 + eps (exact)."""
    return Fraction(1, 4) + (Fraction(eps_nats) if isinstance(eps_nats, Fraction) else eps_nats)


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
    arrangements = math.factorial(sum(sizes))
    for x in sizes:
        arrangements //= math.factorial(x)
    return total(tuple(sorted(x for x in sizes if x > 0)), 0) / arrangements


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

"""Choosing a schedule from an information profile: the exact optimum, the steps needed, named families.

A random-order schedule with sizes k_1..k_T has E KL = sum_t k_t h(c_(t-1)) - H = sum_t w(c_(t-1), c_t) with
    w(c, c') = (c' - c) h(c) - (h(c) + ... + h(c' - 1)) >= 0
(``exactmdm.profile``). ``optimal`` minimises it over every composition of L into at most T parts by a DP
over (steps used, revealed count): f_t(c') = min_(c < c') f_(t-1)(c) + w(c, c').

Structure. For c1 <= c2 <= c3 <= c4, w(c1, c3) + w(c2, c4) - w(c1, c4) - w(c2, c3) = (c4 - c3)(h(c2) - h(c1)),
which is <= 0 exactly when h is non-increasing (a profile always is): the costs are Monge, so the leftmost
minimiser of each DP row is non-decreasing in c' and each layer is solved by divide and conquer in
O(L log L): O(T L log L) in all, against O(T L^2) for the plain DP. Where an input h is not non-increasing
(a Monte Carlo estimate can wobble) the plain O(T L^2) layer is used instead, so the result is always the
exact minimiser of the costs given. Splitting a step never increases the cost when h is non-increasing,
so the optimum over at most T parts uses min(T, L) of them.

Named families (``steps_needed``): "optimal", "balanced" (``schedules.balanced_sizes``), "iid-linear" and
"iid-cosine" (``schedules.iid``), "geometric" (``geometric`` below).

Not implemented: the TC/DTC-based schedules of Chen, Cong & Li (arXiv 2511.04647). Their public abstract
states that such schedules reach O(log L) steps in natural settings but does not define them, so there is
no statement here to implement without inventing one.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit
from .errors import InvalidArgument, InvalidType
from .profile import Profile, reveal_weights, riemann_kl
from .schedules import FixedSizes, balanced_sizes, fixed_sizes, iid
from .validation import as_float, as_int

__all__ = ["optimal", "optimal_table", "steps_needed", "geometric", "FAMILIES"]

FAMILIES = ("optimal", "balanced", "iid-linear", "iid-cosine", "geometric")


@njit
def _cost(h, prefix, c, c_next):
    return (c_next - c) * h[c] - (prefix[c_next] - prefix[c])


@njit
def _layer_monge(prev, h, prefix, first, cur, arg):
    """cur[c'] = min_(first <= c < c') prev[c] + w(c, c') for c' > first, by divide and conquer on the monotone
    leftmost argmin (an explicit stack of (lo, hi, opt_lo, opt_hi) ranges)."""
    length = h.shape[0]
    stack = np.empty((64 + 2 * length, 4), dtype=np.int64)
    top = 0
    stack[0] = (first + 1, length, first, length - 1)
    top = 1
    while top > 0:
        top -= 1
        lo, hi, opt_lo, opt_hi = stack[top]
        if lo > hi:
            continue
        mid = (lo + hi) // 2
        best, where = np.inf, -1
        for c in range(max(opt_lo, first), min(opt_hi, mid - 1) + 1):
            value = prev[c] + _cost(h, prefix, c, mid)
            if value < best:
                best, where = value, c
        cur[mid] = best
        arg[mid] = where
        if where < 0:
            where = opt_lo
        stack[top] = (lo, mid - 1, opt_lo, where)
        stack[top + 1] = (mid + 1, hi, where, opt_hi)
        top += 2


@njit
def _layer_full(prev, h, prefix, first, cur, arg):
    length = h.shape[0]
    for c_next in range(first + 1, length + 1):
        best, where = np.inf, -1
        for c in range(first, c_next):
            value = prev[c] + _cost(h, prefix, c, c_next)
            if value < best:
                best, where = value, c
        cur[c_next] = best
        arg[c_next] = where


def _check_profile(prof):
    if isinstance(prof, Profile):
        return np.ascontiguousarray(prof.h, dtype=np.float64)
    raise InvalidType(f"profile={prof!r} must be an exactmdm.profile.Profile (exactmdm.profile.profile(lang, L)).")


class _Layers:
    """The DP one layer at a time: values[t] = f_t(L), the least E KL with exactly t steps."""

    def __init__(self, h: np.ndarray):
        self.h = h
        self.length = h.shape[0]
        self.prefix = np.concatenate([[0.0], np.cumsum(h)])
        self.monge = bool(np.all(np.diff(h) <= 0.0))
        self.layer = _layer_monge if self.monge else _layer_full
        self.prev = np.full(self.length + 1, np.inf)
        self.prev[0] = 0.0
        self.args = []
        self.values = [math.inf]

    def step(self) -> float:
        t = len(self.args) + 1
        cur = np.full(self.length + 1, np.inf)
        arg = np.full(self.length + 1, -1, dtype=np.int64)
        self.layer(self.prev, self.h, self.prefix, t - 1, cur, arg)
        self.prev = cur
        self.args.append(arg)
        self.values.append(float(cur[self.length]))
        return self.values[-1]

    def sizes(self, steps: int) -> FixedSizes:
        cuts = [self.length]
        for t in range(steps, 0, -1):
            cuts.append(int(self.args[t - 1][cuts[-1]]))
        cuts = cuts[::-1]
        return fixed_sizes([b - a for a, b in zip(cuts, cuts[1:])])


def optimal_table(profile, num_steps: int) -> np.ndarray:
    """(T + 1,) array: entry t is the least E KL (nats) over compositions into exactly t parts (inf at t = 0
    and for t > L)."""
    h = _check_profile(profile)
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    layers = _Layers(h)
    for _ in range(min(num_steps, h.shape[0])):
        layers.step()
    return np.array(layers.values + [math.inf] * (num_steps + 1 - len(layers.values)))


def optimal(profile, num_steps: int) -> FixedSizes:
    """The sizes minimising ``profile.expected_kl`` over all compositions of L into at most ``num_steps`` parts
    (exact: the DP of the module docstring, O(T L log L) when h is non-increasing, else O(T L^2)); among equal
    minima the fewest steps, then the earliest cuts."""
    h = _check_profile(profile)
    num_steps = as_int(num_steps, "num_steps", minimum=1)
    layers = _Layers(h)
    for _ in range(min(num_steps, h.shape[0])):
        layers.step()
    best = int(np.argmin(layers.values))
    return layers.sizes(best)


def geometric(length: int, num_steps: int, ratio: float) -> FixedSizes:
    """Sizes growing (ratio > 1) or shrinking (ratio < 1) geometrically, summing to L exactly.

    Definition: the revealed count after step t is c_t = round(L (r^t - 1) / (r^T - 1)) (t / T * L when r = 1),
    rounding half up, then clamped to c_(t-1) + 1 <= c_t <= L - (T - t) so that every step reveals at least one
    position; c_T = L. Needs 1 <= T <= L and r > 0.
    """
    length = as_int(length, "length", minimum=1)
    num_steps = as_int(num_steps, "num_steps", minimum=1, maximum=length)
    ratio = as_float(ratio, "ratio", minimum=0.0, strict_minimum=True)
    log_r = math.log(ratio)
    cuts = [0]
    for t in range(1, num_steps + 1):
        if log_r == 0.0:
            frac = t / num_steps
        elif log_r > 0.0:  # r^(t-T) (1 - r^-t) / (1 - r^-T): no overflow at large T
            frac = math.exp((t - num_steps) * log_r) * math.expm1(-t * log_r) / math.expm1(-num_steps * log_r)
        else:
            frac = math.expm1(t * log_r) / math.expm1(num_steps * log_r)
        c = math.floor(length * frac + 0.5)
        cuts.append(min(max(c, cuts[-1] + 1), length - (num_steps - t)))
    cuts[-1] = length
    return fixed_sizes([b - a for a, b in zip(cuts, cuts[1:])])


def _fixed_kl(h: np.ndarray, sizes) -> float:
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return float(np.sum(np.repeat(h[starts], sizes) - h))


def steps_needed(profile, eps: float, family: str = "optimal", *, ratio: float = 2.0, max_steps: int | None = None) -> int:
    """The least T with E KL <= eps (nats) for a schedule family, from an exact profile.

    "optimal": the DP run layer by layer until the least E KL over t parts is <= eps (exact least T: E KL of
    the optimum does not increase with T). "balanced" and "geometric" (with ``ratio``): T = 1, 2, ... in turn
    (exact least T). "iid-linear", "iid-cosine": doubling then bisection on N, the least N when E KL is
    non-increasing in N (expected, not proved here), up to ``max_steps`` (default 16 L), else an error.
    """
    h = _check_profile(profile)
    if not profile.exact:
        raise InvalidArgument(f"profile.method={profile.method!r} is an estimate; steps_needed compares E KL with eps "
                              "exactly, so build the profile with method='enumeration' or 'markov'.")
    eps = as_float(eps, "eps", minimum=0.0)
    if family not in FAMILIES:
        raise InvalidArgument(f"family={family!r} is not known: use one of {', '.join(map(repr, FAMILIES))}.")
    length = h.shape[0]
    if family == "optimal":
        layers = _Layers(h)
        for t in range(1, length + 1):
            if layers.step() <= eps:
                return t
        return length
    if family in ("balanced", "geometric"):
        make = (lambda t: balanced_sizes(length, t)) if family == "balanced" else (lambda t: geometric(length, t, ratio))
        for t in range(1, length + 1):
            if _fixed_kl(h, make(t).sizes) <= eps:
                return t
        return length
    max_steps = as_int(16 * length if max_steps is None else max_steps, "max_steps", minimum=1)
    alpha = family.split("-")[1]

    def kl(n):
        return riemann_kl(h, reveal_weights(iid(n, alpha), length))

    hi = 1
    while kl(hi) > eps:
        if hi >= max_steps:
            raise InvalidArgument(f"family={family!r} needs more than max_steps={max_steps} steps for eps={eps!r}; "
                                  "pass a larger max_steps.")
        hi = min(2 * hi, max_steps)
    lo = hi // 2  # kl(lo) > eps (or lo = 0)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if kl(mid) <= eps else (mid, hi)
    return hi

"""Slow references for the information profile and schedule design, named like the fast functions.

Everything enumerates: subsets R and positions a (the profile's definition, through conditional laws of
the joint table, not through marginal entropies), orders of the positions, and compositions.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from . import naive


def _conditional_entropy(q, a, subset):
    """H(X_a | X_R) from a {x: q(x)} table, by grouping on x_R."""
    groups = {}
    for x, p in q.items():
        if p > 0:
            row = groups.setdefault(tuple(x[i] for i in subset), {})
            row[x[a]] = row.get(x[a], 0.0) + float(p)
    total = 0.0
    for row in groups.values():
        z = sum(row.values())
        total += sum(-p * math.log(p / z) for p in row.values() if p > 0)
    return total


def profile(lang, length):
    """h[j] = mean over j-subsets R and a not in R of H(X_a | X_R), directly from the definition."""
    q = naive.joint(lang, length)
    h = []
    for j in range(length):
        terms = [_conditional_entropy(q, a, subset) for subset in itertools.combinations(range(length), j)
                 for a in range(length) if a not in subset]
        h.append(sum(terms) / len(terms))
    return np.array(h)


def order_kl(lang, sizes):
    """E over uniform orders sigma of KL(q || p_sigma) with the true conditionals, enumerating all L! orders:
    p_sigma(x) = prod_t prod_(i in block t) q(x_i | x_(blocks < t))."""
    length = sum(sizes)
    q = naive.joint(lang, length)
    total, count = 0.0, 0
    for order in itertools.permutations(range(length)):
        labels = [0] * length
        start = 0
        for t, s in enumerate(sizes):
            for i in order[start:start + s]:
                labels[i] = t
            start += s
        total += naive.labelled_kl(q, labels, lang.vocab_size)
        count += 1
    return total / count


def compositions(length, max_parts):
    """Every composition of ``length`` into at most ``max_parts`` positive parts."""
    for parts in range(1, min(max_parts, length) + 1):
        for cuts in itertools.combinations(range(1, length), parts - 1):
            bounds = (0,) + cuts + (length,)
            yield [b - a for a, b in zip(bounds, bounds[1:])]


def optimal_kl(h, max_parts):
    """min over compositions of sum_t k_t h(c_(t-1)) - sum h, by trying every composition."""
    best = math.inf
    for sizes in compositions(len(h), max_parts):
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        best = min(best, math.fsum(list(np.asarray(sizes) * h[starts]) + list(-h)))
    return best


def optimal_dp_python(h, num_steps):
    """The plain O(T L^2) DP in pure Python (the benchmark's baseline)."""
    length = len(h)
    prefix = [0.0]
    for v in h:
        prefix.append(prefix[-1] + v)
    prev = [0.0] + [math.inf] * length
    best = math.inf
    for t in range(1, num_steps + 1):
        cur = [math.inf] * (length + 1)
        for c_next in range(t, length + 1):
            cur[c_next] = min(prev[c] + (c_next - c) * h[c] - (prefix[c_next] - prefix[c]) for c in range(t - 1, c_next))
        prev = cur
        best = min(best, cur[length])
    return best

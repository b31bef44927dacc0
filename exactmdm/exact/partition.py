"""Exact KL of the fixed-partition sampler, averaged over partitions (Li & Cai's left side).

For an ordered partition M = (M_1, ..., M_T) of the positions, the sampler with a factorised predictor
outputs p_M(x) = prod_t prod_{i in M_t} p_i(x_i | x_{M_<t}). Li & Cai bound E_M[KL(q || p_M)], the
average over uniformly random ordered partitions with sizes s_1..s_T of the KL of each fixed-M sampler
(not the KL of the mixture, which is smaller by convexity). Exactly, for each M,
    KL(q || p_M) = sum_t E_q[TC(X_{M_t} | X_{M_<t})] + eps_train(M),
    eps_train(M) = sum_t sum_{i in M_t} E_q[KL(q_i(. | x_{M_<t}) || p_i(. | x_{M_<t}))],
since the KL of a joint law to a product splits into the total correlation plus the marginals' KLs.
``expected_partition_kl`` enumerates everything: all L!/prod s_t! partitions and all support sequences.

``markov_partition_kl`` is exact at any L for a Markov chain on tokens with the oracle predictor. Given
that position i is revealed at step t, the positions revealed before it are a uniformly random subset of
size m_t = s_1 + ... + s_(t-1) of the other L - 1, and the oracle's marginal at i depends only on the
nearest revealed neighbours a < i < b. So
    E_M KL(q || p_M) = sum_i E[H(X_i | X_a, X_b)] - H(X),
where the expectation is over the step of i (probability s_t / L) and the neighbours' distances, whose
law is a ratio of binomial coefficients; H(X_i | X_a, X_b) = H(X_i | X_a) + H(X_b | X_i) - H(X_b | X_a)
(one-sided or unconditional where a neighbour is missing). Cost O(L^2 + L V^3). For a model whose
output is a function g of the oracle's posterior row (``Perturbed``), ``markov_eps_train`` adds
eps_train = sum_i E[KL(q_i(. | X_a, X_b) || g(q_i(. | X_a, X_b)))] over the same neighbour law, in
O(L^3 V^3 / 6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sympy.utilities.iterables import multiset_permutations

from .._jit import njit, prange
from ..errors import EnumerationTooLarge, InvalidArgument
from ..validation import as_language
from ..information import entropy, kl_row, kl_rows, neumaier_add
from ..models import Oracle, apply_row_transform, resolve_model
from ..schedules import FixedSizes, fixed_sizes, multinomial
from ..inference import posterior

MAX_PARTITIONS = 200_000


@dataclass(frozen=True)
class PartitionKL:
    """E_M of KL(q || p_M) and of eps_train(M), in nats, and the number of partitions averaged."""

    kl_nats: float
    eps_train_nats: float
    num_partitions: int
    max_kl_nats: float


def num_partitions(sizes) -> int:
    """L! / prod s_t!: the number of ordered partitions averaged over."""
    return multinomial(sizes)


def expected_partition_kl(lang, sizes, model=None) -> PartitionKL:
    sizes = [int(s) for s in sizes]
    length = sum(sizes)
    count = num_partitions(sizes)
    if count > MAX_PARTITIONS:
        raise EnumerationTooLarge(f"sizes {sizes} have {count} ordered partitions (more than {MAX_PARTITIONS}); "
                                  "use smaller L, markov_partition_kl (exact at any L for the oracle on a "
                                  "Markov-chain language), or montecarlo.kl_per_token(..., method='path') with a "
                                  "fixed_sizes schedule (Monte Carlo over partitions).")
    model = resolve_model(lang, model)
    table = lang.joint(length)
    xs = np.argwhere(table > 0)
    q = table[tuple(xs.T)]
    neg_entropy = float(np.sum(q * np.log(q)))
    rows = np.arange(xs.shape[0])
    terms: dict = {}

    def revealed_terms(mask: int):
        """For the revealed set ``mask`` (bit i = position i): per position i, E_q log p_i(x_i | x_R) and
        E_q KL(q_i || p_i). A step's factor depends on the partition only through the set revealed before
        it, so each of the 2^L sets is evaluated once, however many partitions share it."""
        if mask not in terms:
            revealed = np.array([(mask >> i) & 1 for i in range(length)], dtype=bool)
            xt = np.where(revealed[None, :], xs, -1)
            probs = model(xt)
            log_p = np.array([float(np.sum(q * np.log(probs[rows, i, xs[:, i]]))) for i in range(length)])
            eps = np.zeros(length)
            if not isinstance(model, Oracle):
                truth = posterior(lang, xt)
                eps = np.array([float(np.sum(q * kl_rows(truth[:, i, :], probs[:, i, :]))) for i in range(length)])
            terms[mask] = (log_p, eps)
        return terms[mask]

    labels0 = [k for k, s in enumerate(sizes) for _ in range(s)]
    total_kl, total_eps, worst = 0.0, 0.0, 0.0
    for labels in multiset_permutations(labels0):
        log_p, eps_train, mask = 0.0, 0.0, 0
        for t in range(len(sizes)):
            step = [i for i in range(length) if labels[i] == t]
            expected_log, eps = revealed_terms(mask)
            log_p += sum(expected_log[i] for i in step)
            eps_train += sum(eps[i] for i in step)
            mask |= sum(1 << i for i in step)
        kl = neg_entropy - log_p
        total_kl += kl
        total_eps += eps_train
        worst = max(worst, kl)
    return PartitionKL(total_kl / count, total_eps / count, count, worst)


def markov_partition_kl(lang, sizes, model=None) -> float:
    """Exact E_M KL(q || p_M) in nats on a Markov-chain language, at any length.

    ``sizes``: the step sizes s_1..s_T (or a ``FixedSizes`` schedule); L = sum of sizes. The language must
    be a Markov chain on its tokens (an order-2 n-gram, or an HMM whose states each emit one distinct
    token); see the module docstring for the formula. ``model``: None (the oracle) or a model whose output
    at a position is a function of the oracle's posterior there (``Perturbed``); its KL is the oracle's plus
    ``markov_eps_train``. Agrees with ``expected_partition_kl`` where that can enumerate.
    """
    from .markov import chain_tables

    lang, sizes, model = _markov_inputs(lang, sizes, model)
    length = sum(sizes)
    marginals, powers = chain_tables(lang, length)
    # row_entropy[d, u] = H(X_(a+d) | X_a = u), the entropy of row u of T^d
    row_entropy = np.array([[entropy(row) for row in powers[d]] for d in range(length)])
    cond = marginals @ row_entropy.T  # cond[a, d] = H(X_(a+d) | X_a)
    h_marg = np.array([entropy(m) for m in marginals])
    w0, w1, w2 = neighbour_weights(np.asarray(sizes, dtype=np.int64))
    kl = float(_partition_kl(cond, h_marg, w0, w1, w2))
    # rounding of the inputs (entropies of size ~H(X)/L each) can leave a few ulps either side of a true 0
    kl = max(kl, 0.0) if kl > -1e-12 * (1.0 + float(np.sum(h_marg))) else kl
    return kl if isinstance(model, Oracle) else kl + markov_eps_train(lang, sizes, model)


def markov_eps_train(lang, sizes, model) -> float:
    """Exact E_M eps_train(M) in nats (Li & Cai's learning error of the fixed-partition sampler) on a
    Markov-chain language, for a model whose output is a function g of the oracle's posterior row.

    eps_train = sum_i E[KL(q_i(. | X_a, X_b) || g(q_i(. | X_a, X_b)))] over the step of i, its nearest revealed
    neighbours a < i < b (the law of ``neighbour_weights``) and their tokens; O(L^3 V^3 / 6).
    """
    lang, sizes, model = _markov_inputs(lang, sizes, model)
    if isinstance(model, Oracle):
        return 0.0
    from .markov import chain_tables

    length = sum(sizes)
    marginals, powers = chain_tables(lang, length)
    w0, w1, w2 = neighbour_weights(np.asarray(sizes, dtype=np.int64))
    kind, param = model.kernel_form()
    return float(np.sum(_eps_train_by_position(marginals, powers, w0, w1, w2, kind, param)))


def _markov_inputs(lang, sizes, model):
    lang = as_language(lang)
    if isinstance(sizes, FixedSizes):
        sizes = sizes.sizes
    sizes = fixed_sizes(sizes).sizes
    if lang.token_chain() is None:
        raise InvalidArgument("lang is not a Markov chain on its tokens (an order-2 n-gram, or an HMM whose "
                              "states each emit one token of their own), so the nearest-neighbour formula does not "
                              "apply; use expected_partition_kl (small L) or montecarlo.kl_per_token(..., "
                              "method='path') with a fixed_sizes schedule.")
    model = resolve_model(lang, model)
    if not hasattr(model, "kernel_form"):
        raise InvalidArgument(f"model={getattr(model, 'name', model)!r} is not a function of the oracle's posterior "
                              "row (the oracle or a Perturbed model), so its output is not determined by the nearest "
                              "revealed neighbours; use expected_partition_kl (small L) or montecarlo.kl_per_token.")
    return lang, sizes, model


@njit
def _kl_to_model(row, kind, param, tmp, out):
    """KL(row || g(row)) in nats; inf where g drops mass that row has."""
    apply_row_transform(row, kind, param, tmp, out)
    return kl_row(row, out)


@njit(parallel=True)
def _eps_train_by_position(marginals, powers, w0, w1, w2, kind, param):
    length, vocab = marginals.shape
    result = np.zeros(length)
    for i in prange(length):
        row = np.empty(vocab)
        tmp = np.empty(vocab)
        out = np.empty(vocab)
        acc = w0 * _kl_to_model(marginals[i], kind, param, tmp, out)
        for a in range(i):  # left neighbour only: q(v | x_a = u) = T^(i-a)[u, v]
            for u in range(vocab):
                if marginals[a, u] > 0.0:
                    acc += w1[length - 1 - a] * marginals[a, u] * _kl_to_model(powers[i - a, u], kind, param, tmp, out)
        for b in range(i + 1, length):  # right neighbour only: q(v | x_b = w) ∝ pi_i(v) T^(b-i)[v, w]
            for w in range(vocab):
                if marginals[b, w] > 0.0:
                    for v in range(vocab):
                        row[v] = marginals[i, v] * powers[b - i, v, w] / marginals[b, w]
                    acc += w1[b] * marginals[b, w] * _kl_to_model(row, kind, param, tmp, out)
        for a in range(i):  # both: q(v | u, w) = T^(i-a)[u, v] T^(b-i)[v, w] / T^(b-a)[u, w]
            for b in range(i + 1, length):
                weight = w2[b - a]
                if weight == 0.0:
                    continue
                for u in range(vocab):
                    if marginals[a, u] == 0.0:
                        continue
                    for w in range(vocab):
                        joint = powers[b - a, u, w]
                        if joint == 0.0:
                            continue
                        for v in range(vocab):
                            row[v] = powers[i - a, u, v] * powers[b - i, v, w] / joint
                        acc += weight * marginals[a, u] * joint * _kl_to_model(row, kind, param, tmp, out)
        result[i] = acc
    return result


@njit
def neighbour_weights(sizes):
    """Weights of the nearest revealed neighbours of a position, averaged over the step it is revealed at.

    With n = L - 1 other positions and m revealed before the step: w2[D] = P(two given positions D apart in
    total are revealed and the D - 2 between them not) = C(n - D, m - 2) / C(n, m); w1[D] the same with one
    revealed position and D - 1 unrevealed ones: C(n - D, m - 1) / C(n, m); w0 = P(m = 0). Each is weighted
    by s_t / L. The ratios are built by exact recurrences in D (no lgamma) to keep 1e-13 relative accuracy.
    """
    length = 0
    for s in sizes:
        length += s
    n = length - 1
    w0 = 0.0
    w1 = np.zeros(length + 1)
    w2 = np.zeros(length + 1)
    m = 0
    for s in sizes:
        c = s / length
        if m == 0:
            w0 += c
        if n >= 1 and m >= 1:
            r = m / n
            for d in range(1, n + 1):
                w1[d] += c * r
                if d < n:
                    r *= (n - d - m + 1) / (n - d)
        if n >= 2 and m >= 2:
            r = m * (m - 1) / (n * (n - 1))
            for d in range(2, n + 1):
                w2[d] += c * r
                if d < n:
                    r *= (n - d - m + 2) / (n - d)
        m += s
    return w0, w1, w2


@njit
def _partition_kl(cond, h_marg, w0, w1, w2):
    """sum_i E[H(X_i | nearest revealed neighbours a < i < b)] - H(X), with cond[a, d] = H(X_(a+d) | X_a),
    in O(L^2) with compensated summation.

    Summing over i first, every term is indexed by a pair (a, d): the left-only weight is w1[L-1-a], the
    right-only weight w1[a+d], and the two-sided weight w2[b-a] summed over the free end is a sum of w2 over
    a window starting at d + 1, read from running sums of positive terms (no differences of prefix sums).
    """
    length = h_marg.shape[0]
    total, comp = neumaier_add(0.0, 0.0, -h_marg[0])  # H(X) = H(X_0) + sum_a H(X_(a+1) | X_a)
    for a in range(length - 1):
        total, comp = neumaier_add(total, comp, -cond[a, 1])
    for i in range(length):
        total, comp = neumaier_add(total, comp, w0 * h_marg[i])
    window = np.empty(length)
    for d in range(1, length):
        window[0] = 0.0  # window[k] = w2[d+1] + ... + w2[d+k]
        for k in range(1, length - d):
            window[k] = window[k - 1] + w2[d + k]
        for a in range(length - d):
            far = length - 1 - a
            b = a + d
            c = cond[a, d]
            # left-only (i = b, neighbour a); right-only (i = a, neighbour b): H(X_a) + H(X_b | X_a) - H(X_b)
            total, comp = neumaier_add(total, comp, w1[far] * c)
            total, comp = neumaier_add(total, comp, w1[b] * (h_marg[a] + c - h_marg[b]))
            # two-sided, H(X_i|X_a) + H(X_b|X_i) - H(X_b|X_a): c as the first term (i = a + d, right end free
            # up to L-1), as the second (i = a, right end b = a + d, left end free down to 0), as the third
            # (the d - 1 positions strictly between a and b)
            total, comp = neumaier_add(total, comp, c * (window[far - d] + window[a]))
            total, comp = neumaier_add(total, comp, -c * (d - 1) * w2[d])
    return total + comp

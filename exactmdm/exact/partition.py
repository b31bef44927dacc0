"""Exact KL of the fixed-partition sampler, averaged over partitions (Li & Cai's left side).

For an ordered partition M = (M_1, ..., M_T) of the positions, the sampler with a factorised predictor
outputs p_M(x) = prod_t prod_{i in M_t} p_i(x_i | x_{M_<t}). Li & Cai bound E_M[KL(q || p_M)], the
average over uniformly random ordered partitions with sizes s_1..s_T of the KL of each fixed-M sampler
(not the KL of the mixture, which is smaller by convexity). Exactly, for each M,
    KL(q || p_M) = sum_t E_q[TC(X_{M_t} | X_{M_<t})] + eps_train(M),
    eps_train(M) = sum_t sum_{i in M_t} E_q[KL(q_i(. | x_{M_<t}) || p_i(. | x_{M_<t}))],
since the KL of a joint law to a product splits into the total correlation plus the marginals' KLs.
Everything is enumerated: all L!/prod s_t! partitions and all support sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sympy.utilities.iterables import multiset_permutations

from ..errors import EnumerationTooLarge
from ..information import kl_rows
from ..models import Oracle, resolve_model
from ..schedules import multinomial
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
                                  "use smaller L or estimate E_M KL by Monte Carlo over partitions.")
    model = resolve_model(lang, model)
    table = lang.joint(length)
    xs = np.argwhere(table > 0)
    q = table[tuple(xs.T)]
    log_q = np.log(q)
    labels0 = [k for k, s in enumerate(sizes) for _ in range(s)]
    total_kl, total_eps, worst = 0.0, 0.0, 0.0
    rows = np.arange(xs.shape[0])
    for labels in multiset_permutations(labels0):
        labels = np.array(labels)
        log_p = np.zeros(xs.shape[0])
        eps_train = 0.0
        for t in range(len(sizes)):
            xt = np.where(labels[None, :] < t, xs, -1)
            probs = model(xt)
            truth = None if isinstance(model, Oracle) else posterior(lang, xt)
            for i in np.flatnonzero(labels == t):
                log_p += np.log(probs[rows, i, xs[:, i]])
                if truth is not None:
                    eps_train += float(np.sum(q * kl_rows(truth[:, i, :], probs[:, i, :])))
        kl = float(np.sum(q * (log_q - log_p)))
        total_kl += kl
        total_eps += eps_train
        worst = max(worst, kl)
    return PartitionKL(total_kl / count, total_eps / count, count, worst)

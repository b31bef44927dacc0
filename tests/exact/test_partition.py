import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.exact.partition import expected_partition_kl, num_partitions
from exactmdm.information import (dual_total_correlation, mutual_information_each, mutual_information_with_subset,
                                  total_correlation)
from exactmdm.models import Perturbed
from exactmdm.testing import languages, schedules

from .. import naive


def _naive_partition_kl(lang, sizes):
    length = sum(sizes)
    q = naive.joint(lang, length)
    labels0 = [k for k, s in enumerate(sizes) for _ in range(s)]
    perms = set(itertools.permutations(labels0))
    total = 0.0
    for labels in perms:
        kl = 0.0
        for x, qx in q.items():
            if qx == 0:
                continue
            p = 1.0
            for t in range(len(sizes)):
                state = tuple(xi if lab < t else -1 for xi, lab in zip(x, labels))
                rows = naive.posterior(q, state, lang.vocab_size)
                for i, lab in enumerate(labels):
                    if lab == t:
                        p *= rows[i][x[i]]
            kl += qx * math.log(qx / p)
        total += kl
    return total / len(perms)


@given(st.data(), languages(max_vocab=2, max_states=2), st.integers(2, 4))
def test_partition_kl_matches_enumeration_and_bounds_the_mixture(data, lang, length):
    sch = data.draw(schedules(length, max_steps=3, kinds=("fixed_sizes",)))
    res = expected_partition_kl(lang, list(sch.sizes))
    assert res.num_partitions == num_partitions(sch.sizes)
    assert res.kl_nats == pytest.approx(_naive_partition_kl(lang, list(sch.sizes)), rel=1e-9, abs=1e-12)
    mixture = em.metrics.kl(lang, em.exact.output_distribution(lang, length, sch), base=math.e)
    assert res.kl_nats >= mixture - 1e-12  # convexity of KL in its second argument


@given(languages(max_vocab=3, max_states=2), st.sampled_from([0.01, 0.3]))
def test_model_kl_is_oracle_kl_plus_eps_train(lang, eps):
    sizes = [2, 1, 1]
    oracle = expected_partition_kl(lang, sizes)
    model = expected_partition_kl(lang, sizes, Perturbed(lang, eps))
    assert model.kl_nats == pytest.approx(oracle.kl_nats + model.eps_train_nats, rel=1e-9, abs=1e-12)
    assert oracle.eps_train_nats == 0.0


@given(languages(max_vocab=3, max_states=3), st.integers(2, 4))
def test_extreme_schedules_and_information_identities(lang, length):
    table = lang.joint(length)
    assert expected_partition_kl(lang, [1] * length).kl_nats == pytest.approx(0.0, abs=1e-12)
    assert expected_partition_kl(lang, [length]).kl_nats == pytest.approx(total_correlation(table), abs=1e-12)
    mi = mutual_information_each(table)
    assert mi.sum() == pytest.approx(total_correlation(table) + dual_total_correlation(table), abs=1e-12)
    for i in range(length):
        assert mutual_information_with_subset(table, i, length - 1) == pytest.approx(mi[i], abs=1e-12)
        assert mutual_information_with_subset(table, i, 0) == 0.0
    assert np.all(mi >= -1e-12)


def test_a_model_is_not_taken_for_the_oracle_by_its_name():
    lang = em.NGram.random(2, 2, seed=3, prune=0.1)
    oracle = em.models.Oracle(lang)
    biased = em.models.FunctionModel(lambda xt: 0.9 * oracle(xt) + 0.05, 2, name="oracle")
    res = expected_partition_kl(lang, [2, 1], biased)
    assert res.eps_train_nats > 0
    assert res.kl_nats == pytest.approx(expected_partition_kl(lang, [2, 1]).kl_nats + res.eps_train_nats, rel=1e-9)


def test_kl_rows_reports_infinity_explicitly():
    from exactmdm.information import kl_rows

    q = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]])
    p = np.array([[0.5, 0.0, 0.5], [0.5, 0.25, 0.25]])
    out = kl_rows(q, p)
    assert out[0] == math.inf and out[1] == pytest.approx(math.log(2))

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.exact.partition import (expected_partition_kl, markov_eps_train, markov_partition_kl, neighbour_weights,
                                      num_partitions)
from exactmdm.information import (dual_total_correlation, mutual_information_each, mutual_information_with_subset,
                                  total_correlation)
from exactmdm.models import Perturbed
from exactmdm.schedules import balanced_sizes
from exactmdm.testing import languages, schedules

from .. import naive


def _naive_partition_kl(lang, sizes):
    length = sum(sizes)
    q = naive.joint(lang, length)
    labels0 = [k for k, s in enumerate(sizes) for _ in range(s)]
    perms = set(itertools.permutations(labels0))
    total = sum(naive.labelled_kl(q, labels, lang.vocab_size) for labels in perms)
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


markov_languages = languages(kinds=("ngram",), orders=(2,), max_vocab=3)


@given(st.data(), markov_languages, st.integers(1, 6), st.booleans())
def test_markov_partition_kl_equals_the_enumeration(data, lang, length, as_hmm):
    sizes = list(data.draw(schedules(length, max_steps=4, kinds=("fixed_sizes",))).sizes)
    target = lang.as_hmm() if as_hmm else lang  # an HMM that is a chain on its tokens is detected as one
    assert markov_partition_kl(target, sizes) == pytest.approx(expected_partition_kl(lang, sizes).kl_nats,
                                                               rel=1e-12, abs=1e-14)


def _neighbour_law(length, i, m):
    """P(nearest revealed left/right neighbours of i) over every m-subset of the other positions."""
    others = [j for j in range(length) if j != i]
    law = {}
    subsets = list(itertools.combinations(others, m))
    for subset in subsets:
        left = max((j for j in subset if j < i), default=None)
        right = min((j for j in subset if j > i), default=None)
        law[left, right] = law.get((left, right), 0) + Fraction(1, len(subsets))
    return law


@given(st.integers(1, 7).flatmap(lambda n: st.tuples(st.just(n), schedules(n, max_steps=4, kinds=("fixed_sizes",)))))
def test_neighbour_weights_are_the_law_of_the_nearest_revealed_neighbours(case):
    length, sch = case
    w0, w1, w2 = neighbour_weights(np.asarray(sch.sizes, dtype=np.int64))
    for i in range(length):
        law = {}
        m = 0
        for s in sch.sizes:
            for key, p in _neighbour_law(length, i, m).items():
                law[key] = law.get(key, 0) + Fraction(s, length) * p
            m += s
        for (a, b), p in law.items():
            if a is None and b is None:
                got = w0
            elif a is None:
                got = w1[b]  # b - i unrevealed-or-revealed right positions plus the i left ones
            elif b is None:
                got = w1[length - 1 - a]
            else:
                got = w2[b - a]
            assert got == pytest.approx(float(p), rel=1e-13, abs=1e-15)


def _cubic_reference(lang, sizes):
    """The defining triple sum over (i, left neighbour, right neighbour), summed exactly by math.fsum."""
    initial, transition = lang.token_chain()
    length = sum(sizes)
    marg = [np.asarray(initial)]
    for _ in range(1, length):
        marg.append(marg[-1] @ transition)

    def h(p):
        p = np.asarray(p).ravel()
        p = p[p > 0]
        return float(-np.sum(p * np.log(p)))

    def cond(a, d):  # H(X_(a+d) | X_a)
        return h(marg[a][:, None] * np.linalg.matrix_power(transition, d)) - h(marg[a])

    w0, w1, w2 = neighbour_weights(np.asarray(sizes, dtype=np.int64))
    terms = [-h(marg[0])] + [-cond(a, 1) for a in range(length - 1)]
    for i in range(length):
        terms.append(w0 * h(marg[i]))
        for a in range(i):
            terms.append(w1[length - 1 - a] * cond(a, i - a))
        for b in range(i + 1, length):
            terms.append(w1[b] * (h(marg[i]) + cond(i, b - i) - h(marg[b])))
            for a in range(i):
                terms.append(w2[b - a] * (cond(a, i - a) + cond(i, b - i) - cond(a, b - a)))
    return math.fsum(terms)


@pytest.mark.parametrize("length, steps", [(17, 3), (30, 7)])
def test_markov_partition_kl_equals_the_defining_triple_sum(length, steps):
    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    sizes = balanced_sizes(length, steps).sizes
    assert markov_partition_kl(lang, sizes) == pytest.approx(_cubic_reference(lang, sizes), rel=1e-12)


def test_markov_partition_kl_at_long_length_against_monte_carlo():
    lang = em.NGram.random(2, 2, seed=0)
    sch = balanced_sizes(256, 16)
    exact = markov_partition_kl(lang, sch)
    est = em.montecarlo.kl_per_token(lang, 256, sch, num=400, seed=1, base="nats", method="path")
    assert est.low * 256 <= exact <= est.high * 256
    assert np.isfinite(markov_partition_kl(lang, balanced_sizes(4096, 64)))


def test_markov_partition_kl_refuses_a_language_that_is_not_a_chain():
    with pytest.raises(em.errors.InvalidArgument, match="not a Markov chain"):
        markov_partition_kl(em.NGram.random(2, 3, seed=0), [2, 1])
    with pytest.raises(TypeError, match="lang="):
        markov_partition_kl("ngram2", [2, 1])
    with pytest.raises(ValueError, match="sizes"):
        markov_partition_kl(em.NGram.random(2, 2, seed=0), [2, 0])


@given(st.data(), markov_languages, st.integers(1, 6), st.sampled_from(["uniform", "temperature"]),
       st.sampled_from([0.01, 0.3]))
def test_markov_eps_train_and_model_kl_equal_the_enumeration(data, lang, length, kind, eps):
    sizes = list(data.draw(schedules(length, max_steps=4, kinds=("fixed_sizes",))).sizes)
    model = Perturbed(lang, eps, kind=kind)
    enumerated = expected_partition_kl(lang, sizes, model)
    assert markov_eps_train(lang, sizes, model) == pytest.approx(enumerated.eps_train_nats, rel=1e-10, abs=1e-13)
    assert markov_partition_kl(lang, sizes, model) == pytest.approx(enumerated.kl_nats, rel=1e-10, abs=1e-13)
    assert markov_eps_train(lang, sizes, None) == 0.0


def test_markov_partition_kl_refuses_a_model_it_cannot_see_through():
    lang = em.NGram.random(2, 2, seed=0)
    opaque = em.models.FunctionModel(em.models.Oracle(lang), 2, name="oracle")
    with pytest.raises(em.errors.InvalidArgument, match="not a function of the oracle's posterior"):
        markov_partition_kl(lang, [2, 1], opaque)

import itertools

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, InvalidArgument, InvalidType
from exactmdm.testing import languages

from . import naive


def small_hmm():
    return em.HMM([0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.7, 0.3, 0.0], [0.0, 0.4, 0.6]])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(initial=[0.5, 0.6], transition=np.eye(2), emission=np.eye(2)), "initial sums to 1.1"),
        (dict(initial=[0.5, 0.5], transition=[[0.5, 0.4], [0, 1]], emission=np.eye(2)), r"transition row \(0,\)"),
        (dict(initial=[0.5, 0.5], transition=np.eye(2), emission=[[1.5, -0.5], [0, 1]]), "negative entry"),
        (dict(initial=[np.nan, 1.0], transition=np.eye(2), emission=np.eye(2)), "non-finite"),
        (dict(initial=[0.5, 0.5], transition=np.eye(3), emission=np.eye(2)), "shape"),
        (dict(initial=[0.5, 0.5], transition=np.eye(2), emission=np.eye(3)), "shapes disagree"),
    ],
)
def test_hmm_rejects_bad_parameters(kwargs, match):
    with pytest.raises(InvalidArgument, match=match):
        em.HMM(**kwargs)


def test_hmm_rejects_non_numeric():
    with pytest.raises(InvalidType, match="initial"):
        em.HMM(["a", "b"], np.eye(2), np.eye(2))


def test_ngram_rejects_bad_shapes():
    with pytest.raises(InvalidArgument, match="initial must have shape"):
        em.NGram(3, np.full(3, 1 / 3), np.full((3, 3, 3), 1 / 3))
    with pytest.raises(InvalidArgument, match="transition must have shape"):
        em.NGram(2, np.full(3, 1 / 3), np.full((3, 2), 1 / 2))
    with pytest.raises(InvalidArgument, match="order=1"):
        em.NGram(1, [1.0], [1.0])


def test_tokens_outside_vocabulary_are_refused():
    lang = small_hmm()
    with pytest.raises(InvalidArgument, match="token 3 at index"):
        lang.log_prob([0, 3])
    with pytest.raises(InvalidArgument, match="outside the vocabulary"):
        lang.log_prob([0, -1])  # MASK is not a token of a full sequence
    with pytest.raises(InvalidType, match="integer array"):
        lang.log_prob(["a"])


@given(languages(), st.integers(1, 4))
def test_joint_matches_path_enumeration(lang, length):
    ref = naive.joint(lang, length)
    table = lang.joint(length)
    for x, p in ref.items():
        assert table[x] == pytest.approx(p, rel=1e-12, abs=1e-300)
    assert table.sum() == pytest.approx(1.0, rel=1e-12)


@given(languages(kinds=("ngram",), orders=(2, 3, 4), max_vocab=3), st.integers(1, 5))
def test_ngram_fast_paths_agree_with_hmm_form(lang, length):
    hmm = lang.as_hmm()
    np.testing.assert_allclose(lang.joint(length), hmm.joint(length), rtol=1e-12, atol=1e-300)
    xs = np.array(list(itertools.product(range(lang.vocab_size), repeat=length)))
    fast, slow = lang.log_prob(xs), hmm.log_prob(xs)
    assert np.array_equal(np.isinf(fast), np.isinf(slow))
    np.testing.assert_allclose(fast[np.isfinite(fast)], slow[np.isfinite(slow)], rtol=1e-12, atol=1e-12)


@given(languages(), st.integers(1, 5))
def test_log_prob_and_in_support_match_joint(lang, length):
    xs = np.array(list(itertools.product(range(lang.vocab_size), repeat=length)))
    table = lang.joint(length)[tuple(xs.T)]
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(lang.log_prob(xs), np.log(table), rtol=1e-12, atol=1e-12)
    assert np.array_equal(lang.in_support(xs), table > 0)


@given(languages(max_states=4), st.integers(1, 6))
def test_count_support_matches_enumeration(lang, length):
    assert lang.count_support(length) == int((lang.joint(length) > 0).sum())


def test_counterexample16_support_and_law():
    lang = em.languages.counterexample16()
    assert lang.vocab_size == 16
    # 4^(L+1) letter strings c_0..c_L, each giving a distinct token sequence with probability 4^-(L+1)
    assert lang.support_counts(6) == [4 ** (n + 1) for n in range(1, 7)]
    table = lang.joint(3)
    assert np.all((table == 0) | np.isclose(table, 4.0 ** -4, rtol=0, atol=1e-18))
    assert lang.in_support([4 * 1 + 2, 4 * 2 + 3]) and not lang.in_support([4 * 1 + 2, 4 * 3 + 3])


def test_support_automaton_structure():
    lang = em.NGram(2, [1.0, 0.0, 0.0], [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.0, 0.5]])
    graph = lang.support_automaton()
    assert isinstance(graph, nx.MultiDiGraph)
    cycles = {frozenset(min(n) for n in c) for c in nx.simple_cycles(nx.DiGraph(graph.subgraph(set(graph) - {"start"})))}
    assert frozenset({0, 1, 2}) in cycles and frozenset({2}) in cycles
    # strings: 0 1 2 then (0 1 2 | 2)*
    assert lang.support_counts(5) == [1, 1, 1, 2, 3]


@given(st.integers(0, 10_000), st.sampled_from([0.05, 0.2]))
def test_random_languages_are_pruned_reproducible_and_nonempty(seed, prune):
    a = em.HMM.random(3, 4, seed, concentration=0.5, prune=prune)
    b = em.HMM.random(3, 4, seed, concentration=0.5, prune=prune)
    assert np.array_equal(a.transition, b.transition) and np.array_equal(a.emission, b.emission)
    for rows in (a.initial[None], a.transition, a.emission):
        assert np.all((rows == 0) | (rows >= prune))
        assert np.all(rows.max(axis=1) > 0)
    g = em.NGram.random(3, 3, seed, prune=prune)
    assert np.all((g.transition == 0) | (g.transition >= prune))
    assert g.describe()["recipe"]["seed"] == seed


def test_random_rejects_bad_arguments():
    with pytest.raises(InvalidArgument, match="concentration=0.0 must be > 0"):
        em.HMM.random(2, 2, 0, concentration=0.0)
    with pytest.raises(InvalidArgument, match="prune=1.5"):
        em.NGram.random(2, 2, 0, prune=1.5)
    with pytest.raises(InvalidArgument, match="seed=-1"):
        em.NGram.random(2, 2, -1)


def test_sample_is_reproducible_and_follows_the_law():
    lang = small_hmm()
    a, b = lang.sample(20000, 3, seed=7), lang.sample(20000, 3, seed=7)
    assert np.array_equal(a, b) and a.shape == (20000, 3)
    assert np.all(lang.in_support(a))
    table = lang.joint(3)
    codes = np.ravel_multi_index(a.T, (3, 3, 3))
    freq = np.bincount(codes, minlength=27) / len(codes)
    sigma = np.sqrt(table.ravel() * (1 - table.ravel()) / len(codes))
    assert np.all(np.abs(freq - table.ravel()) <= 5 * sigma + 1e-12)


def test_joint_refuses_huge_enumeration():
    lang = em.NGram.random(4, 2, 0)
    with pytest.raises(EnumerationTooLarge, match="entries"):
        lang.joint(30)


def test_log_prob_long_sequence_matches_direct_product():
    # the scaled forward pass of the HMM form against the n-gram's direct product of conditionals
    lang = em.NGram.random(3, 3, seed=3, prune=0.05)
    x = lang.sample(2, 4096, seed=1)
    fast, scaled = lang.log_prob(x), lang.as_hmm().log_prob(x)
    assert np.all(np.isfinite(scaled)) and np.all(scaled < -100)
    np.testing.assert_allclose(scaled, fast, rtol=1e-12)


@pytest.mark.parametrize("family, expected", [("ngram2-V3", ("ngram", 2, 3, 0.1)), ("hmm4-V4-p0.2", ("hmm", 4, 4, 0.2)),
                                              ("ngram3-V2-p0", ("ngram", 3, 2, 0.0))])
def test_parse_family_reads_kind_size_vocab_and_prune(family, expected):
    assert em.languages.parse_family(family) == expected


@pytest.mark.parametrize("family", ["gram2", "ngram1-V2", "hmm2-V0", "ngram2-V2-p1.5", "ngram2-V2-p1.2.3", 3])
def test_parse_family_refuses_bad_names_naming_the_argument(family):
    with pytest.raises(InvalidArgument, match=r"^family .*" + str(family).replace(".", r"\.")):
        em.languages.parse_family(family)
    with pytest.raises(InvalidArgument, match=r"^--families: "):
        em.languages.parse_family(family, "--families:")


def test_make_language_is_seeded_and_knows_the_counterexample():
    a = em.languages.make_language("ngram2-V3", 5)
    assert em.languages.same_language(a, em.NGram.random(3, 2, 5, prune=0.1))
    assert not em.languages.same_language(a, em.languages.make_language("ngram2-V3", 6))
    assert em.languages.same_language(em.languages.make_language("counterexample16", 0), em.languages.counterexample16())
    assert isinstance(em.languages.make_language("hmm2-V3", 0), em.HMM)
    assert em.languages.family_order("ngram3-V2") == 3
    assert em.languages.family_order("hmm3-V2") is None and em.languages.family_order("counterexample16") is None


def test_same_language_compares_values_not_objects():
    built = em.NGram(2, np.full(16, 1 / 16), em.languages.counterexample16().transition)
    assert em.languages.same_language(built, em.languages.counterexample16())
    assert not em.languages.same_language(small_hmm(), em.languages.counterexample16())
    assert not em.languages.same_language(small_hmm(), "not a language")
    assert em.metrics.same_language is em.languages.same_language

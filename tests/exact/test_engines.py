import itertools
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, InvalidArgument
from exactmdm.models import Perturbed
from exactmdm.testing import languages, lookup_model, models, schedules

from .. import naive


def _compare(out, ref_probs, ref_escaped, rel=1e-12):
    for x, p in ref_probs.items():
        assert out.probs[x] == pytest.approx(float(p), rel=rel, abs=1e-300), x
    assert out.escaped == pytest.approx(float(ref_escaped), rel=1e-10, abs=1e-15)


@given(st.data(), languages(max_vocab=3, max_states=2), st.integers(1, 3))
def test_engine_matches_rational_reference_with_the_oracle(data, lang, length):
    sch = data.draw(schedules(length, max_steps=3))
    note(repr(sch))
    q = naive.joint(lang, length, exact=True)
    ref, esc = naive.output_distribution(q, length, lang.vocab_size, sch, naive.oracle_fn(q, lang.vocab_size), exact=True)
    assert sum(ref.values()) + esc == pytest.approx(1, abs=1e-12)
    _compare(em.exact.output_distribution(lang, length, sch), ref, esc)


@given(st.data(), languages(max_vocab=3, max_states=2), st.integers(2, 3), st.sampled_from([0.01, 0.5]))
def test_engine_matches_rational_reference_with_uniform_perturbation(data, lang, length, eps):
    sch = data.draw(schedules(length, max_steps=3))
    model = Perturbed(lang, eps, "uniform")
    q = naive.joint(lang, length, exact=True)
    fn = naive.uniform_mixture_fn(q, lang.vocab_size, model.mixing, exact=True)
    ref, esc = naive.output_distribution(q, length, lang.vocab_size, sch, fn, exact=True)
    _compare(em.exact.output_distribution(lang, length, sch, model), ref, esc)


@given(st.data(), languages(max_vocab=3, max_states=3), st.integers(1, 4))
def test_engine_matches_float_reference_with_any_model(data, lang, length):
    sch = data.draw(schedules(length, max_steps=3))
    model = data.draw(models(lang))
    note(f"{sch!r} {model.name}")
    q = naive.joint(lang, length)
    ref, esc = naive.output_distribution(q, length, lang.vocab_size, sch, naive.model_fn(model))
    _compare(em.exact.output_distribution(lang, length, sch, model), ref, esc, rel=1e-10)


@given(st.data(), languages(max_vocab=3, max_states=3), st.integers(1, 5))
def test_revealed_set_dp_matches_engine(data, lang, length):
    sch = data.draw(schedules(length, max_steps=4))
    model = data.draw(models(lang))
    out = em.exact.output_distribution(lang, length, sch, model)
    assert out.probs.sum() + out.escaped == pytest.approx(1.0, abs=1e-12)
    xs = lang.sample(3, length, seed=data.draw(st.integers(0, 1000)))
    for x in xs:
        assert em.exact.sequence_prob(lang, x, sch, model) == pytest.approx(out.probs[tuple(x)], rel=1e-11, abs=1e-300)


@given(st.data(), languages(max_vocab=2, max_states=2), st.integers(1, 3))
def test_revealed_set_dp_matches_literal_enumeration(data, lang, length):
    """Against the sampler run literally over every labelling, in exact rationals for the oracle."""
    sch = data.draw(schedules(length, max_steps=3))
    q = naive.joint(lang, length, exact=True)
    x = tuple(int(t) for t in lang.sample(1, length, seed=data.draw(st.integers(0, 1000)))[0])
    expected = naive.sequence_prob(q, x, lang.vocab_size, sch, naive.oracle_fn(q, lang.vocab_size), exact=True)
    assert em.exact.sequence_prob(lang, x, sch) == pytest.approx(float(expected), rel=1e-12)


def test_cost_guards_refuse_before_work():
    import time

    lang = em.NGram.random(2, 2, 0)
    trigram = em.NGram.random(2, 3, 0)  # not a Markov chain on tokens: only the revealed-set DP applies
    start = time.monotonic()
    with pytest.raises(EnumerationTooLarge, match="revealed-set DP at L=24"):  # ran for minutes and 4 GB before
        em.exact.sequence_prob(trigram, trigram.sample(1, 24, seed=0)[0], em.schedules.iid(8))
    with pytest.raises(EnumerationTooLarge, match="10\\^301"):  # float(2) ** 1000 raised OverflowError before
        em.exact.output_distribution(lang, 1000, em.schedules.iid(4))
    with pytest.raises(EnumerationTooLarge, match="order-12 n-gram"):  # MemoryError before
        em.NGram.random(vocab_size=10, order=12, seed=0)
    assert time.monotonic() - start < 5


def test_engine_progress_shows_a_count(capsys):
    lang = em.NGram.random(2, 2, 0)
    em.exact.output_distribution(lang, 4, em.schedules.iid(3), progress=True)
    assert "3/3" in capsys.readouterr().err


@given(languages(max_vocab=3), st.integers(1, 5))
def test_one_token_per_step_oracle_reproduces_the_language(lang, length):
    # chain rule: revealing one position at a time from the exact posterior samples q itself, so SER = 0
    out = em.exact.output_distribution(lang, length, em.schedules.fixed_sizes([1] * length))
    assert out.escaped == 0.0
    assert em.metrics.ser(lang, out) == 0.0
    np.testing.assert_allclose(out.probs, lang.joint(length), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("length, n", [(2, 1), (2, 2), (3, 2), (3, 3), (4, 3)])
def test_letter_pair_chain_ser_is_one_minus_expected_quarter_power(length, n):
    lang = em.languages.counterexample16()
    for sch in (em.schedules.iid(n), em.schedules.iid(n, "cosine")):
        out = em.exact.output_distribution(lang, length, sch)
        assert out.escaped == pytest.approx(float(naive.letter_pair_ser(length, sch, exact=False)), rel=1e-12)
    sizes = em.schedules.balanced_sizes(length, min(n, length))
    out = em.exact.output_distribution(lang, length, sizes)
    assert out.escaped == pytest.approx(float(naive.letter_pair_ser(length, sizes)), rel=1e-12)


def test_sequence_probs_sum_to_one_for_a_model_defined_everywhere():
    lang = em.HMM.random(2, 2, seed=5, prune=0.2)
    model = lookup_model(2, seed=3)
    xs = np.array(list(itertools.product(range(2), repeat=4)))
    probs = em.exact.sequence_probs(lang, xs, em.schedules.iid(3, "cosine"), model)
    assert probs.sum() == pytest.approx(1.0, rel=1e-12)
    # with a prompt: the law over the sequences that keep it sums to one, the others have probability 0
    prompt = lang.sample(1, 4, seed=0)[0][:2]
    prompted = em.exact.sequence_probs(lang, xs, em.schedules.llada(2, 2, 1), model,
                                       given=[*prompt, em.MASK, em.MASK])
    keeps = (xs[:, 0] == prompt[0]) & (xs[:, 1] == prompt[1])
    assert prompted[keeps].sum() == pytest.approx(1.0, rel=1e-12) and not prompted[~keeps].any()


def test_sequence_prob_off_support_with_oracle_is_refused():
    lang = em.languages.counterexample16()
    with pytest.raises(InvalidArgument, match="not in the support"):
        em.exact.sequence_prob(lang, [1, 8], em.schedules.iid(2))


def test_exact_rationals_on_a_tiny_case():
    # q: x1 uniform on {0,1}, x2 = x1 (a copy). With 1 step both tokens are drawn independently from the
    # marginals, so they agree with probability 1/2: p(00) = p(11) = 1/4 and SER = 1/2 exactly.
    lang = em.NGram(2, [0.5, 0.5], [[1.0, 0.0], [0.0, 1.0]])
    out = em.exact.output_distribution(lang, 2, em.schedules.iid(1))
    assert out.escaped == 0.5 and out.probs[0, 0] == 0.25 and out.probs[1, 1] == 0.25
    q = naive.joint(lang, 2, exact=True)
    ref, esc = naive.output_distribution(q, 2, 2, em.schedules.iid(2), naive.oracle_fn(q, 2), exact=True)
    # two linear steps: P(different steps) = 1/2, then the copy is exact; same step: agree w.p. 1/2
    assert esc == Fraction(1, 4) and ref[(0, 0)] == Fraction(3, 8)
    assert em.exact.output_distribution(lang, 2, em.schedules.iid(2)).escaped == 0.25


def test_too_large_enumerations_name_the_alternative():
    lang = em.NGram.random(4, 2, 0)
    with pytest.raises(EnumerationTooLarge, match="sequence_prob"):
        em.exact.output_distribution(lang, 12, em.schedules.iid(4), max_states=10**6)
    with pytest.raises(EnumerationTooLarge, match="revealed-set DP at L=30"):
        em.exact.sequence_prob(lang, lang.sample(1, 30, seed=0)[0], em.schedules.iid(4), method="revealed-set")


def test_engine_rejects_bad_arguments():
    lang = em.NGram.random(3, 2, 0)
    with pytest.raises(InvalidArgument, match="sum to the sequence length"):
        em.exact.output_distribution(lang, 4, em.schedules.fixed_sizes([1, 2]))
    with pytest.raises(InvalidArgument, match="length=0"):
        em.exact.output_distribution(lang, 0, em.schedules.iid(2))
    with pytest.raises(TypeError, match="schedule"):
        em.exact.output_distribution(lang, 2, [0.5, 0.5])
    with pytest.raises(InvalidArgument, match="token 5"):
        em.exact.sequence_prob(lang, [0, 5], em.schedules.iid(2))


def test_results_are_bit_reproducible():
    lang = em.HMM.random(3, 3, seed=2, prune=0.1)
    a = em.exact.output_distribution(lang, 5, em.schedules.iid(3, "cosine"))
    b = em.exact.output_distribution(lang, 5, em.schedules.iid(3, "cosine"))
    assert np.array_equal(a.probs, b.probs) and a.escaped == b.escaped


@given(st.data(), languages(max_vocab=3, max_states=3), st.integers(1, 5))
def test_sparse_and_dense_accumulation_agree(data, lang, length):
    from exactmdm.exact import statespace

    sch = data.draw(schedules(length, max_steps=3))
    model = data.draw(models(lang))
    table = sch.subset_probabilities(length)
    dense = statespace.run(lang.as_hmm(), model, length, table)
    sparse = statespace.run(lang.as_hmm(), model, length, table, dense_limit=0, chunk=7)
    assert np.array_equal(dense[0], sparse[0])
    np.testing.assert_allclose(dense[1], sparse[1], rtol=1e-13)
    assert dense[2] == pytest.approx(sparse[2], rel=1e-12, abs=1e-15)

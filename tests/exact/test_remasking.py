"""Given tokens (prompts, infilling) and confidence remasking in the exact engine, against samplers run literally
(tests/naive.py: every labelling or every joint draw enumerated, exact rationals where the scores allow)."""

import math

import numpy as np
import pytest
from hypothesis import given as given_, note, settings
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, ImpossibleEvidence, InvalidArgument
from exactmdm.testing import languages, models, schedules

from .. import naive


def _compare(out, ref_probs, ref_escaped, rel=1e-12):
    for x, p in ref_probs.items():
        assert out.probs[x] == pytest.approx(float(p), rel=rel, abs=1e-300), x
    assert out.escaped == pytest.approx(float(ref_escaped), rel=1e-10, abs=1e-15)
    agree = np.zeros(out.probs.shape, dtype=bool)
    agree[tuple(np.array(list(ref_probs)).T)] = True
    assert not np.any(out.probs[~agree])  # no mass off the conditional support


def one_token_prompt(data, lang, length):
    """LLaDA's layout with a prompt of one possible token: that token, then MASK everywhere."""
    start = np.full(length, em.MASK)
    start[0] = lang.sample(1, length, seed=data.draw(st.integers(0, 1000)))[0][0]
    return start


def _draw_given(data, lang, length):
    """A start state with at least one MASK whose tokens have positive probability."""
    x = lang.sample(1, length, seed=data.draw(st.integers(0, 10**6)))[0]
    keep = data.draw(st.lists(st.booleans(), min_size=length, max_size=length).filter(lambda k: not all(k)))
    return np.where(keep, x, em.MASK)


@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(2, 4))
def test_given_tokens_match_the_literal_sampler(data, lang, length):
    start = _draw_given(data, lang, length)
    masked = int(np.sum(start < 0))
    sch = data.draw(schedules(masked, max_steps=3))
    model = data.draw(models(lang))
    note(f"given={start.tolist()} {sch!r} {model.name}")
    q = naive.joint(lang, length)
    ref, esc = naive.given_output_distribution(q, start, lang.vocab_size, sch, naive.model_fn(model))
    out = em.exact.output_distribution(lang, length, sch, model, given=start)
    _compare(out, ref, esc, rel=1e-10)
    assert out.given.tolist() == start.tolist()


@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(2, 4))
def test_metrics_are_relative_to_the_conditional_law(data, lang, length):
    start = _draw_given(data, lang, length)
    sch = data.draw(schedules(int(np.sum(start < 0)), max_steps=3))
    out = em.exact.output_distribution(lang, length, sch, given=start)
    q = naive.joint(lang, length)
    agree = {x: p for x, p in q.items() if all(t < 0 or t == v for t, v in zip(start, x))}
    z = sum(agree.values())
    cond = {x: p / z for x, p in agree.items()}
    p = {x: float(out.probs[x]) for x in cond}
    reference = sum(v * math.log(v / p[x]) for x, v in cond.items() if v > 0) if all(
        p[x] > 0 for x, v in cond.items() if v > 0) else math.inf
    assert em.metrics.kl(lang, out, base="nats") == pytest.approx(reference, rel=1e-9, abs=1e-12)
    assert em.metrics.ser(lang, out) == pytest.approx(1 - sum(p.values()), abs=1e-12)


@pytest.mark.parametrize("strategy", ["confidence", "margin"])
@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(1, 4))
def test_remasking_matches_the_literal_sampler_in_rationals(strategy, data, lang, length):
    sch = data.draw(schedules(length, max_steps=3))
    note(repr(sch))
    q = naive.joint(lang, length, exact=True)
    ref, esc = naive.remasking_output_distribution(q, length, lang.vocab_size, sch, naive.oracle_fn(q, lang.vocab_size),
                                                   strategy, exact=True)
    assert sum(ref.values()) + esc == 1
    _compare(em.exact.output_distribution(lang, length, sch, strategy=strategy), ref, esc, rel=1e-10)


@pytest.mark.parametrize("strategy", ["confidence", "margin", "entropy"])
@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(2, 4))
def test_remasking_with_given_tokens_and_any_model(strategy, data, lang, length):
    start = _draw_given(data, lang, length)
    sch = data.draw(schedules(int(np.sum(start < 0)), max_steps=3))
    model = data.draw(models(lang))
    q = naive.joint(lang, length)
    ref, esc = naive.remasking_output_distribution(q, length, lang.vocab_size, sch, naive.model_fn(model), strategy,
                                                   given=start)
    _compare(em.exact.output_distribution(lang, length, sch, model, given=start, strategy=strategy), ref, esc, rel=1e-9)


@pytest.mark.parametrize("strategy", ["random", "confidence", "margin"])
@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(1, 4), st.sampled_from([0, 0.5, 2]))
def test_temperature_matches_the_literal_sampler(strategy, data, lang, length, temperature):
    """Tokens drawn at temperature T (0: argmax), scores read from the untempered rows."""
    sch = data.draw(schedules(length, max_steps=3))
    model = data.draw(models(lang))
    note(f"{sch!r} {model.name}")
    q = naive.joint(lang, length)
    fn = naive.model_fn(model)
    if strategy == "random":  # the exchangeable sampler with the tempered model
        ref, esc = naive.output_distribution(q, length, lang.vocab_size, sch,
                                             lambda state: naive.tempered(fn(state), temperature))
    else:
        ref, esc = naive.remasking_output_distribution(q, length, lang.vocab_size, sch, fn, strategy,
                                                       temperature=temperature)
    out = em.exact.output_distribution(lang, length, sch, model, strategy=strategy, temperature=temperature)
    _compare(out, ref, esc, rel=1e-9)
    assert out.describe()["temperature"] == temperature


def test_temperature_is_checked_and_scores_stay_untempered():
    lang = em.NGram.random(3, 2, seed=4, prune=0.1)
    sch = em.schedules.fixed_sizes([2, 1, 1])
    for bad in (-1, float("nan"), float("inf"), "0", True):
        with pytest.raises(InvalidArgument, match="temperature="):
            em.exact.output_distribution(lang, 4, sch, temperature=bad)
    # a planted bug: scores read from the tempered rows (at T = 2 the confidence ranking flattens) is another law
    q = naive.joint(lang, 4)
    fn = naive.oracle_fn(q, 3)
    right, _ = naive.remasking_output_distribution(q, 4, 3, sch, fn, "confidence", temperature=2)
    wrong, _ = naive.remasking_output_distribution(q, 4, 3, sch, lambda s: naive.tempered(fn(s), 2), "confidence")
    out = em.exact.output_distribution(lang, 4, sch, strategy="confidence", temperature=2)
    assert max(abs(out.probs[x] - right[x]) for x in right) < 1e-12
    assert max(abs(out.probs[x] - wrong[x]) for x in right) > 1e-3


def test_a_planted_bug_is_told_apart():
    """Scoring by the model's top probability before the draw (not the drawn token's) changes the law."""
    lang = em.NGram.random(3, 2, seed=4, prune=0.1)
    sch = em.schedules.fixed_sizes([2, 1, 1])
    q = naive.joint(lang, 4)
    right, _ = naive.remasking_output_distribution(q, 4, 3, sch, naive.oracle_fn(q, 3), "confidence")
    wrong, _ = naive.remasking_output_distribution(q, 4, 3, sch, naive.oracle_fn(q, 3), "margin")
    out = em.exact.output_distribution(lang, 4, sch, strategy="confidence")
    assert max(abs(out.probs[x] - right[x]) for x in right) < 1e-12
    assert max(abs(out.probs[x] - wrong[x]) for x in right) > 1e-3
    ignored = em.exact.output_distribution(lang, 4, sch)  # a prompt ignored is another law again
    prompt = [int(lang.sample(1, 4, seed=0)[0][0]), -1, -1, -1]
    prompted = em.exact.output_distribution(lang, 4, em.schedules.fixed_sizes([2, 1]), given=prompt)
    assert np.abs(ignored.probs - prompted.probs).sum() > 0.1


def test_random_strategy_is_the_state_space_engine_and_bad_inputs_are_refused():
    lang = em.languages.counterexample16()
    out = em.exact.output_distribution(lang, 3, em.schedules.iid(2), strategy="random")
    assert out.strategy == "random" and out.method == "state-space engine"
    with pytest.raises(InvalidArgument, match="strategy='lowest'"):
        em.exact.output_distribution(lang, 3, em.schedules.iid(2), strategy="lowest")
    with pytest.raises(ImpossibleEvidence, match="given="):
        em.exact.output_distribution(lang, 3, em.schedules.iid(2), given=[0, 5, -1])  # (0,0) then (1,1): the letters disagree
    with pytest.raises(InvalidArgument, match="no MASK"):
        em.exact.output_distribution(lang, 2, em.schedules.iid(2), given=[0, 0])
    with pytest.raises(InvalidArgument, match="length 2, expected 3"):
        em.exact.output_distribution(lang, 3, em.schedules.iid(2), given=[0, -1])
    with pytest.raises(ValueError, match="sizes"):
        em.exact.output_distribution(lang, 3, em.schedules.fixed_sizes([1, 2]), given=[0, -1, -1])


@pytest.mark.parametrize("strategy", ["random", "confidence"])
@settings(max_examples=12, deadline=None)  # each example enumerates every subset and draw of a 4-5 token sampler
@given_(st.data(), languages(max_vocab=3, max_states=2), st.sampled_from([(4, 4, 2), (4, 2, 2), (4, 3, 4), (3, 6, 1)]),
        st.integers(0, 1))
def test_llada_blocks_match_the_literal_sampler(strategy, data, lang, llada, prompt_length):
    gen, steps, block = llada
    schedule = em.schedules.llada(gen, steps, block)
    length = gen + prompt_length
    start = one_token_prompt(data, lang, length) if prompt_length else None
    model = data.draw(models(lang))
    q = naive.joint(lang, length)
    ref, esc = naive.llada_output_distribution(q, length, lang.vocab_size, schedule, naive.model_fn(model), strategy,
                                               given=start)
    out = em.exact.output_distribution(lang, length, schedule, model, given=start, strategy=strategy)
    _compare(out, ref, esc, rel=1e-9)


@settings(max_examples=15, deadline=None)
@given_(st.data(), languages(max_vocab=3, max_states=2), st.sampled_from([(2, 4), (2, 2), (3, 3), (1, 3)]),
        st.integers(0, 1), st.integers(1, 3))
def test_blocks_of_any_schedule_match_the_literal_sampler(data, lang, widths, prompt_length, steps):
    """``schedules.blocks``: every block runs the whole inner schedule; state-space engine and revealed-set DP
    (one DP per block) against the sampler run literally, with and without a prompt, any model."""
    width, gen = widths
    inner = data.draw(st.sampled_from([em.schedules.iid(steps, "linear"), em.schedules.iid(steps, "cosine"),
                                       em.schedules.balanced_sizes(width, min(steps, width))]))
    schedule, length = em.schedules.blocks(inner, width, gen), gen + prompt_length
    start = one_token_prompt(data, lang, length) if prompt_length else None
    model = data.draw(models(lang))
    note(f"{schedule.name} given={start} {model.name}")
    q = naive.joint(lang, length)
    ref, esc = naive.blocks_output_distribution(q, length, lang.vocab_size, inner, width, gen, naive.model_fn(model),
                                                given=start)
    out = em.exact.output_distribution(lang, length, schedule, model, given=start)
    _compare(out, ref, esc, rel=1e-9)
    for x, p in list(ref.items())[:6]:
        log_p = em.exact.sequence_logprob(lang, np.array(x), schedule, model, given=start, method="revealed-set")
        assert (p == 0 and log_p == -math.inf) or math.exp(log_p) == pytest.approx(p, rel=1e-9, abs=1e-300)


@given_(st.data(), languages(max_vocab=3, max_states=3, kinds=("hmm", "ngram"), orders=(2,)),
        st.sampled_from([(2, 4), (3, 6), (1, 3), (4, 8)]), st.integers(0, 2), st.integers(1, 3))
def test_the_gap_dp_takes_blocks_of_an_iid_schedule(data, lang, widths, prompt_length, steps):
    """Blocks of an i.i.d. schedule make each position's step independent (drawn from its block's steps): the gap
    DP with per-step windows against the revealed-set DP run block by block."""
    if lang.token_chain() is None:
        return
    width, gen = widths
    schedule = em.schedules.blocks(em.schedules.iid(steps, data.draw(st.sampled_from(["linear", "cosine"]))), width, gen)
    length = gen + prompt_length
    x = lang.sample(1, length, seed=data.draw(st.integers(0, 1000)))[0]
    start = np.where(np.arange(length) < prompt_length, x, em.MASK) if prompt_length else None
    model = data.draw(st.sampled_from([None, em.models.Perturbed(lang, 0.05)]))
    assert em.exact.choose_method(lang, schedule, model) == "gap-dp"
    for y in [x] + list(lang.sample(2, length, seed=data.draw(st.integers(0, 1000)))):
        if start is not None:
            y[:prompt_length] = x[:prompt_length]
            if not lang.in_support(y):
                continue
        fast = em.exact.sequence_logprob(lang, y, schedule, model, given=start, method="gap-dp")
        slow = em.exact.sequence_logprob(lang, y, schedule, model, given=start, method="revealed-set")
        assert (fast == slow == -math.inf) or fast == pytest.approx(slow, rel=1e-10, abs=1e-12)


def test_blocks_are_checked_and_the_gap_dp_refuses_fixed_sizes_in_them():
    lang = em.NGram.random(3, 2, seed=0, prune=0.1)
    with pytest.raises(InvalidArgument, match="does not divide"):
        em.schedules.blocks(em.schedules.iid(2), 3, 4)
    with pytest.raises(InvalidArgument, match="sum to the sequence length"):
        em.schedules.blocks(em.schedules.fixed_sizes([1, 2]), 2, 4)
    with pytest.raises(TypeError, match="iid or fixed_sizes"):
        em.schedules.blocks(em.schedules.llada(4, 2, 2), 2, 4)
    fixed = em.schedules.blocks(em.schedules.fixed_sizes([1, 1]), 2, 4)
    assert em.exact.choose_method(lang, fixed) == "revealed-set"
    x = lang.sample(1, 4, seed=0)[0]
    with pytest.raises(InvalidArgument, match="independent reveal steps"):
        em.exact.sequence_logprob(lang, x, fixed, method="gap-dp")
    with pytest.raises(InvalidArgument, match="block-transfer"):
        em.exact.ser(lang, 4, em.schedules.blocks(em.schedules.iid(2), 2, 4), method="markov-dp")
    # one block over everything is the inner schedule itself
    one = em.exact.output_distribution(lang, 4, em.schedules.blocks(em.schedules.iid(3), 4, 4))
    assert np.allclose(one.probs, em.exact.output_distribution(lang, 4, em.schedules.iid(3)).probs, rtol=1e-12,
                       atol=0)


def test_llada_in_one_block_is_balanced_fixed_sizes_and_the_layout_is_checked():
    lang = em.NGram.random(3, 2, seed=0, prune=0.1)
    one = em.exact.output_distribution(lang, 5, em.schedules.llada(5, 3, 5))
    ref = em.exact.output_distribution(lang, 5, em.schedules.fixed_sizes([2, 2, 1]))  # extra tokens first
    assert np.array_equal(one.probs, ref.probs) and one.escaped == ref.escaped
    blocks = em.exact.output_distribution(lang, 4, em.schedules.llada(4, 2, 2))
    assert np.abs(blocks.probs - em.exact.output_distribution(lang, 4, em.schedules.fixed_sizes([2, 2])).probs).sum() > 1e-3
    with pytest.raises(InvalidArgument, match="LLaDA's layout"):
        em.exact.output_distribution(lang, 5, em.schedules.llada(4, 2, 2), given=[-1, 0, -1, -1, -1])


@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(1, 3), st.integers(1, 3),
        st.sampled_from(["loglinear", "cosine"]), st.sampled_from([0.0, 1e-5, 0.3]))
def test_mdlm_grid_and_noise_removal_match_the_literal_sampler(data, lang, length, steps, noise, eps):
    schedule = em.schedules.mdlm(steps, noise, eps)
    model = data.draw(models(lang))
    q = naive.joint(lang, length)
    ref, esc = naive.output_distribution(q, length, lang.vocab_size, schedule.reveal, naive.model_fn(model),
                                         final_argmax=schedule.final_argmax)
    _compare(em.exact.output_distribution(lang, length, schedule, model), ref, esc, rel=1e-9)


@given_(st.data(), languages(max_vocab=3, max_states=3, kinds=("hmm", "ngram"), orders=(2,)), st.integers(2, 5),
        st.integers(1, 3), st.sampled_from(["loglinear", "cosine"]), st.sampled_from([1e-5, 0.3]))
def test_mdlm_in_the_gap_dp_the_revealed_set_dp_and_the_ser_dp(data, lang, length, steps, noise, eps):
    """MDLM's grid with its argmax last step in every exact engine for p(x) and SER, against the literal sampler,
    with and without given tokens."""
    if lang.token_chain() is None:
        return
    schedule = em.schedules.mdlm(steps, noise, eps)
    model = data.draw(st.sampled_from([None, em.models.Perturbed(lang, 0.05),
                                       em.models.Perturbed(lang, 0.05, "temperature")]))
    start = _draw_given(data, lang, length) if data.draw(st.booleans()) else np.full(length, em.MASK)
    q = naive.joint(lang, length)
    ref, esc = naive.given_output_distribution(q, start, lang.vocab_size, schedule.reveal,
                                               naive.model_fn(em.models.resolve_model(lang, model)),
                                               final_argmax=True)
    given = start if np.any(start >= 0) else None
    for x, p in ref.items():
        for method in ("gap-dp", "revealed-set"):
            log_p = em.exact.sequence_logprob(lang, np.array(x), schedule, model, method=method, given=given)
            assert (p == 0 and log_p == -math.inf) or math.exp(log_p) == pytest.approx(p, rel=1e-9, abs=1e-300), method
    assert em.exact.ser(lang, length, schedule, model, method="markov-dp", given=given) == pytest.approx(esc, abs=1e-12)


def test_llada_blocks_at_long_length_factorise_over_blocks():
    """At L = 43 (2^43 revealed sets for a single DP) the revealed-set DP runs one DP per block. For a Markov chain
    a block's law given everything before it is the law of the block after its left neighbour alone, so each
    factor is recomputed independently by the state-space engine on the block with that one token as prompt
    (under the same transitions started uniformly, so that any token can be that prompt)."""
    lang = em.NGram.random(3, 2, seed=5, prune=0.2)
    restarted = em.NGram(2, np.full(3, 1 / 3), lang.transition)
    gen, steps, width, prompt = 40, 20, 4, 3
    schedule, block = em.schedules.llada(gen, steps, width), em.schedules.llada(width, steps // (gen // width), width)
    length = gen + prompt
    for model in (None, em.models.Perturbed(lang, 0.05)):
        x = lang.sample(1, length, seed=2)[0]
        start = np.where(np.arange(length) < prompt, x, em.MASK)
        assert em.exact.choose_method(lang, schedule, model) == "revealed-set"
        fast = em.exact.sequence_logprob(lang, x, schedule, model, given=start)
        reference = 0.0
        for lo in range(prompt, length, width):
            local_model = None if model is None else em.models.Perturbed(restarted, 0.05)
            local = em.exact.output_distribution(restarted, width + 1, block, local_model,
                                                 given=[int(x[lo - 1])] + [em.MASK] * width)
            reference += math.log(local.probs[tuple(x[lo - 1:lo + width])])
        assert fast == pytest.approx(reference, rel=1e-10)
        assert em.exact.sequence_logprob(lang, x, em.schedules.llada(gen, 2 * steps, width), model,
                                         given=start) != pytest.approx(fast, rel=1e-6)  # the steps matter
    with pytest.raises(EnumerationTooLarge, match="1 blocks of 40 positions"):  # one block of 40: 2^40 sets, refused first
        em.exact.sequence_logprob(lang, x, em.schedules.llada(gen, steps, gen), given=start)


@settings(max_examples=15, deadline=None)
@given_(st.data(), languages(max_vocab=3, max_states=2), st.integers(2, 4), st.integers(1, 4),
        st.sampled_from([0.0, 1e-3, 0.3]), st.sampled_from([("maskgit_plus", "confidence"), ("topk_margin", "margin")]),
        st.sampled_from([(0.0, None, None), (1.0, None, None), (0.5, 0.8, None), (2.0, None, 2)]))
def test_dreams_confidence_algorithms_are_dream_sizes_with_the_truncated_model(data, lang, length, steps, eps, alg,
                                                                             sampling):
    """Dream's sampler, run literally from its definition (counts from the current number of masked positions on
    its float32 grid, draws and scores from the tempered, truncated rows), equals the exact engine with
    ``schedules.dream_sizes`` and ``models.truncated`` (Dream's temperature 0: ``temperature=0`` in the engine)."""
    pytest.importorskip("torch")
    temperature, top_p, top_k = sampling
    start = _draw_given(data, lang, length) if data.draw(st.booleans()) else np.full(length, em.MASK)
    masked = int(np.sum(start < 0))
    model = None if temperature == 0.0 and top_p is None and top_k is None else em.models.truncated(
        None, temperature=temperature or 1.0, top_p=top_p, top_k=top_k, language=lang)
    q = naive.joint(lang, length)
    fn = naive.model_fn(em.models.resolve_model(lang, model))
    ref, esc = naive.dream_output_distribution(q, length, lang.vocab_size, steps, eps, fn, alg[0], given=start,
                                               argmax=temperature == 0)
    out = em.exact.output_distribution(lang, length, em.schedules.dream_sizes(masked, steps, eps), model,
                                       given=start if masked < length else None, strategy=alg[1],
                                       temperature=0.0 if temperature == 0 else 1.0)
    _compare(out, ref, esc, rel=1e-9)


def test_mdlm_conventions():
    lang = em.NGram.random(3, 2, seed=0, prune=0.1)
    linear = em.exact.output_distribution(lang, 4, em.schedules.iid(3, "linear"))
    mdlm = em.exact.output_distribution(lang, 4, em.schedules.mdlm(3, "loglinear", eps=0.0))
    assert np.abs(linear.probs - mdlm.probs).max() < 1e-12  # eps = 0: the linear grid, no noise removal
    assert em.schedules.mdlm(8, eps=1e-3).leftover == pytest.approx(1e-3)
    assert em.schedules.mdlm(8, "cosine", eps=0.1).leftover == pytest.approx(1 - math.cos(math.pi * 0.05))
    removal = em.exact.output_distribution(lang, 4, em.schedules.mdlm(3, eps=0.5))
    assert abs(removal.probs.sum() + removal.escaped - 1) < 1e-12 and "noise" not in removal.method
    with pytest.raises(InvalidArgument, match="noise_removal=True"):
        em.schedules.mdlm(3, eps=1e-3, noise_removal=False)
    with pytest.raises(InvalidArgument, match="noise="):
        em.schedules.mdlm(3, noise="geometric")


@given_(st.data(), languages(max_vocab=3, max_states=3), st.integers(2, 5))
def test_the_revealed_set_dp_takes_given_tokens(data, lang, length):
    start = _draw_given(data, lang, length)
    sch = data.draw(schedules(int(np.sum(start < 0)), max_steps=3))
    model = data.draw(models(lang))
    out = em.exact.output_distribution(lang, length, sch, model, given=start)
    for x in lang.sample(4, length, seed=data.draw(st.integers(0, 1000))):
        p = em.exact.sequence_prob(lang, x, sch, model, given=start)
        assert p == pytest.approx(out.probs[tuple(x)], rel=1e-9, abs=1e-300)
        log_p = em.exact.sequence_logprob(lang, x, sch, model, given=start)
        assert (log_p == -math.inf and p == 0) or log_p == pytest.approx(math.log(p), rel=1e-12)


@given_(st.data(), languages(max_vocab=3, orders=(2,), kinds=("ngram",)), st.integers(2, 9), st.integers(1, 4))
def test_the_gap_dp_takes_given_tokens(data, lang, length, steps):
    """Markov chains: the gap DP with given tokens (a product over the gaps between them) against the
    revealed-set DP started from them."""
    start = _draw_given(data, lang, length)
    sch = em.schedules.iid(steps, data.draw(st.sampled_from(["linear", "cosine"])))
    model = data.draw(st.sampled_from([None, em.models.Perturbed(lang, 0.05)]))
    for x in lang.sample(3, length, seed=data.draw(st.integers(0, 1000))):
        fast = em.exact.sequence_logprob(lang, x, sch, model, given=start, method="gap-dp")
        slow = em.exact.sequence_logprob(lang, x, sch, model, given=start, method="revealed-set")
        assert (fast == slow == -math.inf) or fast == pytest.approx(slow, rel=1e-10, abs=1e-12)


@given_(st.data(), languages(max_vocab=3, max_states=3, kinds=("hmm", "ngram"), orders=(2,)), st.integers(2, 5),
        st.integers(1, 3))
def test_the_markov_ser_dp_takes_given_tokens(data, lang, length, steps):
    """Markov chains: exact SER from given tokens by the SER DP (a product over the gaps) against the
    state-space engine started from them."""
    if lang.token_chain() is None:
        return
    start = _draw_given(data, lang, length)
    sch = em.schedules.iid(steps, data.draw(st.sampled_from(["linear", "cosine"])))
    model = data.draw(st.sampled_from([None, em.models.Perturbed(lang, 0.05)]))
    fast = em.exact.ser(lang, length, sch, model, given=start, method="markov-dp")
    slow = em.exact.ser(lang, length, sch, model, given=start, method="state-space")
    assert fast == pytest.approx(slow, abs=1e-12)


@given_(st.data(), languages(max_vocab=3, max_states=2), st.sampled_from([(4, 4, 2), (4, 2, 2), (3, 6, 1)]),
        st.integers(0, 1))
def test_the_revealed_set_dp_takes_llada_blocks(data, lang, llada, prompt_length):
    schedule = em.schedules.llada(*llada)
    length = llada[0] + prompt_length
    start = one_token_prompt(data, lang, length) if prompt_length else None
    out = em.exact.output_distribution(lang, length, schedule, given=start)
    for x in lang.sample(3, length, seed=data.draw(st.integers(0, 1000))):
        p = em.exact.sequence_prob(lang, x, schedule, given=start)  # auto: the gap DP refuses blocks
        assert p == pytest.approx(out.probs[tuple(x)], rel=1e-9, abs=1e-300)

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import exactmdm as em
from exactmdm.schedules import fixed_sizes, iid
from exactmdm.testing import assert_sampler_matches_exact, languages, schedules

torch = pytest.importorskip("torch")
from exactmdm import neural  # noqa: E402


@settings(max_examples=10)
@given(st.data())
def test_oracle_sampler_replays_the_numba_sampler_sequence_by_sequence(data):
    lang = data.draw(languages(max_vocab=3, max_states=3))
    length = data.draw(st.integers(1, 7))
    schedule = data.draw(schedules(length))
    seed = data.draw(st.integers(0, 2**32))
    got = neural.sample(neural.TorchOracle(lang), length, schedule, num=64, seed=seed, device="cpu", batch_size=17)
    want = em.montecarlo.sample(lang, length, schedule, num=64, seed=seed)
    correct = (want >= 0).all(axis=1) & lang.in_support(np.maximum(want, 0))
    np.testing.assert_array_equal(got.numpy()[correct], want[correct])
    # Off the support the oracle is undefined: the Markov fast path may still fill positions whose nearest
    # revealed neighbours agree, the general path stops; both must report an error.
    wrong = got.numpy()[~correct]
    assert ((wrong < 0).any(axis=1) | ~lang.in_support(np.maximum(wrong, 0))).all()


@pytest.mark.parametrize("schedule", [iid(2), iid(3, alpha=[0.5, 0.2, 0.3]), fixed_sizes([1, 3])], ids=str)
def test_oracle_sampler_draws_the_exact_output_law(schedule):
    # Stated false-alarm rate: 1e-3 per schedule (exact binomial tests, Bonferroni over the cells).
    lang = em.HMM.random(2, 3, seed=0, prune=0.25)  # strong dependencies: SER 0.24 at iid(2), L=4
    oracle = neural.TorchOracle(lang)

    def sample_fn(num, seed):
        return neural.sample(oracle, 4, schedule, num=num, seed=seed, device="cpu").numpy()

    assert_sampler_matches_exact(sample_fn, lang, 4, schedule, num_samples=6000, alpha=1e-3)


@pytest.mark.parametrize("bug", ["one position too many", "off-by-one number of steps"])
def test_planted_sampler_bugs_are_caught(bug):
    lang = em.HMM.random(2, 3, seed=0, prune=0.25)  # strong dependencies: SER 0.24 at iid(2), L=4
    oracle = neural.TorchOracle(lang)
    claimed, used = {"one position too many": (fixed_sizes([2, 2]), fixed_sizes([3, 1])),
                     "off-by-one number of steps": (iid(2), iid(1))}[bug]

    def buggy(num, seed):
        return neural.sample(oracle, 4, used, num=num, seed=seed, device="cpu").numpy()

    with pytest.raises(AssertionError, match="worst cells"):
        assert_sampler_matches_exact(buggy, lang, 4, claimed, num_samples=6000, alpha=1e-3)


def test_info_counts_steps_and_calls():
    lang = em.NGram.random(3, 2, seed=1)
    tokens, info = neural.sample(neural.TorchOracle(lang), 12, fixed_sizes([4, 4, 4]), num=10, seed=0, device="cpu",
                                 return_info=True, blocks=1)
    assert tokens.shape == (10, 12) and (tokens >= 0).all()
    assert info.steps == 3 and info.network_calls == 3.0
    _, info = neural.sample(neural.TorchOracle(lang), 12, iid(64), num=10, seed=0, device="cpu", return_info=True)
    assert info.steps == 64 and info.network_calls <= 12  # steps that unmask nothing call nothing


def test_blocks_fill_left_to_right_and_confidence_keeps_the_count():
    lang = em.NGram.random(3, 2, seed=1)
    seen = []

    def on_step(record):
        seen.append((record.step, record.xt, record.chosen))

    tokens = neural.sample(neural.TorchOracle(lang), 8, fixed_sizes([1, 3]), num=5, seed=3, device="cpu", blocks=2,
                           strategy="confidence", on_step=on_step)
    assert (tokens >= 0).all() and len(seen) == 4
    for step, xt, chosen in seen:
        block = slice(0, 4) if step < 2 else slice(4, 8)
        assert chosen.sum(dim=1).eq(1 if step % 2 == 0 else 3).all()
        outside = torch.ones(8, dtype=torch.bool)
        outside[block] = False
        assert not chosen[:, outside].any()
        if step >= 2:
            assert (xt[:, :4] >= 0).all()  # the first block is done before the second starts


@pytest.mark.parametrize("strategy", ["confidence", "margin"])
def test_confidence_strategies_unmask_the_highest_scores(strategy):
    lang = em.NGram.random(4, 2, seed=3, prune=0.2)
    steps = []
    neural.sample(neural.TorchOracle(lang), 6, fixed_sizes([2, 1, 3]), num=20, seed=1, device="cpu", strategy=strategy,
                  on_step=steps.append)
    assert [r.step for r in steps] == [0, 1, 2]
    for record, count in zip(steps, [2, 1, 3]):
        if strategy == "confidence":
            score = record.probs.gather(-1, record.drawn[..., None])[..., 0]
        else:
            top = record.probs.topk(2, dim=-1).values
            score = top[..., 0] - top[..., 1]
        assert record.chosen.sum(dim=1).eq(count).all()
        unchosen = (record.xt < 0) & ~record.chosen
        for b in range(record.xt.shape[0]):
            assert (record.xt[b][record.chosen[b]] < 0).all()
            if unchosen[b].any():
                assert score[b][record.chosen[b]].min() >= score[b][unchosen[b]].max()


def test_sampler_bad_arguments():
    lang = em.NGram.random(3, 2, seed=1)
    oracle = neural.TorchOracle(lang)
    with pytest.raises(ValueError, match="strategy"):
        neural.sample(oracle, 4, iid(2), num=2, seed=0, strategy="greedy")
    with pytest.raises(ValueError, match="blocks=3 must divide length=4"):
        neural.sample(oracle, 4, iid(2), num=2, seed=0, blocks=3)
    with pytest.raises(ValueError, match="sum"):
        neural.sample(oracle, 4, fixed_sizes([1, 1]), num=2, seed=0)
    with pytest.raises(ValueError, match="model"):
        neural.sample("oracle", 4, iid(2), num=2, seed=0)


def test_a_llada_schedule_runs_its_total_steps_over_its_blocks():
    """LLaDA's `steps` is the total: with schedules.llada the sampler takes its blocks and per-block counts
    (blocks=K alone runs the whole schedule in each block, K times the steps)."""
    import exactmdm as em

    lang = em.NGram.random(3, 2, seed=0, prune=0.1)
    seen = []
    tokens, info = neural.sample(neural.TorchOracle(lang), 8, em.schedules.llada(8, 6, 4), num=16, seed=0,
                                 device="cpu", return_info=True,
                                 on_step=lambda s: seen.append((s.step, s.chosen.sum(dim=1).tolist(),
                                                                s.chosen.nonzero()[:, 1].tolist())))
    assert info.steps == 6 and info.blocks == 2
    counts = {step: set(c) for step, c, _ in seen}
    assert [counts[k] for k in range(6)] == [{2}, {1}, {1}, {2}, {1}, {1}]
    assert all(p < 4 for step, _, pos in seen if step < 3 for p in pos)  # the first block first
    assert all(p >= 4 for step, _, pos in seen if step >= 3 for p in pos)
    assert (tokens >= 0).all() or info.escaped.any()
    with pytest.raises(ValueError, match="sets the blocks itself"):
        neural.sample(neural.TorchOracle(lang), 8, em.schedules.llada(8, 6, 4), num=2, seed=0, blocks=2)


def test_mdlm_noise_removal_and_temperature_zero_take_the_argmax_of_the_untempered_rows():
    lang = em.NGram.random(3, 2, seed=1, prune=0.1)
    oracle = neural.TorchOracle(lang)
    # MDLM with eps > 0: 3 grid steps, then step 3 takes the argmax; temperature 0: every step does
    for schedule, temperature, steps, argmax_steps in ((em.schedules.mdlm(3, "cosine", eps=0.5), 0.7, 4, {3}),
                                                       (iid(3), 0.0, 3, {0, 1, 2})):
        seen = []
        _, info = neural.sample(oracle, 5, schedule, num=40, seed=2, device="cpu", temperature=temperature,
                                return_info=True, on_step=seen.append)
        assert info.temperature == temperature and info.steps == steps
        assert {record.step for record in seen} >= argmax_steps
        for record in seen:
            torch.testing.assert_close(record.probs, oracle(record.xt).to(torch.float64), rtol=0, atol=0)
            if record.step in argmax_steps:  # ties to the lowest token, on the score grid
                best = torch.round(record.probs / em.exact.remasking.SCORE_GRID).argmax(dim=-1)
                masked = record.xt < 0
                assert torch.equal(record.drawn[masked], best[masked])
    assert info.to_dict()["temperature"] == 0.0


def test_planted_bug_the_torch_noise_removal_step_draws(monkeypatch):
    from exactmdm.exact.remasking import tempered_rows

    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    oracle = neural.TorchOracle(lang)
    schedule = em.schedules.mdlm(2, "loglinear", eps=0.3)
    monkeypatch.setattr(neural.sampler, "sampling_rows", lambda probs, temperature, argmax: tempered_rows(probs,
                                                                                                           temperature))
    with pytest.raises(AssertionError, match="worst cells"):
        assert_sampler_matches_exact(
            lambda n, s: neural.sample(oracle, 4, schedule, num=n, seed=s, device="cpu", batch_size=4096).numpy(),
            lang, 4, schedule, num_samples=6000)


@pytest.mark.parametrize("temperature", [-0.5, float("nan"), "0"])
def test_torch_sampler_refuses_a_bad_temperature_by_name(temperature):
    lang = em.NGram.random(3, 2, seed=1)
    with pytest.raises(ValueError, match="temperature="):
        neural.sample(neural.TorchOracle(lang), 4, iid(2), num=2, seed=0, temperature=temperature)


def test_with_blocks_each_block_ends_with_mdlm_noise_removal():
    lang = em.NGram.random(3, 2, seed=1, prune=0.1)
    seen = []
    _, info = neural.sample(neural.TorchOracle(lang), 6, em.schedules.mdlm(2, eps=0.5), num=30, seed=4, device="cpu",
                            blocks=2, return_info=True, on_step=seen.append)
    assert info.steps == 6 and {record.step for record in seen} >= {2, 5}  # (2 grid steps + the argmax step) x 2
    for record in seen:
        block = slice(0, 3) if record.step < 3 else slice(3, 6)
        assert not record.chosen[:, :block.start].any() and not record.chosen[:, block.stop:].any()
        if record.step in (2, 5):  # the argmax step reveals what is left of its block
            assert ((record.xt[:, block] >= 0) | record.chosen[:, block]).all()
            best = torch.round(record.probs / em.exact.remasking.SCORE_GRID).argmax(dim=-1)
            assert torch.equal(record.drawn[record.chosen], best[record.chosen])

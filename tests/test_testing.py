import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given

import exactmdm as em
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.testing import assert_posterior_matches, languages, masked_sequences, schedules


@pytest.mark.parametrize("make", [
    lambda: languages(min_vocab=0), lambda: languages(min_vocab=3, max_vocab=2), lambda: languages(kinds=("tree",)),
    lambda: languages(orders=(1,)), lambda: languages(max_weight=0), lambda: schedules(0),
    lambda: schedules(3, kinds=("adaptive",)), lambda: masked_sequences(em.NGram.random(2, 2, 0), 2, min_masked=3),
])
def test_strategies_validate_their_arguments_at_definition(make):
    with pytest.raises(InvalidArgument):
        make()


def test_masked_sequences_refuse_a_non_language_by_type():
    with pytest.raises(InvalidType, match=r"^language='not a language' must be an exactmdm language"):
        masked_sequences("not a language", 2)


@given(languages(max_vocab=2, max_states=2).flatmap(lambda lang: masked_sequences(lang, 4, min_masked=2).map(
    lambda xt: (lang, xt))))
def test_masked_sequences_agree_with_the_support(pair):
    lang, xt = pair
    assert (xt < 0).sum() >= 2
    assert em.support_consistent(lang, xt)


def test_assert_posterior_matches_accepts_the_oracle_and_a_model_within_budget():
    lang = em.HMM.random(2, 3, seed=0, prune=0.25)
    measured = assert_posterior_matches(em.models.Oracle(lang), lang, 4, max_kl=1e-12)
    assert measured.max_nats <= 1e-12
    model = em.models.Perturbed(lang, 0.05, "uniform")
    assert_posterior_matches(model, lang, 4, max_kl=0.05)
    with pytest.raises(AssertionError, match=r"nats \(> max_kl = 0.0288349"):
        assert_posterior_matches(model, lang, 4, max_kl=0.0416, unit="bits")  # 0.0416 bits = 0.0288 nats < 0.05


def test_assert_posterior_matches_catches_a_planted_off_by_one_and_shows_the_worst_state():
    """A "posterior" that conditions on the wrong neighbour (the state shifted by one position) is caught,
    and the message names the state, the position and both rows."""
    lang = em.NGram.random(3, 2, seed=1, prune=0.2)

    def shifted(xt):
        xt = np.asarray(xt)
        rolled = np.roll(xt, 1, axis=1)
        rolled[:, 0] = em.MASK
        ok = np.asarray(em.support_consistent(lang, rolled))
        out = np.full(xt.shape + (3,), 1 / 3)
        out[ok] = em.posterior(lang, rolled[ok])
        observed = xt >= 0
        out[observed] = np.eye(3)[xt[observed]]
        return out

    with pytest.raises(AssertionError) as info:
        assert_posterior_matches(shifted, lang, 3, max_kl=1e-3)
    text = str(info.value)
    assert "x_t = [" in text and "position" in text and "exact:" in text and "model:" in text


def test_assert_posterior_matches_validates_its_arguments():
    lang = em.NGram.random(2, 2, seed=1)
    with pytest.raises(ValueError, match="max_kl"):
        assert_posterior_matches(em.models.Oracle(lang), lang, 3, max_kl=-1.0)
    with pytest.raises(ValueError, match="unit"):
        assert_posterior_matches(em.models.Oracle(lang), lang, 3, max_kl=0.1, unit="dB")


# The quoted case: a full-support HMM at L = 4, V = 3; running iid(3) where iid(2) is claimed moves 0.0195 of
# total variation spread over the 81 cells, which Bonferroni per-cell tests catch in about half the runs.
DIFFUSE = em.HMM.random(3, 3, seed=13)
CLAIMED, ONE_STEP_TOO_MANY = em.schedules.iid(2), em.schedules.iid(3)


def _exact_draws(law, lang, length):
    """A sampler that is correct by construction: categorical draws from the exact law's support cells."""
    support = np.argwhere(lang.joint(length) > 0)
    probs = law.probs[tuple(support.T)]

    def sample_fn(num, seed):
        return support[np.random.default_rng(seed).choice(len(support), size=num, p=probs / probs.sum())]

    return sample_fn


def test_the_report_carries_both_tests_and_the_law():
    lang = em.HMM.random(2, 3, seed=0, prune=0.25)
    schedule = em.schedules.iid(2)
    report = em.testing.assert_sampler_matches_exact(
        lambda num, seed: em.montecarlo.sample(lang, 4, schedule, num=num, seed=seed), lang, 4, schedule,
        num_samples=3000, alpha=1e-3, seed=3)
    assert isinstance(report, em.testing.SamplerReport) and report.passed
    assert report.cell_threshold == pytest.approx(1e-3 / 2 / report.num_cells) == report.threshold
    assert report.global_threshold == 5e-4 and report.num_samples == 3000 and report.law.startswith("computed")
    assert report.min_p_value >= report.cell_threshold and report.global_p_value > report.global_threshold
    assert len(report.worst_cells) == 5 and report.worst_cells[0][3] == report.min_p_value
    assert 0 < report.detectable_tv < 1
    as_dict = report.to_dict()
    assert as_dict["passed"] is True and set(as_dict["worst_cells"][0]) == {"cell", "observed", "expected", "p_value"}
    assert "global G test" in str(report) and "worst cells" in str(report)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.passed = False


def test_the_global_test_catches_one_step_too_many_spread_over_81_cells():
    """The power claim on the quoted case: caught by the global test, with 50,000 samples, for every seed."""
    law = em.exact.output_distribution(DIFFUSE, 4, CLAIMED)
    wrong = em.exact.output_distribution(DIFFUSE, 4, ONE_STEP_TOO_MANY)
    assert 0.5 * np.abs(law.probs - wrong.probs).sum() == pytest.approx(0.0195, abs=5e-4)
    for seed in range(3):
        with pytest.raises(AssertionError, match="worst cells") as info:
            em.testing.assert_sampler_matches_exact(
                lambda num, s: em.montecarlo.sample(DIFFUSE, 4, ONE_STEP_TOO_MANY, num=num, seed=s), DIFFUSE, 4, CLAIMED,
                num_samples=50_000, seed=seed, law=law)
        report = info.value.report
        assert not report.passed and report.global_p_value <= report.global_threshold
        assert report.detectable_tv < 0.0196  # the asymptotic guarantee covers this error


def test_the_stated_false_alarm_rate_holds():
    """200 runs of a correct sampler at alpha = 0.05: false alarms ~ Binomial(200, <= 0.05), so more than 21
    happen with probability < 1e-3."""
    lang = em.HMM.random(2, 2, seed=4)
    law = em.exact.output_distribution(lang, 3, CLAIMED)
    sample_fn = _exact_draws(law, lang, 3)
    alarms = 0
    for seed in range(200):
        try:
            em.testing.assert_sampler_matches_exact(sample_fn, lang, 3, CLAIMED, num_samples=400, alpha=0.05, seed=seed,
                                                    law=law)
        except AssertionError:
            alarms += 1
    tail = sum(math.comb(200, k) * 0.05 ** k * 0.95 ** (200 - k) for k in range(22, 201))
    assert tail < 1e-3
    assert alarms <= 21


def test_detectable_tv_is_what_simulation_gives_in_the_least_favourable_direction():
    """An error proportional to p (half the cells up, half down) at the reported TV is detected ~90% of the
    time by the simulated G test; an error half as large much less often."""
    from exactmdm.testing import _g

    law = em.exact.output_distribution(DIFFUSE, 4, CLAIMED)
    p = law.probs.ravel()
    num, threshold = 50_000, 5e-4
    tv = em.testing.detectable_tv(p.size - 1, num, threshold)
    rng = np.random.default_rng(0)
    critical = np.quantile(_g(rng.multinomial(num, p, size=40_000), num * p), 1 - threshold)
    order = np.argsort(p)
    signs = np.empty(p.size)
    signs[order] = np.where(np.cumsum(p[order]) <= 0.5, 1.0, -1.0)
    signs[signs > 0] *= p[signs < 0].sum() / p[signs > 0].sum()  # balance so that q sums to 1
    direction = signs * p / (0.5 * np.abs(signs * p).sum())       # total variation 1 per unit step
    power = [(_g(rng.multinomial(num, p + t * direction, size=1000), num * p) > critical).mean() for t in (tv, tv / 2)]
    assert 0.8 <= power[0] <= 0.97 and power[1] < 0.5


def test_the_asymptotic_functions_match_mpmath():
    mpmath = pytest.importorskip("mpmath")
    from exactmdm.testing import _chi2_isf, _gamma_q, _ncx2_sf

    for a, x in [(0.5, 0.1), (3.0, 2.0), (40.5, 60.0), (40.5, 20.0), (200.0, 260.0)]:
        assert _gamma_q(a, x) == pytest.approx(float(mpmath.gammainc(a, x, mpmath.inf, regularized=True)), rel=1e-10)
    assert _gamma_q(40.5, _chi2_isf(5e-4, 81) / 2) == pytest.approx(5e-4, rel=1e-8)
    lam, df, x = 30.0, 10, 35.0
    ref = sum(mpmath.exp(-lam / 2) * (lam / 2) ** j / mpmath.factorial(j) * mpmath.gammainc(df / 2 + j, x / 2,
                                                                                           mpmath.inf, regularized=True)
              for j in range(200))
    assert _ncx2_sf(x, df, lam) == pytest.approx(float(ref), rel=1e-10)


def test_the_law_is_checked():
    lang = em.HMM.random(2, 2, seed=4)
    law = em.exact.output_distribution(lang, 3, CLAIMED)
    sample_fn = _exact_draws(law, lang, 3)
    with pytest.raises(InvalidArgument, match=r"strategy='lowest' must be one of"):
        em.testing.assert_sampler_matches_exact(sample_fn, lang, 3, CLAIMED, num_samples=10, strategy="lowest", law=law)
    with pytest.raises(InvalidArgument, match=r"law.probs has shape \(2, 2, 2\), but V=2, L=4"):
        em.testing.assert_sampler_matches_exact(sample_fn, lang, 4, CLAIMED, num_samples=10, law=law)
    report = em.testing.assert_sampler_matches_exact(sample_fn, lang, 3, CLAIMED, num_samples=2000, law=law)
    assert report.passed and "supplied as law=" in report.law


def test_a_supplied_law_must_be_the_one_of_the_strategy_and_temperature_under_test():
    lang = em.HMM.random(2, 2, seed=4)
    law = em.exact.output_distribution(lang, 3, CLAIMED, strategy="confidence", temperature=0.5)
    sample_fn = _exact_draws(law, lang, 3)
    with pytest.raises(InvalidArgument, match=r"law was computed with temperature=0.5 but temperature=1.0 was passed"):
        em.testing.assert_sampler_matches_exact(sample_fn, lang, 3, CLAIMED, num_samples=10, strategy="confidence",
                                                law=law)
    with pytest.raises(InvalidArgument, match=r"law was computed with strategy='confidence' but strategy='random'"):
        em.testing.assert_sampler_matches_exact(sample_fn, lang, 3, CLAIMED, num_samples=10, temperature=0.5, law=law)
    report = em.testing.assert_sampler_matches_exact(sample_fn, lang, 3, CLAIMED, num_samples=2000, law=law,
                                                     strategy="confidence", temperature=0.5)
    assert report.passed and "supplied as law=" in report.law and "temperature=0.5" in report.law


@pytest.mark.parametrize("strategy", ["random", "confidence", "entropy"])
def test_the_torch_sampler_with_a_prompt_and_remasking_matches_the_exact_law(strategy):
    """Two implementations of the same sampler: the torch one (drawn) and the exact engine (enumerated)."""
    pytest.importorskip("torch")
    from exactmdm import neural

    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    prompt = np.array([int(lang.sample(1, 5, seed=3)[0][0]), -1, -1, -1, -1])
    schedule = em.schedules.fixed_sizes([2, 1, 1])
    oracle = neural.TorchOracle(lang)

    def sample_fn(num, seed, given=prompt, strategy=strategy):
        return neural.sample(oracle, 5, schedule, num=num, seed=seed, device="cpu", strategy=strategy,
                             given=given).numpy()

    report = em.testing.assert_sampler_matches_exact(sample_fn, lang, 5, schedule, num_samples=20_000, given=prompt,
                                                     strategy=strategy)
    assert report.passed and "given=" in report.law and "computed by exact.output_distribution" in report.law
    # planted bugs: the prompt ignored (all positions generated), the wrong remasking rule
    unprompted = em.schedules.fixed_sizes([2, 1, 1, 1])
    with pytest.raises(AssertionError, match="worst cells"):
        em.testing.assert_sampler_matches_exact(
            lambda n, s: neural.sample(oracle, 5, unprompted, num=n, seed=s, device="cpu", strategy=strategy).numpy(),
            lang, 5, schedule, num_samples=20_000, given=prompt, strategy=strategy)
    other = "margin" if strategy != "margin" else "confidence"
    if strategy != "random":
        with pytest.raises(AssertionError, match="worst cells"):
            em.testing.assert_sampler_matches_exact(lambda n, s: sample_fn(n, s, strategy=other), lang, 5, schedule,
                                                    num_samples=20_000, given=prompt, strategy=strategy)


@pytest.mark.parametrize("strategy", ["random", "confidence"])
def test_the_torch_sampler_with_llada_blocks_and_a_prompt_matches_the_exact_law(strategy):
    pytest.importorskip("torch")
    from exactmdm import neural

    lang = em.NGram.random(3, 2, seed=5, prune=0.1)
    prompt = np.array([int(lang.sample(1, 5, seed=3)[0][0]), -1, -1, -1, -1])
    schedule = em.schedules.llada(4, 4, 2)
    oracle = neural.TorchOracle(lang)
    report = em.testing.assert_sampler_matches_exact(
        lambda n, s: neural.sample(oracle, 5, schedule, num=n, seed=s, device="cpu", strategy=strategy,
                                   given=prompt).numpy(), lang, 5, schedule, num_samples=20_000, given=prompt,
        strategy=strategy)
    assert report.passed
    # a planted bug: LLaDA's total steps read as steps per block (2 blocks x 1 step where 2 x 2 are claimed)
    with pytest.raises(AssertionError, match="worst cells"):
        em.testing.assert_sampler_matches_exact(
            lambda n, s: neural.sample(oracle, 5, em.schedules.llada(4, 2, 2), num=n, seed=s, device="cpu",
                                       strategy=strategy, given=prompt).numpy(),
            lang, 5, schedule, num_samples=20_000, given=prompt, strategy=strategy)

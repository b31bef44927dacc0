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

import pytest
from hypothesis import given

import exactmdm as em
from exactmdm.errors import InvalidArgument
from exactmdm.testing import languages, masked_sequences, schedules


@pytest.mark.parametrize("make", [
    lambda: languages(min_vocab=0), lambda: languages(min_vocab=3, max_vocab=2), lambda: languages(kinds=("tree",)),
    lambda: languages(orders=(1,)), lambda: languages(max_weight=0), lambda: schedules(0),
    lambda: schedules(3, kinds=("adaptive",)), lambda: masked_sequences(em.NGram.random(2, 2, 0), 2, min_masked=3),
    lambda: masked_sequences("not a language", 2),
])
def test_strategies_validate_their_arguments_at_definition(make):
    with pytest.raises(InvalidArgument):
        make()


@given(languages(max_vocab=2, max_states=2).flatmap(lambda lang: masked_sequences(lang, 4, min_masked=2).map(
    lambda xt: (lang, xt))))
def test_masked_sequences_agree_with_the_support(pair):
    lang, xt = pair
    assert (xt < 0).sum() >= 2
    assert em.support_consistent(lang, xt)

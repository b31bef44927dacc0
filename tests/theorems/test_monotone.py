from hypothesis import given
from hypothesis import strategies as st

from exactmdm.theorems.monotone import last_true


@given(st.integers(0, 300), st.one_of(st.none(), st.integers(1, 300)))
def test_last_true_finds_the_threshold(threshold, upper):
    calls = []

    def predicate(n):
        calls.append(n)
        return n <= threshold

    expected = threshold if upper is None else min(threshold, upper)
    assert last_true(predicate, upper) == expected
    assert all(n >= 1 and (upper is None or n <= upper) for n in calls)

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from exactmdm import schedules
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.testing import schedules as schedule_strategy


@pytest.mark.parametrize("alpha", ["linear", "cosine", "poly:2", "poly(0.5)", schedules.poly(3)])
@pytest.mark.parametrize("n", [1, 2, 7])
def test_weights_match_alpha_differences(alpha, n):
    sch = schedules.iid(n, alpha)
    curve = schedules._alpha_from_name(alpha) if isinstance(alpha, str) else alpha
    grid = [curve(1 - k / n) for k in range(n + 1)]
    np.testing.assert_allclose(sch.weights, np.diff(grid), atol=1e-15)
    assert sch.weights.sum() == pytest.approx(1.0, abs=1e-14)


def test_exact_weights():
    assert schedules.iid(3).exact_weights == (Fraction(1, 3),) * 3
    # alpha = 1 - t^2 on t = 1, 1/2, 0 takes the values 0, 3/4, 1
    assert schedules.iid(2, "poly:2").exact_weights == (Fraction(3, 4), Fraction(1, 4))
    assert sum(schedules.iid(5, "poly:3").exact_weights) == 1


@given(schedule_strategy(6, max_steps=5, kinds=("iid",)))
def test_iid_rates_reproduce_the_step_weights(sch):
    # P(position first unmasked at step k) = prod_{j<k} (1 - r_j) r_k must equal w_k
    survive, law = 1.0, []
    for r in sch.rates:
        law.append(survive * r)
        survive *= 1 - r
    np.testing.assert_allclose(law, sch.weights / sch.weights.sum(), atol=1e-14)


@given(st.data(), st.integers(1, 6))
def test_reveal_law_rows_are_distributions(data, length):
    sch = data.draw(schedule_strategy(length, max_steps=5))
    law = sch.reveal_law(length)
    remaining = length
    for k in range(sch.num_steps):
        rows = law[k, : length + 1]
        if sch.kind == "iid":
            for m in range(length + 1):
                assert rows[m, : m + 1].sum() == pytest.approx(1.0, abs=1e-13)
                assert np.all(rows[m, m + 1:] == 0)
        else:
            assert rows[remaining].sum() == pytest.approx(1.0)
            remaining -= sch.sizes[k]


def test_fixed_sizes_must_cover_every_position():
    sch = schedules.fixed_sizes([2, 1])
    assert sch.reveal_law(3)[0, 3, 2] == 1.0
    with pytest.raises(InvalidArgument, match="sum to the sequence length"):
        sch.subset_probabilities(4)
    with pytest.raises(InvalidArgument, match="sizes\\[1\\]=0"):
        schedules.fixed_sizes([2, 0])
    with pytest.raises(InvalidArgument, match="empty"):
        schedules.fixed_sizes([])
    with pytest.raises(InvalidType):
        schedules.fixed_sizes(3)


def test_balanced_sizes():
    assert schedules.balanced_sizes(10, 4).sizes == (3, 3, 2, 2)
    assert schedules.balanced_sizes(5, 5).sizes == (1,) * 5
    with pytest.raises(InvalidArgument, match="num_steps=6"):
        schedules.balanced_sizes(5, 6)


@pytest.mark.parametrize(
    "args, match",
    [
        ((3, [0.5, 0.5, 0.5]), "sum to 1.5"),
        ((2, [0.5, 0.5, 0.0]), "3 step weights but num_steps=2"),
        ((2, [1.5, -0.5]), ">= 0"),
        ((2, [Fraction(1, 3), Fraction(1, 3)]), "sum to 2/3"),
        ((2, "quadratic"), "not a known schedule"),
        ((2, lambda t: t), "alpha\\(0\\) = 1"),
        ((4, lambda t: 1 - t if t < 0.4 or t > 0.6 else 0.9), "not decreasing"),
        ((0, "linear"), "num_steps=0"),
    ],
)
def test_iid_rejects_bad_schedules(args, match):
    with pytest.raises(InvalidArgument, match=match):
        schedules.iid(*args)


def test_zero_weight_steps_and_trailing_zeros():
    sch = schedules.iid(3, [0.5, 0.5, 0.0])
    assert sch.rates.tolist() == [0.5, 1.0, 1.0]
    table = sch.subset_probabilities(2)
    assert table[1, 2, 2] == 1.0 and table[2, 0, 0] == 1.0
    assert math.isclose(sch.reveal_law(2)[0, 2, 1], 0.5)

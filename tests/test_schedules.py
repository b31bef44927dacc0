import math
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from exactmdm import schedules
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.testing import schedules as schedule_strategy


_SYMBOLIC = {"linear": lambda t: 1 - t, "cosine": lambda t: sympy.cos(sympy.pi * t / 2),
             "poly:2": lambda t: 1 - t ** 2, "poly(0.5)": lambda t: 1 - sympy.sqrt(t), "poly3": lambda t: 1 - t ** 3}


@pytest.mark.parametrize("alpha", sorted(_SYMBOLIC))
@pytest.mark.parametrize("n", [1, 2, 7])
def test_weights_match_alpha_differences(alpha, n):
    """Against the definition w_k = alpha(t_k) - alpha(t_{k-1}), t_k = 1 - k/N, evaluated by sympy at 30 digits."""
    sch = schedules.iid(n, schedules.poly(3) if alpha == "poly3" else alpha)
    curve = _SYMBOLIC[alpha]
    expected = [float(sympy.N(curve(sympy.Rational(n - k, n)) - curve(sympy.Rational(n - k + 1, n)), 30))
                for k in range(1, n + 1)]
    np.testing.assert_allclose(sch.weights, expected, atol=1e-15)
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


# --- the O(N) log form and long L ------------------------------------------------------------------------------
def test_reveal_law_at_long_length_is_finite_and_normalised():
    law = schedules.iid(6, "cosine").reveal_law(1100)  # math.comb(1100, u) overflowed a float before
    assert np.all(np.isfinite(law))
    np.testing.assert_allclose(law.sum(axis=2), 1.0, atol=1e-9)


def test_dense_tables_refuse_sizes_beyond_memory_and_name_the_log_form():
    from exactmdm.errors import EnumerationTooLarge

    with pytest.raises(EnumerationTooLarge, match="log_subset_probability"):
        schedules.iid(2048).subset_probabilities(1024)  # 17 GB dense


@given(schedule_strategy(5, max_steps=4, kinds=("iid",)), st.integers(0, 5), st.integers(0, 5))
def test_log_subset_probability_matches_exact_rationals(sch, m, u):
    """Against r_k = w_k / (w_k + ... + w_N) and 1 - r_k formed in exact rationals."""
    assume(u <= m and sch.exact_weights is not None)
    w = sch.exact_weights
    for k in range(sch.num_steps):
        tail = sum(w[k:])
        r = w[k] / tail if tail else Fraction(1)
        r = Fraction(1) if k == sch.num_steps - 1 else r
        exact = r ** u * (1 - r) ** (m - u)
        got = sch.log_subset_probability(k, m, u)
        if exact == 0:
            assert got == -math.inf
        else:
            assert float(got) == pytest.approx(math.log(exact.numerator) - math.log(exact.denominator), rel=1e-12,
                                               abs=1e-13)


def test_fixed_sizes_log_form_and_orderings():
    sch = schedules.fixed_sizes([2, 1, 3])
    assert sch.num_orderings == math.factorial(6) // (2 * 1 * 6)
    assert sch.log_subset_probability(0, 6, 2) == pytest.approx(-math.log(math.comb(6, 2)))
    assert sch.log_subset_probability(1, 4, 1) == pytest.approx(-math.log(4))
    assert sch.log_subset_probability(1, 5, 1) == -math.inf


def test_poly_power_zero_says_what_is_wrong():
    with pytest.raises(InvalidArgument, match="must be a finite number > 0"):
        schedules.iid(3, "poly:0")
    with pytest.raises(InvalidArgument, match="not a number"):
        schedules.iid(3, "poly:x")


def _get_num_transfer_tokens(mask_num: int, steps: int) -> list:
    """LLaDA's get_num_transfer_tokens for one row, from its description: base = n // steps, the first
    n % steps steps one more."""
    num = [mask_num // steps] * steps
    for i in range(mask_num % steps):
        num[i] += 1
    return num


@given(st.integers(1, 8), st.integers(1, 6), st.integers(1, 12))
def test_llada_counts_are_get_num_transfer_tokens_per_block(block_length, blocks, steps_per_block):
    sch = schedules.llada(block_length * blocks, steps_per_block * blocks, block_length)
    expected = [c for c in _get_num_transfer_tokens(block_length, steps_per_block) if c]
    assert sch.num_blocks == blocks and sch.steps_per_block == steps_per_block
    assert sch.sizes_per_block() == (tuple(expected),) * blocks
    assert sum(map(sum, sch.sizes_per_block())) == sch.gen_length


def test_llada_by_hand_and_its_errors():
    assert schedules.llada(8, 6, 4).sizes_per_block() == ((2, 1, 1), (2, 1, 1))
    assert schedules.llada(4, 6, 4).sizes_per_block() == ((1, 1, 1, 1),)  # two empty steps skipped
    assert schedules.llada(8, 6, 4).describe()["sizes_per_block"] == [[2, 1, 1], [2, 1, 1]]
    with pytest.raises(InvalidArgument, match=r"steps=5 is not divisible by the 2 blocks.*multiple of 2"):
        schedules.llada(8, 5, 4)
    with pytest.raises(InvalidArgument, match=r"block_length=3 does not divide gen_length=8"):
        schedules.llada(8, 4, 3)
    with pytest.raises(InvalidArgument, match="steps"):
        schedules.llada(8, 0, 4)


def test_dream_origin_is_its_per_step_unmasking_probabilities():
    """Dream's alg="origin": P(a position unmasks at step i) = prod_(j<i) (s_j / t_j) (1 - s_i / t_i) on its grid,
    the last step taking every position left, recomputed here step by step from the grid's values."""
    torch = pytest.importorskip("torch")
    for steps, eps in ((1, 1e-3), (4, 1e-3), (7, 0.0), (16, 0.2)):
        grid = [float(v) for v in torch.linspace(1, eps, steps + 1)]
        still, expected = 1.0, []
        for i in range(steps):
            p = 1 - grid[i + 1] / grid[i] if i < steps - 1 else 1.0
            expected.append(still * p)
            still *= 1 - p
        schedule = schedules.dream(steps, eps)
        np.testing.assert_allclose(schedule.weights, expected, rtol=1e-6, atol=1e-12)  # float32 grid, float64 law
        assert schedule.name == f"dream(steps={steps}, eps={eps:g})"


def test_dream_sizes_are_dreams_counts():
    """Dream's count rule run as its loop does (a batch of masked rows, mask_index.sum() / rows, float32), against
    ``schedules.dream_sizes``; and the float32 rounding that departs from exact arithmetic."""
    torch = pytest.importorskip("torch")
    for gen, steps, eps in ((11, 4, 0.0), (128, 128, 1e-3), (256, 64, 1e-3), (37, 9, 0.1), (5, 8, 1e-3)):
        grid = torch.linspace(1, eps, steps + 1)
        x = torch.ones((2, gen), dtype=torch.bool)  # True = masked
        counts = []
        for i in range(steps):
            mask_index = x
            num_mask_token = mask_index.sum() / mask_index.shape[0]
            k = int(num_mask_token * (1 - grid[i + 1] / grid[i])) if i < steps - 1 else int(num_mask_token)
            counts.append(k)
            x[:, torch.nonzero(x[0])[:k, 0]] = False
        assert schedules.dream_sizes(gen, steps, eps).sizes == tuple(c for c in counts if c)
    assert schedules.dream_sizes(11, 4, 0.0).sizes == (2, 2, 3, 4)  # exact arithmetic: 2, 3, 3, 3
    assert schedules.dream_sizes(128, 128).sizes[0] == 1 and len(schedules.dream_sizes(128, 128).sizes) == 127
    with pytest.raises(InvalidArgument, match="eps=1"):
        schedules.dream(4, 1.0)
    with pytest.raises(InvalidArgument, match="steps"):
        schedules.dream_sizes(4, 0)

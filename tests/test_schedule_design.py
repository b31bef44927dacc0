"""optimal, steps_needed and geometric against brute force over compositions."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import exactmdm as em
from exactmdm.errors import InvalidArgument, InvalidType
from exactmdm.profile import Profile, profile
from exactmdm.schedule_design import FAMILIES, geometric, optimal, optimal_table, steps_needed
from exactmdm.testing import languages

from . import naive_profile


def _kl(prof, sizes):
    return prof.expected_kl(em.schedules.fixed_sizes(sizes))


@settings(deadline=None, max_examples=20)
@given(languages(max_vocab=2, max_states=3), st.integers(1, 8), st.integers(1, 9))
def test_optimal_is_the_brute_force_minimum(lang, length, steps):
    prof = profile(lang, length)
    best = optimal(prof, steps)
    assert best.num_steps <= steps and best.length == length
    assert _kl(prof, best.sizes) == pytest.approx(naive_profile.optimal_kl(prof.h, steps), rel=1e-9, abs=1e-13)


@pytest.mark.parametrize("seed", [0, 1])
def test_optimal_at_length_twelve(seed):
    lang = em.HMM.random(3, 2, seed=seed, concentration=0.3)
    prof = profile(lang, 12, method="montecarlo", num=8, seed=seed)  # any h: the DP minimises the costs it is given
    exact = Profile(prof.h, math.fsum(prof.h), "enumeration", prof.h, prof.h)
    table = optimal_table(exact, 12)
    for steps in (1, 3, 5, 12):
        assert _kl(exact, optimal(exact, steps).sizes) == pytest.approx(naive_profile.optimal_kl(exact.h, steps),
                                                                        rel=1e-9, abs=1e-13)
        assert min(table[1:steps + 1]) == pytest.approx(naive_profile.optimal_kl(exact.h, steps), rel=1e-9, abs=1e-13)


@settings(deadline=None, max_examples=30)
@given(st.lists(st.floats(0.0, 2.0), min_size=1, max_size=9), st.integers(1, 9))
def test_optimal_on_any_costs_monotone_or_not(values, steps):
    h = np.array(values)
    prof = Profile(h, math.fsum(h), "enumeration", h, h)
    best = optimal(prof, steps)
    assert _kl(prof, best.sizes) == pytest.approx(naive_profile.optimal_kl(h, steps), rel=1e-9, abs=1e-12)
    sorted_prof = Profile(np.sort(h)[::-1].copy(), math.fsum(h), "enumeration", h, h)
    assert _kl(sorted_prof, optimal(sorted_prof, steps).sizes) == pytest.approx(
        naive_profile.optimal_kl(sorted_prof.h, steps), rel=1e-9, abs=1e-12)


def test_optimal_at_long_length_beats_balanced_and_matches_the_plain_dp():
    lang = em.NGram.random(3, 2, seed=3, concentration=0.3)
    prof = profile(lang, 300, method="markov")
    best = optimal(prof, 20)
    assert _kl(prof, best.sizes) <= _kl(prof, em.schedules.balanced_sizes(300, 20).sizes) + 1e-12
    assert _kl(prof, best.sizes) == pytest.approx(naive_profile.optimal_dp_python(prof.h, 20), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_steps_needed_is_the_least_sufficient_number(family):
    lang = em.HMM.random(2, 3, seed=5, concentration=0.5)
    prof = profile(lang, 7)
    for eps in (0.3, 0.05, 0.01):
        t = steps_needed(prof, eps, family)
        if family == "optimal":
            kl = lambda n: _kl(prof, optimal(prof, n).sizes)  # noqa: E731
        elif family == "balanced":
            kl = lambda n: _kl(prof, em.schedules.balanced_sizes(7, n).sizes)  # noqa: E731
        elif family == "geometric":
            kl = lambda n: _kl(prof, geometric(7, n, 2.0).sizes)  # noqa: E731
        else:
            kl = lambda n: prof.expected_kl(em.schedules.iid(n, family.split("-")[1]))  # noqa: E731
        assert kl(t) <= eps + 1e-12
        assert t == 1 or kl(t - 1) > eps


def test_steps_needed_orders_the_families():
    prof = profile(em.NGram.random(3, 2, seed=1, concentration=0.3), 64)
    needed = {f: steps_needed(prof, 0.05, f) for f in FAMILIES}
    assert needed["optimal"] <= min(needed.values())


@given(st.integers(1, 60), st.data(), st.floats(0.2, 5.0))
def test_geometric_sizes(length, data, ratio):
    steps = data.draw(st.integers(1, length))
    sizes = geometric(length, steps, ratio).sizes
    assert sum(sizes) == length and len(sizes) == steps and min(sizes) >= 1
    if ratio == 1.0:
        assert max(sizes) - min(sizes) <= 1


def test_geometric_definition_by_hand():
    assert geometric(10, 3, 2.0).sizes == (1, 3, 6)  # c_t = round(10 (2^t - 1) / 7): 1.43, 4.29, 10
    assert geometric(10, 2, 1.0).sizes == (5, 5)
    assert geometric(4096, 2000, 1.5).sizes[-1] > 1000  # no overflow at large T


def test_refusals():
    prof = profile(em.HMM.random(2, 2, seed=1), 4)
    with pytest.raises(InvalidType, match="profile="):
        optimal([0.5, 0.4], 2)
    with pytest.raises(InvalidArgument, match="num_steps"):
        optimal(prof, 0)
    with pytest.raises(InvalidArgument, match="family='fancy'"):
        steps_needed(prof, 0.1, "fancy")
    with pytest.raises(InvalidArgument, match="eps"):
        steps_needed(prof, -1.0)
    with pytest.raises(InvalidArgument, match="max_steps"):
        steps_needed(prof, 1e-12, "iid-linear", max_steps=4)
    mc = profile(em.HMM.random(2, 2, seed=1), 4, method="montecarlo", num=4)
    with pytest.raises(InvalidArgument, match="estimate"):
        steps_needed(mc, 0.1)
    with pytest.raises(InvalidArgument, match="ratio"):
        geometric(10, 3, 0.0)
    with pytest.raises(InvalidArgument, match="num_steps"):
        geometric(3, 4, 2.0)

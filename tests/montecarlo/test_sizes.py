"""Runs too large to finish are refused before any work, with the size and the alternative."""

import numpy as np
import pytest

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, InvalidType
from exactmdm.montecarlo import samplers


def test_ser_refuses_a_huge_num_by_its_work_before_sampling():
    lang = em.languages.counterexample16()
    with pytest.raises(EnumerationTooLarge, match=r"num=1000000000000 .*L=64 .*N=64.*fewer sequences"):
        em.montecarlo.ser(lang, 64, em.schedules.iid(64), num=10**12, seed=0)


def test_the_theorem_checks_default_run_fits_the_work_budget():
    samplers.check_run(em.languages.counterexample16(), 4096, em.schedules.iid(4 * 4096), None, 20000, 0)


def test_sample_refuses_an_output_array_beyond_max_entries():
    lang = em.languages.counterexample16()
    with pytest.raises(EnumerationTooLarge, match=r"\(num, L\) int64 output .*num=10000, L=10000000.*batches"):
        em.montecarlo.sample(lang, 10**7, em.schedules.iid(16), num=10**4, seed=0)
    with pytest.raises(EnumerationTooLarge, match="budget of 100 entries"):
        em.montecarlo.sample(lang, 11, em.schedules.iid(2), num=10, seed=0, max_entries=100)


def test_iid_refuses_more_steps_than_max_steps_before_building_them():
    with pytest.raises(EnumerationTooLarge, match=r"num_steps=1000000000 .*GiB.*fixed_sizes\(\[1\] \* L\)"):
        em.schedules.iid(10**9)
    assert em.schedules.iid(em.schedules.MAX_STEPS // 64).num_steps == em.schedules.MAX_STEPS // 64


def test_batches_of_the_general_path_do_not_change_the_draws(monkeypatch):
    lang = em.HMM.random(2, 3, seed=1, prune=0.2)
    sch = em.schedules.iid(3)
    whole = em.montecarlo.sample(lang, 5, sch, num=37, seed=4)
    monkeypatch.setattr(samplers, "BATCH", 8)
    np.testing.assert_array_equal(em.montecarlo.sample(lang, 5, sch, num=37, seed=4), whole)
    assert em.montecarlo.ser(lang, 5, sch, num=37, seed=4) == em.montecarlo.ser_of_samples(lang, whole)


def test_sampler_check_of_testing_names_sample_fn_for_float_output():
    lang = em.languages.counterexample16()
    with pytest.raises(InvalidType, match=r"^sample_fn returned an array of dtype float64.*must return integer tokens"):
        em.testing.assert_sampler_matches_exact(lambda num, seed: np.full((num, 2), 0.5), lang, 2, em.schedules.iid(2),
                                                num_samples=10)

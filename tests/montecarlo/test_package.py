import pytest

import exactmdm as em
from exactmdm.montecarlo import estimators, kernel_arrays, samplers, statistics, streams


def test_the_package_re_exports_each_name_from_the_module_of_its_concern():
    homes = {"sample": samplers, "choose_positions": samplers, "ser": estimators, "kl_per_token": estimators,
             "ser_of_samples": estimators, "information": estimators, "Estimate": estimators,
             "clopper_pearson": statistics, "regularized_beta": statistics, "binomial_two_sided_pvalue": statistics,
             "uniforms": streams, "schedule_arrays": kernel_arrays}
    assert sorted(em.montecarlo.__all__) == sorted(homes)
    for name, module in homes.items():
        assert getattr(em.montecarlo, name) is getattr(module, name)


@pytest.mark.parametrize("trials", [1, 10, 1000])
def test_clopper_pearson_with_no_successes_has_its_closed_form(trials):
    # P(X = 0) = (1 - p)^n = alpha / 2 at the upper end
    low, high = statistics.clopper_pearson(0, trials, 0.99)
    assert low == 0.0 and high == pytest.approx(1 - 0.005 ** (1 / trials), rel=1e-12)
    assert statistics.normal_quantile(0.95) == pytest.approx(1.959963984540054, rel=1e-12)

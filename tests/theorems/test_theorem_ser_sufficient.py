from exactmdm import montecarlo
from exactmdm.theorems import theorem_ser_sufficient

SMALL = dict(families=["hmm3-V3-p0.2"], seeds=[0], lengths=[2, 3], max_steps=32, long_lengths=[16], c_grid=[0.5, 1.0],
             mc_samples=20)


def test_long_rows_judge_only_the_theorems_setting_by_the_lower_interval_end(monkeypatch):
    def fake(low, judged_low=None):
        def ser(lang, length, schedule, model=None, **kw):
            judged = schedule.kind == "fixed_sizes" and schedule.num_steps == length
            value = judged_low if judged and judged_low is not None else low
            return montecarlo.Estimate(value, value, 1.0, 20, 0.99, "exact interval", "SER", "", "")
        return ser

    assert theorem_ser_sufficient.check(**SMALL).verdict
    # an estimate whose interval reaches the bound cannot refute
    monkeypatch.setattr(montecarlo, "ser", fake(0.0))
    assert theorem_ser_sufficient.check(**SMALL).verdict
    # rows outside the theorem's setting (i.i.d., N < L) are reported, not judged
    monkeypatch.setattr(montecarlo, "ser", fake(0.5, judged_low=0.0))
    assert theorem_ser_sufficient.check(**SMALL).verdict
    # a lower end above 1 - exp(-delta) at N = L with fixed sizes refutes
    monkeypatch.setattr(montecarlo, "ser", fake(0.5))
    result = theorem_ser_sufficient.check(**SMALL)
    assert not result.verdict and "long_L" in result.counterexample

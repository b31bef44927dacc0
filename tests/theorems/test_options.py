"""Options of the checks: recorded once from the validated set, whoever calls; seeds drive what they say;
every refusal happens before any work, with a message that names the flag and, for sizes, the estimate."""

import pytest

import exactmdm.theorems.harness as harness
from exactmdm.check import main
from exactmdm.theorems import prepare, run, theorem_li_cai, theorem_li_cai_lower, theorem_ser_sufficient, theorem_ter

TER_SMALL = dict(families=["ngram2-V2"], lengths=[3], steps=[1, 4], eps=[0.05], long_lengths=[32], long_steps=[64],
                 long_families=["ngram3-V2"], long_model_steps=[4, 16], samples=4, exact_samples=0)


def _path_kl(result):
    return [(r.L, r.N, r.kl_bits_per_token.value) for r in result.table("PathKLRow").rows]


def test_seed_drives_the_long_tables_and_is_recorded():
    """--seed (not the language seeds of --seeds) seeds the long-L Monte Carlo and is what the certificate says."""
    a = theorem_ter.check(seed=0, seeds=[5, 7], **TER_SMALL)
    b = theorem_ter.check(seed=0, seeds=[5, 9], **TER_SMALL)
    c = theorem_ter.check(seed=1, seeds=[5, 7], **TER_SMALL)
    assert a.options["seed"] == 0 and a.to_certificate()["options"]["seed"] == 0
    assert _path_kl(a) == _path_kl(b)  # the long tables use the first language seed and --seed only
    assert _path_kl(a) != _path_kl(c)


def test_li_cai_and_ser_sufficient_seed_their_monte_carlo_with_seed():
    small = dict(families=["ngram2-V2"], length=3, random_schedules=0, long_families=["hmm2-V2"], long_lengths=[8],
                 samples=8)
    rows = [[r.kl for r in theorem_li_cai.check(seed=0, seeds=s, **small).table("LongRow").rows] for s in ([0, 3], [0, 4])]
    assert rows[0] == rows[1]
    assert theorem_li_cai.check(seed=0, seeds=[0, 3], **small).options["seed"] == 0
    small = dict(lengths=[2], max_steps=4, long_lengths=[8], c_grid=[1.0], mc_samples=20)
    ser = [[r.ser_iid for r in theorem_ser_sufficient.check(seed=0, seeds=s, **small).table("LongSerRow").rows]
           for s in ([0, 1], [0, 2])]
    assert ser[0] == ser[1]


def test_a_direct_call_records_every_validated_option():
    result = theorem_li_cai_lower.check(families=["ngram2-V2"], seeds=[0], length=3)
    assert result.options == {"families": ["ngram2-V2"], "seeds": [0], "length": 3, "bound_factor": 1.0}
    assert result.to_certificate()["options"] == result.options


def test_long_tables_follow_families_unless_told_otherwise():
    assert prepare("theorem_ter", families=["ngram2-V3"])["long_families"] == ["ngram2-V3"]
    assert prepare("theorem_ter", families=["ngram2-V3"], long_families=["ngram3-V2"])["long_families"] == ["ngram3-V2"]
    assert prepare("theorem_ter")["long_families"] == theorem_ter.DEFAULTS["long_families"]


def test_a_single_long_step_runs():
    result = run("theorem_ter", **{**TER_SMALL, "long_steps": [64]})
    assert result.verdict and "letter_pair_eps_total_step_ratio" not in result.constants


@pytest.mark.parametrize("argv, words", [
    (["theorem_ser", "--lengths", "1"], "--lengths=1 must be >= 2"),
    (["theorem_ter", "--long-lengths", "1"], "--long-lengths=1 must be >= 2"),
    (["theorem_ter", "--steps", "1", "10000000000"], "operations"),
    (["theorem_ter", "--long-lengths", "100000000"], "operations"),
    (["theorem_ser", "--lengths", "100000000"], "must be <= 65536"),
    (["theorem_ser", "--max-length", "1000000"], "must be <= 4096"),
    (["theorem_ser", "--long-c-grid", "10000000"], "must be <= 64"),
    (["theorem_ser", "--c-grid", "1e300"], "must be <= 1e+06"),
    (["theorem_li_cai", "--long-lengths", "1000000"], "operations"),
    (["theorem_ter", "--steps", "4", "4"], "repeats 4"),
    (["theorem_ter", "--lengths", "40"], "entries"),
])
def test_refused_before_any_work(argv, words, monkeypatch, capsys):
    monkeypatch.setattr(harness, "each_language", lambda *a, **k: pytest.fail("work started before the refusal"))
    assert main(argv + ["--quiet"]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert "max_entries" not in err and "max_work" not in err  # no library keyword offered on the command line

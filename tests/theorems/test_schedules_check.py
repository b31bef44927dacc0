"""The schedules check: holds at small options, refutes planted false claims, round-trips through --verify, draws
its figure from a certificate, and refuses huge sizes before work."""

import numpy as np
import pytest

import exactmdm as em
from exactmdm.errors import EnumerationTooLarge, InvalidArgument
from exactmdm.theorems import run, schedule_theory

SMALL = dict(families=["ngram2-V2", "hmm2-V2"], seeds=[0], length=4, dp_length=7, dp_steps=[2, 3],
             table_families=["ngram2-V2", "sticky3-V3-s0.9-n0", "sticky2-V2-s0.9"], table_lengths=[32, 64],
             steps_lengths=[16, 32, 64], table_steps=[2, 8], kl_targets=[1.0], mc_lengths=[16], mc_samples=8)


@pytest.fixture(scope="module")
def small():
    return run("schedules", **SMALL)


def test_check_holds_at_small_options(small):
    assert small.verdict, small.format()
    assert all(t.rows for t in small.tables)
    assert small.constants["identity_max_relative_gap"].float <= schedule_theory.IDENTITY_TOL
    assert small.constants["dp_max_gap"].float <= schedule_theory.DP_TOL
    kinds = {r.reference for r in small.table("IdentityRow").rows}
    assert kinds == {"ordered partitions", "mixture of partitions", "multinomial mixture", "nearest neighbours"}
    # the sticky chain is where sizes matter: optimal beats balanced
    sticky = [r.ratio for r in small.table("RatioRow").where(language="sticky3-V3-s0.9-n0") if r.ratio]
    assert sticky and max(sticky) > 1.5


def test_a_false_bound_is_refuted():
    result = run("schedules", **SMALL, bound_factor=0.01)
    assert not result.verdict and result.counterexample["part"] == "(d) Li & Cai Theorem 1"
    assert "REFUTED" in result.format()


def test_a_perturbed_identity_is_refuted(monkeypatch):
    real = schedule_theory.expected_partition_kl

    def off(lang, sizes, model=None):
        res = real(lang, sizes, model)
        return type(res)(res.kl_nats * (1 + 1e-6) + 1e-6, res.eps_train_nats, res.num_partitions, res.max_kl_nats)

    monkeypatch.setattr(schedule_theory, "expected_partition_kl", off)
    result = run("schedules", **SMALL)
    assert not result.verdict and result.counterexample["part"] == "(a) the identity"


def test_verify_round_trip_and_figure_from_certificate(tmp_path):
    import json

    from exactmdm.check import main
    from exactmdm.plot import FIGURES

    path = tmp_path / "schedules.json"
    argv = ["schedules", "--families", "ngram2-V2", "--length", "3", "--dp-length", "5", "--dp-steps", "2",
            "--table-families", "sticky2-V2-s0.9-n0", "sticky2-V2-s0.9", "--table-lengths", "16", "32",
            "--steps-lengths", "16", "32", "--table-steps", "2", "4", "--kl-targets", "0.5", "--mc-lengths", "12",
            "--mc-samples", "4", "--json", str(path)]
    assert main(argv) == 0
    assert main(["--verify", str(path)]) == 0
    figure = FIGURES["schedules"](json.loads(path.read_text()), tmp_path / "schedules.png")
    assert figure.stat().st_size > 0


def test_sticky_family_parses_and_is_a_valid_hmm():
    assert em.languages.parse_family("sticky4-V4-s0.95") == ("sticky", 4, 4, 0.95)
    assert em.languages.parse_sticky("sticky3-V5-s0.9-n0.2") == (3, 5, 0.9, 0.2)
    lang = em.languages.make_language("sticky3-V5-s0.9-n0.2", 1)
    assert isinstance(lang, em.HMM) and lang.token_chain() is None
    np.testing.assert_allclose(np.diag(lang.transition), 0.9 + 0.1 / 3)
    np.testing.assert_allclose(lang.emission.sum(axis=1), 1.0)
    chain = em.languages.make_language("sticky3-V3-s0.9-n0", 0)
    assert chain.token_chain() is not None
    for bad in ["sticky4-V4", "sticky0-V4-s0.9", "sticky4-V4-s1.5", "sticky4-V4-s0.9-n2"]:
        with pytest.raises(InvalidArgument, match="--table-families"):
            em.languages.make_language(bad, 0, flag="--table-families")


@pytest.mark.parametrize("options, error", [
    (dict(table_lengths=[10 ** 7]), EnumerationTooLarge),
    (dict(dp_length=60), EnumerationTooLarge),
    (dict(mc_lengths=[10 ** 6]), EnumerationTooLarge),
    (dict(length=20), InvalidArgument),
    (dict(table_families=["sticky4"]), InvalidArgument),
])
def test_huge_or_bad_sizes_are_refused_before_work(options, error, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("work started")

    monkeypatch.setattr(schedule_theory, "profile", no_work)
    with pytest.raises(error):
        run("schedules", **options)

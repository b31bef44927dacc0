"""Sweeps: resumable without loss or recomputation, robust to a killed worker, validated configuration."""

import os
import sys

import pytest

pytest.importorskip("dask.distributed")
from exactmdm import sweep  # noqa: E402

CONFIG = """
[sweep]
store = "out.jsonl"
num = 200

[grid]
languages = ["ngram2-V2"]
language_seeds = [0]
lengths = [3, 40]
steps = [2, 3]
schedules = ["iid:linear", "fixed:balanced"]
models = ["oracle", "uniform:0.05"]
seeds = [0]
"""


def _config(tmp_path, name="sweep.toml", text=CONFIG):
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / name
    path.write_text(text)
    return sweep.load_config(path)


def _results(config):
    out = {}
    for record in sweep.read_store(config.store):
        result = dict(record["result"])
        result.pop("seconds")
        out[record["key"]] = result
    return out


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        with Client(cluster) as c:
            yield c


def test_interrupted_and_resumed_equals_uninterrupted(tmp_path, client):
    straight = _config(tmp_path / "a")
    report = sweep.run_sweep(straight, client=client, progress=False)
    assert report.computed == report.total == 16 and not report.failed
    resumed = _config(tmp_path / "b")

    seen = []

    def stop_after_five(record):
        seen.append(record)
        if len(seen) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run_sweep(resumed, client=client, progress=False, on_result=stop_after_five)
    assert len(sweep.read_store(resumed.store)) == 5
    with open(resumed.store, "a") as handle:  # a crash in the middle of a write
        handle.write('{"key": "abc", "cell": {"lang')
    report = sweep.run_sweep(resumed, client=client, progress=False)
    assert report.skipped == 5 and report.computed == 11
    assert _results(resumed) == _results(straight)
    assert len(sweep.read_store(resumed.store)) == 16
    again = sweep.run_sweep(resumed, client=client, progress=False)
    assert again.computed == 0 and again.skipped == 16


def _dies_once(cell):
    marker = os.path.join(os.environ["EXACTMDM_SWEEP_TEST_DIR"], "died")
    if cell["length"] == 40 and cell["steps"] == 3 and cell["model"] == "oracle" and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)  # the worker process dies mid-cell
    return sweep.compute_cell(cell)


@pytest.mark.slow
def test_a_killed_worker_loses_only_its_cell_which_is_retried(tmp_path, monkeypatch):
    import cloudpickle
    from dask.distributed import Client, LocalCluster

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setenv("EXACTMDM_SWEEP_TEST_DIR", str(tmp_path))
    config = _config(tmp_path)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with Client(cluster) as c:
            report = sweep.run_sweep(config, client=c, progress=False, compute=_dies_once)
    assert (tmp_path / "died").exists()
    assert not report.failed and report.computed == 16
    assert len({r["key"] for r in sweep.read_store(config.store)}) == 16


@pytest.mark.parametrize("text, message", [
    ("[grid]\nlanguages = []", "languages must be a non-empty list"),
    (CONFIG.replace('"oracle"', '"perfect"'), "model 'perfect'"),
    (CONFIG.replace('"iid:linear"', '"adaptive"'), "schedule 'adaptive'"),
    (CONFIG.replace("num = 200", "num = 1"), "num=1"),
    (CONFIG + "\nfoo = [1]", "unknown keys"),
    ("not toml = = 1", "not valid TOML"),
])
def test_bad_configs_are_clear_errors(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        _config(tmp_path, text=text)


def test_cli(tmp_path, capsys):
    path = tmp_path / "small.toml"
    path.write_text(CONFIG.replace("lengths = [3, 40]", "lengths = [3]").replace('"uniform:0.05"', "").replace(
        '"oracle", ', '"oracle"'))
    assert sweep.main([str(path), "--workers", "1", "--quiet"]) == 0
    assert "4 computed" in capsys.readouterr().out
    assert sweep.main([str(path), "--workers", "1", "--quiet"]) == 0
    assert "4 already in" in capsys.readouterr().out
    assert sweep.main([str(tmp_path / "missing.toml")]) == 2
    assert sweep.main([str(path), "--workers", "0"]) == 2

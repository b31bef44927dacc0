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


@pytest.mark.parametrize("text, message", [
    (CONFIG.replace('store = "out.jsonl"', 'stroe = "out.jsonl"'), r"\[sweep\] has unknown keys \['stroe'\]; the keys are store"),
    (CONFIG.replace("steps = [2, 3]", "steps = [2, 2]"), r"\[grid\] steps=\[2, 2\] repeats 2"),
    (CONFIG.replace('"oracle", "uniform:0.05"', '"oracle", "oracle"'), "repeats 'oracle'"),
    (CONFIG.replace("steps = [2, 3]", "steps = [100000000]"), r"L=3, N=100000000 .*needs about .* hours"),
    (CONFIG.replace("num = 200", "num = 200\nmax_work = 0"), "max_work=0 must be a positive"),
    (CONFIG.replace("lengths = [3, 40]", "lengths = [0]"), r"\[grid\] lengths: 0 must be a positive integer"),
])
def test_misuse_is_refused_before_any_work(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        _config(tmp_path, text=text)


def test_max_work_is_the_budget_of_a_cell(tmp_path):
    text = CONFIG.replace("steps = [2, 3]", "steps = [1000]").replace('"iid:linear", "fixed:balanced"', '"iid:linear"')
    assert _config(tmp_path, text=text).max_work == 3e10  # 200 x 40 x 1000 operations
    with pytest.raises(ValueError, match=r"L=40, N=1000 .*more than max_work=1e\+06"):
        _config(tmp_path, text=text.replace("num = 200", "num = 200\nmax_work = 1e6"))


def test_only_a_size_refusal_falls_back_to_monte_carlo(tmp_path, monkeypatch):
    from exactmdm import exact
    from exactmdm.errors import EnumerationTooLarge, ImpossibleEvidence

    cell = sweep.cells(_config(tmp_path))[0]
    cell["metrics"] = ["ser"]

    def too_large(*args, **kwargs):
        raise EnumerationTooLarge("too large")

    monkeypatch.setattr(exact, "ser", too_large)
    assert sweep.compute_cell(cell)["ser"]["method"] == "monte carlo"

    def bad_input(*args, **kwargs):
        raise ImpossibleEvidence("bad input")

    monkeypatch.setattr(exact, "ser", bad_input)
    with pytest.raises(ImpossibleEvidence):
        sweep.compute_cell(cell)


def test_cli_refuses_an_unwritable_store_before_computing(tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "a-file"  # a folder that is a file: unwritable even for root
    blocker.write_text("")
    path = tmp_path / "s.toml"
    path.write_text(CONFIG)
    called = []
    monkeypatch.setattr(sweep, "run_sweep", lambda *a, **k: called.append(1))
    assert sweep.main([str(path), "--store", str(blocker / "out.jsonl"), "--quiet"]) == 2
    assert "--store" in capsys.readouterr().err and not called
    path.write_text(CONFIG.replace('"out.jsonl"', '"a-file/out.jsonl"'))
    assert sweep.main([str(path), "--quiet"]) == 2
    assert "[sweep] store" in capsys.readouterr().err and not called


def test_library_refuses_an_unwritable_store_before_computing(tmp_path):
    (tmp_path / "a-file").write_text("")
    config = _config(tmp_path, text=CONFIG.replace('"out.jsonl"', '"a-file/out.jsonl"'))
    with pytest.raises(ValueError, match="store .*a-file/out.jsonl.* cannot be written"):
        sweep.run_sweep(config, client=object(), progress=False)


def test_cli_refuses_an_unreachable_scheduler_quickly(tmp_path, capsys):
    import socket
    import time

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    path = tmp_path / "s.toml"
    path.write_text(CONFIG)
    start = time.monotonic()
    assert sweep.main([str(path), "--scheduler", f"tcp://127.0.0.1:{port}", "--quiet"]) == 2
    assert time.monotonic() - start < 30
    err = capsys.readouterr().err
    assert "no Dask scheduler answered" in err and str(port) in err
    assert sweep.main([str(path), "--scheduler", "nonsense", "--quiet"]) == 2

"""Misuse of ``python -m exactmdm.neural``: refused with exit 2 and a message naming the flag, before any work."""

import pytest

torch = pytest.importorskip("torch")
from exactmdm import neural  # noqa: E402
from exactmdm.neural import evaluation, timing, training  # noqa: E402
from exactmdm.neural.__main__ import main  # noqa: E402

TRAIN = ["train", "--language", "hmm2-V3", "--length", "6", "--preset", "tiny", "--steps", "2", "--quiet", "--device", "cpu"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    assert main(TRAIN + ["--out", str(out)]) == 0
    return out


@pytest.fixture
def no_work(monkeypatch):
    """Fails the test if the long work starts."""
    def refuse(*args, **kwargs):
        raise AssertionError("the work started before the refusal")

    for module, name in ((training, "train"), (evaluation, "evaluate"), (timing, "compare")):
        monkeypatch.setattr(module, name, refuse)


@pytest.fixture
def blocker(tmp_path):
    """A file used as a folder: unwritable for every user, root included."""
    path = tmp_path / "a-file"
    path.write_text("")
    return path


def test_train_help_lists_the_families(capsys):
    assert main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    assert "ngram{n}-V{V}[-p{prune}]" in out and "hmm{H}-V{V}[-p{prune}]" in out and "counterexample16" in out
    assert "see above" not in out


def test_a_bad_language_names_the_flag_in_the_cli_and_the_keyword_in_the_library(capsys, no_work):
    assert main(["train", "--language", "bogus", "--length", "6", "--steps", "2", "--out", "x"]) == 2
    err = capsys.readouterr().err
    assert "--language 'bogus'" in err and "counterexample16" in err and "--families" not in err
    with pytest.raises(ValueError, match=r"language='bogus' is not a language family; .*counterexample16"):
        neural.TrainConfig(language="bogus")


def test_train_refuses_an_unwritable_out_before_training(blocker, capsys, no_work):
    assert main(TRAIN + ["--out", str(blocker / "run")]) == 2
    assert "--out" in capsys.readouterr().err


def test_train_refuses_a_length_beyond_the_memory_with_an_estimate(tmp_path, capsys):
    assert main(["train", "--language", "hmm2-V3", "--length", "10000000", "--steps", "2", "--out", str(tmp_path),
                 "--device", "cpu", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "training at L=10000000 with batch size 32" in err and "needs about 3.2 TiB" in err and "Lower the length" in err
    assert not (tmp_path / "checkpoint.pt").exists()


def test_a_changed_configuration_names_what_the_user_can_type(run, capsys):
    config = neural.TrainConfig(language="hmm2-V3", length=6, preset="tiny", steps=3)
    with pytest.raises(ValueError, match="pass resume=False"):
        neural.train(config, run, device="cpu", progress=False)
    assert main([("3" if a == "2" else a) for a in TRAIN] + ["--out", str(run)]) == 2  # --steps 3
    err = capsys.readouterr().err
    assert "--no-resume" in err and "resume=False" not in err


def test_evaluate_refuses_bad_outputs_before_the_evaluation(run, blocker, tmp_path, capsys, no_work):
    pytest.importorskip("matplotlib")
    assert main(["evaluate", str(run), "--json", str(blocker / "e.json")]) == 2
    assert "--json" in capsys.readouterr().err
    assert main(["evaluate", str(run), "--json", str(tmp_path / "e.json"), "--plot", "e.txt"]) == 2
    assert "--plot: plot path 'e.txt' must end in .png, .svg or .pdf" in capsys.readouterr().err
    with pytest.raises(ValueError, match="must end in .png"):
        evaluation.plot(evaluation.Evaluation({}, {}), tmp_path / "e.txt")


def test_evaluate_refuses_a_length_beyond_the_memory_with_an_estimate(run, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(evaluation, "forward_learning_error", None)  # fails if the work starts
    assert main(["evaluate", str(run), "--json", str(tmp_path / "e.json"), "--lengths", "1000000", "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert "evaluating at L=1000000 with num=400" in err and "GiB, more than" in err and "Lower the lengths" in err


def test_timing_refuses_an_unwritable_json_before_timing(run, blocker, capsys, no_work):
    assert main(["timing", str(run), str(run), "--json", str(blocker / "t.json")]) == 2
    assert "--json" in capsys.readouterr().err
    assert main(["timing", str(run), str(run), "--quiet"]) == 2  # timing has no --quiet

import json

import numpy as np
import pytest

import exactmdm as em
from exactmdm.metrics import sampled_eps_learning

torch = pytest.importorskip("torch")
from exactmdm import neural  # noqa: E402
from exactmdm.neural.__main__ import main  # noqa: E402

TINY = dict(language="ngram2-V4", length=12, preset="tiny", batch_size=16, lr=3e-3, warmup=10)


def _weights(net):
    return {k: v.clone() for k, v in net.state_dict().items()}


def test_short_training_lowers_the_measured_learning_error(tmp_path):
    config = neural.TrainConfig(steps=150, checkpoint_every=50, **TINY)
    lang = config.make_language()
    torch.manual_seed(config.seed)
    before = neural.build_network("mdm", lang.vocab_size, "tiny")
    result = neural.train(config, tmp_path, device="cpu", progress=False)
    eps = lambda net: sampled_eps_learning(lang, neural.as_reverse_model(net, lang), 12, samples=300, seed=5)  # noqa: E731
    e0, e1 = eps(before), eps(result.network)
    assert e1.mean_nats < 0.5 * e0.mean_nats, (e0, e1)
    assert np.mean(result.losses[-20:]) < np.mean(result.losses[:20])
    summary = json.loads((tmp_path / "train.json").read_text())
    assert summary["step"] == 150 and summary["config"]["language"] == "ngram2-V4"


@pytest.mark.parametrize("loss", ["elbo", "fixed-count"])
def test_interrupted_then_resumed_equals_uninterrupted(tmp_path, loss):
    config = neural.TrainConfig(steps=8, checkpoint_every=3, loss=loss, **TINY)
    straight = neural.train(config, tmp_path / "a", device="cpu", progress=False)

    def interrupt(step, _loss):
        if step == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        neural.train(config, tmp_path / "b", device="cpu", progress=False, callback=interrupt)
    _, _, payload = neural.load_checkpoint(tmp_path / "b")
    assert payload["step"] == 5  # checkpointed on the interrupt, between periodic checkpoints
    resumed = neural.train(config, tmp_path / "b", device="cpu", progress=False)
    assert resumed.step == 8 and resumed.losses == straight.losses
    for key, value in _weights(straight.network).items():
        torch.testing.assert_close(resumed.network.state_dict()[key], value, rtol=0, atol=0)
    net, cfg, _ = neural.load_checkpoint(tmp_path / "b" / "checkpoint.pt")
    assert cfg == config
    xt = np.array([[0, -1, 2, -1, -1, 1, 0, -1, -1, -1, 3, -1]])
    torch.testing.assert_close(net(xt), straight.network(xt))


def test_bad_checkpoints_and_config_changes_are_clear_errors(tmp_path):
    config = neural.TrainConfig(steps=2, **TINY)
    neural.train(config, tmp_path, device="cpu", progress=False)
    with pytest.raises(ValueError, match="another configuration .*fields steps"):
        neural.train(neural.TrainConfig(steps=3, **TINY), tmp_path, device="cpu", progress=False)
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="corrupted or truncated"):
        neural.load_checkpoint(tmp_path)
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="not an exactmdm.neural checkpoint"):
        neural.load_checkpoint(path)
    with pytest.raises(ValueError, match="does not exist"):
        neural.load_checkpoint(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="loss"):
        neural.TrainConfig(loss="mse")
    with pytest.raises(ValueError, match="ngram"):
        neural.TrainConfig(language="trigram")


def test_cli_trains_evaluates_and_reports_exit_codes(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--language", "hmm2-V3", "--length", "6", "--preset", "tiny", "--steps", "20",
                 "--out", str(run), "--quiet", "--device", "cpu"]) == 0
    record = tmp_path / "eval.json"
    assert main(["evaluate", str(run), "--lengths", "3", "8", "--steps", "2", "--num", "40", "--kl-samples", "8",
                 "--eps-samples", "40", "--exact-max-length", "3", "--json", str(record), "--quiet",
                 "--device", "cpu"]) == 0
    data = json.loads(record.read_text())
    assert {r["method"] for r in data["rows"]} == {"exact", "sampled"} and "torch" in data["versions"]
    exact_rows = [r for r in data["rows"] if r["method"] == "exact"]
    lang = em.HMM.random(2, 3, 0, 1.0, 0.1)
    for row in exact_rows:  # the exact oracle column is the exact engine's, independent of the network
        schedule = em.schedules.iid(row["steps"]) if row["schedule"] == "iid-linear" else em.schedules.fixed_sizes([1] * 3)
        assert row["ser_oracle"]["value"] == pytest.approx(em.exact.ser(lang, 3, schedule), abs=1e-12)
    assert main(["evaluate", str(tmp_path / "missing"), "--json", str(record)]) == 2
    assert main(["train", "--language", "hmm2-V3", "--length", "0", "--steps", "2", "--out", str(run)]) == 2
    assert main(["frobnicate"]) == 2
    assert main(["--help"]) == 0
    (run / "checkpoint.pt").write_bytes(b"not a checkpoint")
    assert main(["evaluate", str(run), "--json", str(record)]) == 2
    assert "corrupted" in capsys.readouterr().err

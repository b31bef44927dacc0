import proofs_check.steps as steps
from proofs_check.__main__ import main


def test_every_step_is_proved(capsys):
    assert main() == 0
    out = capsys.readouterr().out
    assert out.count("PROVED") == len(steps.STEPS) and "0 failed" in out and "passed" in out


def test_a_failing_step_exits_non_zero(monkeypatch, capsys):
    def broken():
        """A false step."""
        assert 1 == 2, "1 != 2"

    monkeypatch.setattr("proofs_check.__main__.STEPS", [broken])
    assert main() == 1
    assert "FAILED" in capsys.readouterr().out

import json

import pytest


from exactmdm.check import main

SER_SMALL = ["--max-length", "16", "--lengths", "2", "8", "--c-grid", "1", "--mc-samples", "200", "--quiet"]


def test_list_and_usage_errors(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "theorem_ser " in out and "theorem_li_cai_lower" in out
    assert main([]) == 2
    assert main(["no_such_check"]) == 2
    assert main(["theorem_ser", "--steps", "4"]) == 2  # an option the check does not take
    assert main(["theorem_ser", "--max-length", "many"]) == 2


def test_certificate_round_trip(tmp_path, capsys):
    cert = tmp_path / "ser.json"
    assert main(["theorem_ser", *SER_SMALL, "--json", str(cert)]) == 0
    data = json.loads(cert.read_text())
    assert data["schema_version"] == 1 and data["verdict"] == "holds"
    assert data["results"]["constants"]["C*_oracle_iid_uniform"]["exact"] == "1"
    assert set(data["versions"]) >= {"exactmdm", "numpy", "numba", "sympy"}
    assert data["input_hash"].startswith("sha256:")
    assert main(["--verify", str(cert), "--quiet"]) == 0
    assert "reproduced" in capsys.readouterr().out
    data["results"]["constants"]["C*_oracle_iid_uniform"]["exact"] = "2"
    cert.write_text(json.dumps(data))
    assert main(["--verify", str(cert), "--quiet"]) == 1
    assert "NOT reproduced" in capsys.readouterr().out


def test_refuted_claim_exits_one(capsys):
    assert main(["theorem_ser", *SER_SMALL, "--claim-c", "1.5"]) == 1
    out = capsys.readouterr().out
    assert "REFUTED" in out and "counterexample" in out


def test_verify_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["--verify", str(bad)]) == 2
    bad.write_text(json.dumps({"check": "nope"}))
    assert main(["--verify", str(bad)]) == 2


def test_progress_goes_to_stderr(capsys):
    assert main(["theorem_li_cai_lower", "--families", "ngram2-V2", "--seeds", "0", "--length", "3"]) == 0
    captured = capsys.readouterr()
    assert "[theorem_li_cai_lower" in captured.err and "verdict: HOLDS" in captured.out


@pytest.mark.slow
def test_main_job_runs_every_check_on_embedded_defaults(tmp_path, capsys):
    """The README's main job: every check on its embedded defaults holds and writes its certificate."""
    from exactmdm.theorems import CHECKS

    assert main(["all", "--quiet", "--json", str(tmp_path)]) == 0
    assert "every check holds" in capsys.readouterr().out
    assert {p.stem for p in tmp_path.glob("*.json")} == set(CHECKS)

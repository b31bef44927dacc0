import json

import pytest


from exactmdm.check import main

# The long random-language table is cut to one cheap cell: these tests are about the CLI contract.
SER_SMALL = ["--max-length", "16", "--lengths", "2", "8", "--c-grid", "1", "--mc-samples", "200", "--long-lengths", "16",
             "--long-c-grid", "1", "--samples", "50", "--search-candidates", "20", "--quiet"]


def test_list_and_usage_errors(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "theorem_ser " in out and "theorem_li_cai_lower" in out
    assert main([]) == 2
    assert main(["no_such_check"]) == 2
    assert main(["theorem_ser", "--steps", "4"]) == 2  # an option the check does not take
    assert main(["theorem_ser", "--max-length", "1"]) == 2
    assert main(["theorem_ser", "--max-length", "many"]) == 2


def test_certificate_round_trip(tmp_path, capsys):
    cert = tmp_path / "ser.json"
    assert main(["theorem_ser", *SER_SMALL, "--json", str(cert)]) == 0
    data = json.loads(cert.read_text())
    assert data["schema_version"] == 3 and data["verdict"] == "holds"
    assert data["results"]["constants"]["C*_oracle_iid_uniform"]["exact"] == "1"
    assert set(data["versions"]) >= {"exactmdm", "numpy", "numba", "sympy"}
    assert data["input_hash"].startswith("sha256:")
    assert main(["--verify", str(cert), "--quiet"]) == 0
    assert "reproduced" in capsys.readouterr().out
    data["results"]["constants"]["C*_oracle_iid_uniform"]["exact"] = "2"
    cert.write_text(json.dumps(data))
    assert main(["--verify", str(cert), "--quiet"]) == 1
    assert "NOT reproduced" in capsys.readouterr().out


EDITS = {
    "statement": lambda d: d.__setitem__("statement", d["statement"] + " (edited)"),
    "paper": lambda d: d.__setitem__("paper", d["paper"].replace("v2", "v1")),
    "readings": lambda d: d["readings"].append("another reading"),
    "options": lambda d: d["options"].__setitem__("seed", 99),
    "versions": lambda d: d["versions"].__setitem__("numpy", "0.0"),
    "float": lambda d: d["results"]["constants"]["C_inf_oracle_iid_uniform"].__setitem__("float", 1.08),
    "method": lambda d: d.__setitem__("method", "guessed"),
}


@pytest.fixture(scope="module")
def small_certificate(tmp_path_factory):
    cert = tmp_path_factory.mktemp("cert") / "ser.json"
    assert main(["theorem_ser", *SER_SMALL, "--json", str(cert)]) == 0
    return json.loads(cert.read_text())


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_verify_fails_on_any_edit(edit, small_certificate, tmp_path, capsys):
    data = json.loads(json.dumps(small_certificate))
    EDITS[edit](data)
    cert = tmp_path / "edited.json"
    cert.write_text(json.dumps(data))
    assert main(["--verify", str(cert), "--quiet"]) == 1
    assert "NOT reproduced" in capsys.readouterr().out


def test_verify_compares_the_records_of_a_rerun(small_certificate, tmp_path, capsys):
    """A forged file whose hash was recomputed after editing a record is caught by re-running the check."""
    from exactmdm.theorems.result import certificate_hash

    data = json.loads(json.dumps(small_certificate))
    table = next(t for t in data["results"]["tables"] if t["kind"] == "LongRow")
    table["rows"][0][table["fields"].index("ser_iid")] *= 1.01
    data["certificate_hash"] = certificate_hash(data)
    cert = tmp_path / "forged.json"
    cert.write_text(json.dumps(data))
    assert main(["--verify", str(cert), "--quiet"]) == 1
    assert "(LongRow) record 0.ser_iid" in capsys.readouterr().out  # the difference names the record and field


def test_verify_of_an_edited_file_does_not_rerun(small_certificate, tmp_path, monkeypatch, capsys):
    import exactmdm.check as cli

    data = json.loads(json.dumps(small_certificate))
    data["method"] = "guessed"
    cert = tmp_path / "edited.json"
    cert.write_text(json.dumps(data))
    monkeypatch.setattr(cli, "run", lambda *a, **k: pytest.fail("re-ran a certificate whose hash already differs"))
    assert main(["--verify", str(cert), "--quiet"]) == 1
    assert "nothing was re-run" in capsys.readouterr().out


def test_verify_refuses_options_and_a_mismatched_check(small_certificate, tmp_path, capsys):
    cert = tmp_path / "ser.json"
    cert.write_text(json.dumps(small_certificate))
    assert main(["--verify", str(cert), "--max-length", "5"]) == 2
    assert "drop --max-length" in capsys.readouterr().err
    assert main(["theorem_ter", "--verify", str(cert)]) == 2
    assert "certificate of 'theorem_ser'" in capsys.readouterr().err


def test_certificate_records_the_arxiv_version(small_certificate):
    assert "arXiv 2502.09622v2" in small_certificate["paper"]
    assert small_certificate["certificate_hash"].startswith("sha256:")


@pytest.mark.parametrize("argv", [
    ["theorem_ser", "--mc-samples", "0"],
    ["theorem_ter", "--eps", "-1"],
    ["theorem_ter", "--eps", "nan"],
    ["theorem_ter", "--families", "gram2"],
    ["theorem_li_cai", "--length", "12"],
    ["assumption_eps_learning", "--kinds", "sideways"],
])
def test_bad_options_exit_two_before_any_work(argv, capsys):
    assert main(argv + ["--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --") and "Traceback" not in err


def test_bad_certificates_and_paths_exit_two(tmp_path, small_certificate, capsys):
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]")
    assert main(["--verify", str(listing)]) == 2
    unknown = json.loads(json.dumps(small_certificate))
    unknown["options"]["frobnicate"] = 1
    path = tmp_path / "unknown.json"
    path.write_text(json.dumps(unknown))
    assert main(["--verify", str(path)]) == 2
    assert "--frobnicate" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["theorem_li_cai_lower", "--length", "3", "--json", str(blocker / "x.json")]) == 2


def test_internal_error_exits_three(monkeypatch, capsys):
    from exactmdm.theorems import CHECKS

    def broken(**_):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(CHECKS["theorem_li_cai_lower"], "check", broken)
    assert main(["theorem_li_cai_lower", "--quiet"]) == 3
    assert "internal error" in capsys.readouterr().err


def test_check_help_lists_its_options_with_defaults(capsys):
    assert main(["theorem_ser", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--max-length" in out and "(default: 512)" in out and "--families" not in out


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

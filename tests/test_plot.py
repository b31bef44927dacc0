"""Figures: each function writes a readable image; --plot on a check draws it; bad paths are refused."""

import json

import pytest

import exactmdm as em

pytest.importorskip("matplotlib")
from exactmdm import plot  # noqa: E402
from exactmdm.check import main  # noqa: E402


def _is_png(path):
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 2000


def test_figures_are_written(tmp_path):
    assert _is_png(plot.ser_transition([16, 64], tmp_path / "ser.png", c_star=0.5))
    assert _is_png(plot.eps_total_against_steps([64, 128], [8, 32], [[5.0, 1.0], [6.0, 1.5]], tmp_path / "ter.png"))
    rows = [{"language": "a", "L": 64, "T": t, "kl": 1.0 / t, "low": 0.8 / t, "high": 1.2 / t, "bound": 2.0 / t}
            for t in (4, 16)]
    assert _is_png(plot.li_cai_against_bound(rows, tmp_path / "li.png"))
    lang = em.languages.counterexample16()
    assert _is_png(plot.posterior_heatmap(lang, [5, em.MASK, em.MASK, 10], tmp_path / "post.png"))
    with pytest.raises(ValueError, match="must end in"):
        plot.ser_transition([16], tmp_path / "ser.txt")


def test_check_plot_option(tmp_path, capsys):
    figure = tmp_path / "li.png"
    args = ["theorem_li_cai", "--families", "ngram2-V2", "--seeds", "0", "--length", "3", "--random-schedules", "0",
            "--long-lengths", "32", "--samples", "8", "--quiet", "--plot", str(figure)]
    assert main(args) == 0
    assert _is_png(figure)
    assert main(["theorem_li_cai", "--plot", str(tmp_path / "li.txt")]) == 2
    assert "--plot" in capsys.readouterr().err


def test_figures_are_drawn_from_the_records_and_from_the_certificate(tmp_path, monkeypatch):
    from exactmdm.theorems import run

    result = run("theorem_ser", max_length=32, lengths=[16, 32], c_grid=[0.5, 1.0], mc_samples=50,
                 long_lengths=[16], long_c_grid=[1.0], samples=50, search_candidates=20)
    drawn = {}
    monkeypatch.setattr(plot, "ser_transition", lambda lengths, path, c_star: drawn.setdefault(str(path), (lengths, c_star)))
    plot.FIGURES["theorem_ser"](result, tmp_path / "a.png")
    plot.FIGURES["theorem_ser"](json.loads(json.dumps(result.to_certificate())), tmp_path / "b.png")
    # the lengths of the exact table and the certified C*, the same from the result and from its certificate
    assert drawn[str(tmp_path / "a.png")] == drawn[str(tmp_path / "b.png")] == ([16, 32], 1.0)


def test_ter_figure_values_are_the_records(tmp_path, monkeypatch):
    from exactmdm.theorems import theorem_ter

    rows = [theorem_ter.LetterPairRow(L, N, 100.0 / (L + N)) for L in (256, 512) for N in (64, 128, 256)]
    from exactmdm.theorems.records import CheckResult, Table

    result = CheckResult("theorem_ter", "", "", "", [], "", [Table("t", theorem_ter.LetterPairRow, rows)], {}, True)
    seen = {}
    monkeypatch.setattr(plot, "eps_total_against_steps", lambda *a, **k: seen.setdefault("args", a))
    plot.FIGURES["theorem_ter"](result, tmp_path / "t.png")
    lengths, steps, values, _ = seen["args"]
    assert lengths == [256, 512] and steps == [64, 128, 256]
    assert values == [[100.0 / (L + N) for N in steps] for L in lengths]  # full precision: no printed text parsed


def test_plot_refuses_a_check_without_a_figure_before_work(tmp_path, capsys):
    assert main(["theorem_li_cai_lower", "--plot", str(tmp_path / "x.png")]) == 2
    assert "no figure" in capsys.readouterr().err

"""Figures (matplotlib, the ``[plot]`` extra): the SER transition of the letter-pair chain, eps_total against N,
Li & Cai's KL against the bound, and a posterior heatmap. Each function draws one figure to ``path``
(PNG, SVG or PDF by the suffix) and returns the path; ``python -m exactmdm.check NAME --plot PATH`` calls
the check's figure on its result.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .errors import InvalidArgument

__all__ = ["require_matplotlib", "check_path", "ser_transition", "eps_total_against_steps", "li_cai_against_bound",
           "posterior_heatmap", "FIGURES"]


def require_matplotlib():
    """``matplotlib.pyplot`` with the non-interactive Agg backend, or an ImportError saying what to install."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError('figures need matplotlib: pip install "exactmdm[plot]"') from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


FORMATS = (".png", ".svg", ".pdf")


def check_path(path) -> Path:
    """``path`` as a Path, refused unless it ends in a figure format matplotlib writes here."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise InvalidArgument(f"plot path {str(path)!r} must end in .png, .svg or .pdf.")
    return path


def _save(fig, path) -> Path:
    path = check_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    require_matplotlib().close(fig)
    return path


def ser_transition(lengths, path, *, c_star: float | None = None, max_ratio: float = 3.0) -> Path:
    """SER of the oracle on the letter-pair chain (exact closed form 1 - (1 - 3/(4N))^(L-1)) against N/L for
    each L, with the threshold 1/2 and the constant C* (SER >= 1/2 for every N < C* L)."""
    from .exact.letter_pair import log_correct_uniform

    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    for L in lengths:
        ns = np.unique(np.geomspace(max(1, L // 20), max_ratio * L, 80).astype(int))
        ax.plot(ns / L, [-math.expm1(log_correct_uniform(L, int(n))) for n in ns], label=f"L = {L}")
    ax.axhline(0.5, color="grey", lw=0.8, ls="--", label="SER = 1/2")
    if c_star is not None:
        ax.axvline(c_star, color="black", lw=0.8, ls=":", label=f"C* = {c_star:.4f}")
    ax.set(xscale="log", xlabel="N / L", ylabel="SER (exact)", ylim=(0, 1),
           title="letter-pair chain, oracle, i.i.d. linear schedule")
    ax.legend(fontsize=8)
    return _save(fig, path)


def eps_total_against_steps(lengths, steps, eps_total_percent, path, *, title: str = "") -> Path:
    """eps_total = TER(p)/TER(q) - 1 [%] against N, one line per L (``eps_total_percent[i][j]`` at lengths[i], steps[j])."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    for L, row in zip(lengths, eps_total_percent):
        ax.plot(steps, row, "o-", label=f"L = {L}")
    ax.set(xscale="log", yscale="log", xlabel="steps N", ylabel="eps_total [%]", title=title or "eps_total against N")
    ax.legend(fontsize=8)
    return _save(fig, path)


def li_cai_against_bound(rows, path) -> Path:
    """E_M KL with its interval against the Theorem 1 bound, against T; ``rows``: dicts with keys language, L,
    T, kl, low, high, bound (nats)."""
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    for key in sorted({(r["language"], r["L"]) for r in rows}):
        group = sorted((r for r in rows if (r["language"], r["L"]) == key), key=lambda r: r["T"])
        ts = [r["T"] for r in group]
        line = ax.errorbar(ts, [r["kl"] for r in group], yerr=[[r["kl"] - r["low"] for r in group],
                                                               [r["high"] - r["kl"] for r in group]],
                           fmt="o-", capsize=3, label=f"{key[0]}, L = {key[1]}: E_M KL")
        ax.plot(ts, [r["bound"] for r in group], "--", color=line[0].get_color(), label="Theorem 1 bound")
    ax.set(xscale="log", yscale="log", xlabel="steps T (balanced sizes)", ylabel="nats",
           title="Li & Cai: E_M KL(q || p_M) against the bound")
    ax.legend(fontsize=7)
    return _save(fig, path)


def posterior_heatmap(lang, xt, path) -> Path:
    """The true reverse posterior q(x0^i = v | x_t) of one partially masked sequence as a (V x L) heatmap."""
    from .inference import posterior
    from .validation import MASK

    xt = np.asarray(xt)
    probs = posterior(lang, xt)
    plt = require_matplotlib()
    fig, ax = plt.subplots(figsize=(max(4, 0.4 * len(xt) + 2), max(3, 0.3 * lang.vocab_size + 1.5)), constrained_layout=True)
    image = ax.imshow(probs.T, aspect="auto", origin="lower", cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(xt)), ["_" if t == MASK else str(t) for t in xt])
    ax.set(xlabel="x_t (_ = masked)", ylabel="token v", title="q(x0^i = v | x_t)")
    fig.colorbar(image, ax=ax)
    return _save(fig, path)


def _rows(source, kind: str) -> list[dict]:
    from .theorems.render import rows_of

    try:
        return rows_of(source, kind)
    except KeyError as exc:
        raise InvalidArgument(f"nothing to draw: {exc.args[0]}") from None


def _ser_figure(source, path):
    """SER against N/L from the check's records (or its certificate): the lengths of its exact table and its
    certified C*."""
    lengths = sorted({r["L"] for r in _rows(source, "LongRow")})
    constants = source["results"]["constants"] if isinstance(source, dict) else source.to_certificate()["results"][
        "constants"]
    return ser_transition(lengths, path, c_star=constants["C*_oracle_iid_uniform"]["float"])


def _ter_figure(source, path):
    rows = _rows(source, "LetterPairRow")
    lengths = list(dict.fromkeys(r["L"] for r in rows))
    steps = list(dict.fromkeys(r["N"] for r in rows))
    value = {(r["L"], r["N"]): r["eps_total_percent"] for r in rows}
    return eps_total_against_steps(lengths, steps, [[value[L, N] for N in steps] for L in lengths], path,
                                   title="letter-pair chain, oracle: eps_total against N (exact)")


def _li_cai_figure(source, path):
    """The oracle's E_M KL (exact, or its 99% interval) against the Theorem 1 bound at eps_train = 0."""
    from .theorems.render import cell_bounds

    rows = []
    for r in _rows(source, "LongRow"):
        if r["model"] != "oracle":
            continue
        kl, low, high = cell_bounds(r["kl"])
        rows.append({"language": r["language"], "L": r["L"], "T": r["T"], "kl": kl, "low": low, "high": high,
                     "bound": r["bound"]})
    return li_cai_against_bound(rows, path)


def _schedules_figure(source, path):
    """Left: h(j)/h(0) against j/L per language (largest L), with the balanced and optimal step functions (the
    left Riemann sums whose area above h is E KL) of the language where optimal gains most. Right: E KL against T
    per schedule for that language at its largest L (point values; Monte Carlo rows at their estimate)."""
    from .theorems.render import cell_bounds

    curves, steps, kls = _rows(source, "CurveRow"), _rows(source, "StepFunctionRow"), _rows(source, "ExpectedKLRow")
    ratios = [r for r in _rows(source, "RatioRow") if r["ratio"] is not None]
    focus = max(ratios, key=lambda r: r["ratio"])["language"] if ratios else curves[0]["language"]
    plt = require_matplotlib()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
    for language in dict.fromkeys(r["language"] for r in curves):
        group = [r for r in curves if r["language"] == language]
        left.plot([r["fraction"] for r in group], [r["relative"] for r in group], label=f"{language}, L = {group[0]['L']}")
    for r in (r for r in steps if r["language"] == focus):
        edges = np.array(r["cuts"]) / r["L"]
        left.stairs(r["levels"], edges, ls="--" if r["schedule"] == "balanced" else ":", lw=1.5,
                    label=f"{focus}: {r['schedule']} T = {r['T']}")
    left.set(xlabel="j / L", ylabel="h(j) / h(0)", title="information profile and left Riemann step functions")
    left.legend(fontsize=7)
    largest = max(r["L"] for r in kls if r["language"] == focus)
    for schedule in dict.fromkeys(r["schedule"] for r in kls):
        group = sorted((r for r in kls if r["language"] == focus and r["L"] == largest and r["schedule"] == schedule),
                       key=lambda r: r["T"])
        values = [(r["T"], cell_bounds(r["kl"])[0]) for r in group]
        values = [(t, v) for t, v in values if v > 0]
        if values:
            right.plot(*zip(*values), "o-", label=schedule)
    right.set(xscale="log", yscale="log", xlabel="steps T", ylabel="E KL [nats]", title=f"{focus}, L = {largest}")
    right.legend(fontsize=7)
    return _save(fig, path)


FIGURES = {"theorem_ser": _ser_figure, "theorem_ter": _ter_figure, "theorem_li_cai": _li_cai_figure,
           "schedules": _schedules_figure}
"""The figure of each check that has one: ``FIGURES[name](result_or_certificate, path)``, drawn from the records."""

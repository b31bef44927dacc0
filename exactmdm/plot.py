"""Figures (matplotlib, the ``[plot]`` extra)."""

from __future__ import annotations


def require_matplotlib():
    """``matplotlib.pyplot`` with the non-interactive Agg backend, or an ImportError saying what to install."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError('figures need matplotlib: pip install "exactmdm[plot]"') from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt

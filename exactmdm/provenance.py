"""Provenance of results: the versions of exactmdm and of the libraries its numbers depend on.

Certificates, sweeps and neural evaluations record these so that a number can be traced to the code that
produced it; a module of its own so that any layer can read them without importing the theorem layer.
"""

from __future__ import annotations

import platform

__all__ = ["package_versions"]


def package_versions(torch: bool = False) -> dict:
    """Versions of exactmdm, its numerical dependencies and Python (and torch, with ``torch=True``)."""
    from . import __version__
    import networkx
    import numba
    import numpy
    import sympy

    out = {"exactmdm": __version__, "numpy": numpy.__version__, "numba": numba.__version__, "sympy": sympy.__version__,
           "networkx": networkx.__version__, "python": platform.python_version()}
    if torch:
        import torch as _torch

        out["torch"] = _torch.__version__
    return out

"""Numba options in one place.

Exact kernels never use ``fastmath``: reassociation would break agreement with the rational
references to 1e-12. Every kernel is cached on disk so that compile time is paid once per machine.
"""

from __future__ import annotations

import numba

JIT_OPTIONS = {"cache": True, "nogil": True}


def njit(*args, parallel: bool = False):
    """``numba.njit`` with the project's options; ``parallel=True`` only where it pays."""
    options = dict(JIT_OPTIONS)
    if parallel:
        options["parallel"] = True
    if args and callable(args[0]):
        return numba.njit(**options)(args[0])
    return numba.njit(*args, **options)


prange = numba.prange

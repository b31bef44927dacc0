"""Argument checks shared by every public entry point.

Each check raises an error of ``exactmdm.errors`` whose message names the argument, the value and the
fix. Nothing here clips, renormalises or truncates: bad input is refused, never repaired.
"""

from __future__ import annotations

import numbers

import numpy as np

from .errors import InvalidArgument, InvalidType

MASK = -1
STOCHASTIC_ATOL = 1e-9


def _preview(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_probability_array(value, name: str, *, ndim: int | None = None, shape=None) -> np.ndarray:
    """A float64 copy of ``value`` whose last axis holds probability rows that sum to 1.

    Raises ``InvalidType`` for non-numeric input and ``InvalidArgument`` for NaN, infinities, negative
    entries, the wrong shape, or rows that do not sum to 1 within 1e-9.
    """
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidType(f"{name}={_preview(value)} is not a numeric array: pass floats ({exc}).") from None
    if ndim is not None and array.ndim != ndim:
        raise InvalidArgument(f"{name} must have {ndim} dimension(s), got shape {array.shape}.")
    if shape is not None and array.shape != tuple(shape):
        raise InvalidArgument(f"{name} must have shape {tuple(shape)}, got {array.shape}: the shapes disagree.")
    if array.size == 0:
        raise InvalidArgument(f"{name} is empty (shape {array.shape}): every axis needs at least one entry.")
    if not np.all(np.isfinite(array)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise InvalidArgument(f"{name} has a non-finite entry {array[bad]} at index {bad}: probabilities must be finite.")
    if np.any(array < 0):
        bad = tuple(int(i) for i in np.argwhere(array < 0)[0])
        raise InvalidArgument(f"{name} has a negative entry {array[bad]} at index {bad}: probabilities must be >= 0.")
    sums = array.sum(axis=-1)
    off = np.abs(sums - 1.0) > STOCHASTIC_ATOL
    if np.any(off):
        bad = tuple(int(i) for i in np.argwhere(np.atleast_1d(off))[0])
        row = "" if array.ndim == 1 else f" row {bad}"
        raise InvalidArgument(
            f"{name}{row} sums to {float(np.atleast_1d(sums)[bad]):.12g}, not 1: every distribution must be "
            "normalised (exactmdm never renormalises silently; divide by the sum yourself if that is meant)."
        )
    array.setflags(write=False)
    return array


def as_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """``value`` as a Python int within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidType(f"{name}={_preview(value)} must be an integer.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise InvalidArgument(f"{name}={value} must be >= {minimum}.")
    if maximum is not None and value > maximum:
        raise InvalidArgument(f"{name}={value} must be <= {maximum}.")
    return value


def as_float(value, name: str, *, minimum: float | None = None, maximum: float | None = None,
             strict_minimum: bool = False) -> float:
    """``value`` as a finite float within the given range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidType(f"{name}={_preview(value)} must be a real number.")
    value = float(value)
    if not np.isfinite(value):
        raise InvalidArgument(f"{name}={value} must be finite.")
    if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
        op = ">" if strict_minimum else ">="
        raise InvalidArgument(f"{name}={value} must be {op} {minimum}.")
    if maximum is not None and value > maximum:
        raise InvalidArgument(f"{name}={value} must be <= {maximum}.")
    return value


def _holds_bool(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_bool(v) for v in value)
    return False


def as_sequences(value, name: str, vocab_size: int, *, allow_mask: bool, length: int | None = None) -> np.ndarray:
    """An int64 array of token sequences (last axis = positions), checked against the vocabulary.

    Tokens must lie in ``0..vocab_size-1``; ``MASK`` (-1) is accepted only where ``allow_mask``.
    """
    array = np.asarray(value)
    if not isinstance(value, np.ndarray) and array.dtype != object and array.size and _holds_bool(value):
        array = np.asarray(True)  # a list mixing booleans with ints converts silently to ints: refuse it below
    if array.dtype == bool:
        raise InvalidType(f"{name}={_preview(value)} holds booleans: give integer tokens 0..{vocab_size - 1}"
                          f"{' and MASK = -1' if allow_mask else ''} (a boolean mask is not a sequence).")
    if array.dtype == object or not np.issubdtype(array.dtype, np.integer):
        if np.issubdtype(array.dtype, np.floating) and np.all(np.isfinite(array)) and np.all(array == np.round(array)):
            array = array.astype(np.int64)
        else:
            raise InvalidType(f"{name} must be an integer array of tokens (MASK = -1), got dtype {array.dtype}.")
    array = np.ascontiguousarray(array, dtype=np.int64)
    if array.ndim == 0:
        raise InvalidArgument(f"{name}={_preview(value)} must be a sequence of tokens, not a scalar.")
    if array.shape[-1] == 0:
        raise InvalidArgument(f"{name} has length 0: sequences need at least one position.")
    if length is not None and array.shape[-1] != length:
        raise InvalidArgument(f"{name} has length {array.shape[-1]}, expected {length}: the shapes disagree.")
    low = MASK if allow_mask else 0
    bad = (array < low) | (array >= vocab_size)
    if np.any(bad):
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        allowed = f"0..{vocab_size - 1}" + (" or MASK=-1" if allow_mask else "")
        raise InvalidArgument(
            f"{name} has token {int(array[idx])} at index {idx}, outside the vocabulary: tokens must be in {allowed}."
        )
    return array


def as_language(value, name: str = "lang"):
    """``value`` itself when it is an exactmdm language (``HMM``, ``NGram`` or another ``Language``): the one type
    check of the package, so every entry point refuses other objects with the same message."""
    from .languages import Language  # languages imports this module: resolve at call time

    if not isinstance(value, Language):
        raise InvalidType(f"{name}={_preview(value)} must be an exactmdm language (exactmdm.HMM or exactmdm.NGram): "
                          "build one with em.HMM(...), em.NGram(...) or em.languages.make_language(...).")
    return value


def as_tokens(value, name: str, vocab_size: int, *, allow_mask: bool = True, length: int | None = None) -> np.ndarray:
    """A C-contiguous int64 batch of shape (B, L) (a single sequence becomes B = 1), checked by ``as_sequences``:
    the input form of the batch kernels (``inference.posterior_batch`` and its kin)."""
    array = as_sequences(value, name, vocab_size, allow_mask=allow_mask, length=length)
    return np.ascontiguousarray(array.reshape(-1, array.shape[-1]))


def as_start(given, vocab_size: int, length: int) -> np.ndarray:
    """A sampler's start state: (L,) tokens it is given, MASK (-1) where it generates, at least one MASK."""
    start = as_sequences(given, "given", vocab_size, allow_mask=True, length=length)
    if start.ndim != 1:
        raise InvalidArgument(f"given must be one (L,) sequence with MASK where the sampler generates, got shape "
                              f"{start.shape}.")
    if not np.any(start < 0):
        raise InvalidArgument("given has no MASK: there is nothing to generate; mark the positions to generate with "
                              "MASK = -1.")
    return start

"""The one small error hierarchy of exactmdm.

Every error is a subclass of the builtin a user would catch (``ValueError`` or ``TypeError``) and its
message names the argument, the bad value and the fix.
"""

from __future__ import annotations

__all__ = [
    "ExactMDMError",
    "InvalidArgument",
    "InvalidType",
    "ImpossibleEvidence",
    "EnumerationTooLarge",
]


class ExactMDMError(Exception):
    """Base class of every error raised on purpose by exactmdm."""


class InvalidArgument(ExactMDMError, ValueError):
    """An argument has the right type but a value exactmdm cannot use."""


class InvalidType(ExactMDMError, TypeError):
    """An argument has a type exactmdm cannot use."""


class ImpossibleEvidence(ExactMDMError, ValueError):
    """The unmasked tokens of a partially masked sequence have probability 0 under the language.

    The true reverse posterior is then 0/0: undefined, and reported as this error rather than as NaN.
    """


class EnumerationTooLarge(ExactMDMError, ValueError):
    """An exact enumeration would need more memory or time than the caller allowed."""


def format_bytes(num_bytes: float) -> str:
    """Human-readable size, used in EnumerationTooLarge messages."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(num_bytes) < 1024.0:
            return f"{num_bytes:.1f} {unit}"
        num_bytes /= 1024.0
    return f"{num_bytes:.1f} EiB"

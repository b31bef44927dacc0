"""``python -m proofs_check``: run every step; print what each proved; exit 1 if any fails."""

from __future__ import annotations

import sys

from .steps import STEPS


def main() -> int:
    failed = 0
    for fn in STEPS:
        try:
            print(f"PROVED  {fn.__name__}: {fn()}")
        except AssertionError as exc:
            failed += 1
            print(f"FAILED  {fn.__name__}: {fn.__doc__.splitlines()[0]} ({exc})")
    print(f"proofs_check: {len(STEPS) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""exactmdm: exact verification of the theory of masked diffusion language models."""

from __future__ import annotations

from . import errors, languages, schedules, models, metrics, exact
from .languages import HMM, NGram
from .posterior import posterior
from .validation import MASK

__version__ = "0.1.0"

__all__ = ["MASK", "HMM", "NGram", "posterior", "languages", "schedules", "models", "exact", "metrics", "errors",
           "__version__"]

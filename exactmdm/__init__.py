"""exactmdm: exact verification of the theory of masked diffusion language models."""

from __future__ import annotations

from . import errors, languages, schedules, models, metrics, exact, montecarlo
from .languages import HMM, NGram
from .inference import log_evidence, posterior, support_consistent
from .validation import MASK

__version__ = "0.1.0"

__all__ = ["MASK", "HMM", "NGram", "posterior", "log_evidence", "support_consistent", "languages", "schedules", "models",
           "exact", "metrics", "montecarlo", "errors", "__version__"]

"""Schedules as the samplers' kernel arrays: ``(kind, rates, sizes)``.

Kind 0 is i.i.d. (per-step unmasking probability ``rates[k]`` of a still-masked position), kind 1 fixed
sizes (``sizes[k]`` positions at step k): plain arrays, so one Numba kernel serves both kinds.
"""

from __future__ import annotations

import numpy as np

from ..errors import InvalidType
from ..schedules import FixedSizes, IIDSchedule, MDLMSchedule

__all__ = ["schedule_arrays"]


def schedule_arrays(schedule, length: int):
    """``(kind, rates, sizes)`` of a schedule as the samplers use it: kind 0 i.i.d. (per-step unmasking
    probability ``rates[k]`` of a still-masked position), kind 1 fixed sizes (``sizes[k]`` positions).
    A fixed-size schedule must unmask exactly ``length`` positions."""
    if isinstance(schedule, IIDSchedule):
        return 0, np.ascontiguousarray(schedule.rates), np.zeros(schedule.num_steps, dtype=np.int64)
    if isinstance(schedule, FixedSizes):
        schedule.check_length(length)
        return 1, np.zeros(schedule.num_steps), np.array(schedule.sizes, dtype=np.int64)
    if isinstance(schedule, MDLMSchedule):  # its reveal law alone would silently drop a final argmax
        raise InvalidType(f"schedule={schedule.name} is not turned into kernel arrays directly: "
                          "schedules.sampler_schedule(schedule) gives its reveal law and whether its last step takes the model's "
                          "argmax (montecarlo.sample / ser and neural.sample take the mdlm schedule itself).")
    raise InvalidType(f"schedule={schedule!r} must come from exactmdm.schedules.iid or fixed_sizes.")

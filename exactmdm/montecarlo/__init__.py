"""Monte Carlo at long lengths: the N-step sampler itself, SER with an exact interval, and KL(q||p)/L.

One module per concern:

- ``streams``: counter-based random numbers (a hash of seed, sequence, step, position, stream), so sequence i
  is the same whatever ``num``, the batch size or the number of threads, and runs replay exactly;
- ``kernel_arrays``: schedules as the kernels' ``(kind, rates, sizes)`` arrays;
- ``samplers``: the sampler (a Markov nearest-neighbour kernel and the general batched path), ``sample``,
  ``choose_positions``; runs are sized before they start;
- ``estimators``: ``Estimate``, ``ser``, ``ser_of_samples``, ``kl_per_token``, ``information``;
- ``statistics``: Clopper-Pearson, the regularised incomplete beta, binomial p-values, the normal quantile.

The names below are re-exported so that ``exactmdm.montecarlo.X`` works for each.
"""

from __future__ import annotations

from .estimators import Estimate, information, kl_per_token, ser, ser_of_samples
from .samplers import choose_positions, sample
from .kernel_arrays import schedule_arrays
from .statistics import binomial_two_sided_pvalue, clopper_pearson, regularized_beta
from .streams import uniforms

__all__ = ["Estimate", "sample", "ser", "kl_per_token", "clopper_pearson", "uniforms", "binomial_two_sided_pvalue",
           "regularized_beta", "choose_positions", "schedule_arrays", "ser_of_samples", "information"]

"""Counter-based random numbers of the Monte Carlo samplers.

Every random number is a splitmix64 hash of (seed key, sequence index, step, position, stream), so
sequence i is the same whatever ``num``, the batch size or the number of threads, and a run can be
replayed or audited sequence by sequence (the PyTorch sampler replays it exactly). Stream 0 decides which
positions unmask, stream 1 which tokens.
"""

from __future__ import annotations

import numpy as np

from .._jit import njit, prange

__all__ = ["uniforms", "stream_key", "counter_uniform"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit
def counter_uniform(key, sequence, step, position, stream):
    """A uniform in [0, 1) from the splitmix64 hash of the counters (53 random bits); for Numba kernels."""
    z = _mix(key + np.uint64(sequence) * _GOLDEN)
    z = _mix(z + np.uint64(step * 4 + stream) * np.uint64(0xD1B54A32D192ED03))
    z = _mix(z + np.uint64(position) * np.uint64(0x8CB92BA72F3D8DD7))
    return float(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(parallel=True)
def _uniform_block(key, first, num, step, length, stream):
    out = np.empty((num, length))
    for b in prange(num):
        for i in range(length):
            out[b, i] = counter_uniform(key, first + b, step, i, stream)
    return out


def stream_key(seed: int) -> np.uint64:
    """The 64-bit key of ``seed`` that every counter hash starts from."""
    return np.uint64(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0])


def uniforms(seed: int, sequences, step: int, length: int, stream: int) -> np.ndarray:
    """The sampler's uniforms for sequences ``sequences`` (a range) at ``step`` (stream 0: which positions
    unmask, 1: which tokens); exposed so that a run can be replayed or audited."""
    return _uniform_block(stream_key(seed), sequences.start, len(sequences), step, length, stream)

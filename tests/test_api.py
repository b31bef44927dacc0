"""The public names of SPEC section 4 exist exactly as written (external checks call them)."""

import inspect
import math

import numpy as np
import pytest

import exactmdm as em
from exactmdm.errors import InvalidArgument


def _params(fn):
    return {name: p.default for name, p in inspect.signature(fn).parameters.items()}


def test_spec_section_4_names_and_signatures():
    assert em.MASK == -1
    assert list(_params(em.HMM))[:3] == ["initial", "transition", "emission"]
    assert list(_params(em.NGram))[:3] == ["order", "initial", "transition"]
    assert _params(em.NGram.random) == {"vocab_size": inspect._empty, "order": inspect._empty, "seed": inspect._empty,
                                        "concentration": 1.0, "prune": 0.0}
    assert _params(em.HMM.random) == {"num_states": inspect._empty, "vocab_size": inspect._empty,
                                      "seed": inspect._empty, "concentration": 1.0, "prune": 0.0}
    lang = em.languages.counterexample16()
    for name in ("vocab_size", "as_hmm", "log_prob", "in_support", "sample"):
        assert hasattr(lang, name)
    assert list(_params(em.posterior)) == ["lang", "xt"]
    assert list(_params(em.schedules.iid)) == ["num_steps", "alpha"]
    assert list(_params(em.schedules.fixed_sizes)) == ["sizes"]
    assert list(_params(em.models.Oracle))[:1] == ["language"]
    perturbed = _params(em.models.Perturbed)
    assert perturbed["kind"] == "uniform" and perturbed["unit"] == "nats"
    out_params = _params(em.exact.output_distribution)
    assert list(out_params)[:4] == ["lang", "length", "schedule", "model"] and out_params["model"] is None
    seq_params = _params(em.exact.sequence_prob)
    assert list(seq_params)[:4] == ["lang", "x", "schedule", "model"] and seq_params["model"] is None
    assert _params(em.metrics.kl)["base"] == 2
    out = em.exact.output_distribution(lang, 2, em.schedules.iid(2))
    assert out.probs.shape == (16, 16) and isinstance(out.escaped, float)
    for fn in (em.metrics.ter, em.metrics.ser, em.metrics.kl):
        assert math.isfinite(fn(lang, out))


def test_schedule_and_model_inputs_with_nan_are_refused():
    with pytest.raises(InvalidArgument, match="finite"):
        em.schedules.iid(2, [float("nan"), 1.0])
    with pytest.raises(InvalidArgument, match="non-finite"):
        em.schedules.iid(2, lambda t: float("nan"))
    with pytest.raises(InvalidArgument, match="eps_learning=nan must be finite"):
        em.models.Perturbed(em.languages.counterexample16(), float("nan"))
    with pytest.raises(InvalidArgument, match="NaN"):
        em.models.FunctionModel(lambda xt: np.full(xt.shape + (2,), np.nan), 2)(np.array([[-1]]))

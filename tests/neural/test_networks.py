import numpy as np
import pytest

import exactmdm as em

torch = pytest.importorskip("torch")
from exactmdm import neural  # noqa: E402


def test_denoiser_has_subs_output():
    torch.manual_seed(0)
    net = neural.build_network("mdm", 5, "tiny")
    xt = np.array([[0, -1, 4, -1], [-1, -1, -1, -1]])
    probs = net(xt)
    assert probs.dtype == torch.float64 and probs.shape == (2, 4, 5)
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 4, dtype=torch.float64))
    assert probs[0, 0, 0] == 1.0 and probs[0, 2, 4] == 1.0  # observed tokens carried over
    assert (probs[0, 1] > 0).all()


def test_denoiser_output_does_not_depend_on_the_batch_it_is_in():
    torch.manual_seed(1)
    net = neural.build_network("mdm", 3, "tiny")
    xs = np.array([[0, -1, 2, -1, 1], [-1, -1, -1, 2, 0], [1, 1, -1, -1, -1]])
    together = net(xs)
    alone = torch.cat([net(xs[i:i + 1]) for i in range(3)])
    torch.testing.assert_close(together, alone, rtol=1e-5, atol=1e-6)


def test_ar_cache_equals_full_causal_pass():
    torch.manual_seed(2)
    ar = neural.build_network("ar", 4, "tiny", depth=2)
    x = torch.randint(0, 4, (3, 7))
    full = ar.next_logits(x)
    caches = [[] for _ in ar.blocks]
    symbols = torch.cat([torch.full((3, 1), 4), x[:, :-1]], dim=1)
    steps = [ar.logits(symbols[:, i:i + 1], caches)[:, 0] for i in range(7)]
    torch.testing.assert_close(torch.stack(steps, dim=1), full, rtol=1e-4, atol=1e-5)
    out = ar.generate(5, 9, seed=0)
    assert out.shape == (5, 9) and int(out.min()) >= 0 and int(out.max()) < 4
    torch.testing.assert_close(out, ar.generate(5, 9, seed=0))


def test_network_as_reverse_model_feeds_the_exact_engines():
    lang = em.NGram.random(3, 2, seed=0, prune=0.2)
    torch.manual_seed(3)
    model = neural.as_reverse_model(neural.build_network("mdm", 3, "tiny"), lang)
    out = em.exact.output_distribution(lang, 3, em.schedules.iid(2), model)
    # an independent engine on one sequence; float32 networks change in the 7th digit with the batch they are
    # evaluated in, and the two engines batch differently
    x = np.array(np.unravel_index(int(np.argmax(out.probs)), out.probs.shape))
    assert out.probs[tuple(x)] == pytest.approx(em.exact.sequence_prob(lang, x, em.schedules.iid(2), model,
                                                                       method="revealed-set"), rel=1e-6)
    assert 0 <= out.escaped < 1 and out.probs.sum() + out.escaped == pytest.approx(1.0)


def test_vocabulary_mismatch_and_ar_are_refused():
    lang = em.NGram.random(3, 2, seed=0)
    with pytest.raises(ValueError, match="vocab_size=4 but the language has 3"):
        neural.as_reverse_model(neural.build_network("mdm", 4, "tiny"), lang)
    with pytest.raises(ValueError, match="autoregressive"):
        neural.as_reverse_model(neural.build_network("ar", 3, "tiny"), lang)
    with pytest.raises(ValueError, match="preset"):
        neural.build_network("mdm", 3, "huge")
    with pytest.raises(ValueError, match="multiple of heads"):
        neural.build_network("mdm", 3, "tiny", width=30, heads=4)

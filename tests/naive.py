"""Slow, obviously-correct references, named like the fast functions they check.

Everything here enumerates: hidden paths, sequences, and the step label of every position. Numbers are
``fractions.Fraction`` when ``exact=True`` (float parameters convert to Fractions exactly, so the
reference is the exact value of the same float model), floats otherwise.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np


def _num(value, exact):
    return Fraction(float(value)) if exact else float(value)


def joint(lang, length, exact=False):
    """{x: q(x)} over V^L by summing over every hidden path (H^L)."""
    hmm = lang.as_hmm()
    pi = [_num(v, exact) for v in hmm.initial]
    A = [[_num(v, exact) for v in row] for row in hmm.transition]
    B = [[_num(v, exact) for v in row] for row in hmm.emission]
    out = {}
    for x in itertools.product(range(hmm.vocab_size), repeat=length):
        total = 0
        for path in itertools.product(range(hmm.num_states), repeat=length):
            p = pi[path[0]] * B[path[0]][x[0]]
            for i in range(1, length):
                if p == 0:
                    break
                p *= A[path[i - 1]][path[i]] * B[path[i]][x[i]]
            total += p
        out[x] = total
    return out


def posterior(q, xt, vocab):
    """L x V list of q(x^i = v | unmasked tokens of xt) from the joint table; None when impossible."""
    length = len(xt)
    agree = {x: p for x, p in q.items() if all(t < 0 or t == xi for t, xi in zip(xt, x))}
    z = sum(agree.values())
    if z == 0:
        return None
    rows = []
    for i in range(length):
        rows.append([sum(p for x, p in agree.items() if x[i] == v) / z for v in range(vocab)])
    return rows


def label_law(schedule, length, exact=False):
    """[(labels, probability)]: the step at which each position is unmasked, enumerated directly from the
    schedule's definition (i.i.d. with weights w, or a uniform ordered partition with the given sizes)."""
    if schedule.kind == "iid":
        w = list(schedule.exact_weights) if (exact and schedule.exact_weights) else [_num(v, exact) for v in schedule.weights]
        out = []
        for labels in itertools.product(range(schedule.num_steps), repeat=length):
            p = 1
            for k in labels:
                p *= w[k]
            if p:
                out.append((labels, p))
        return out
    sizes = schedule.sizes
    total = math.factorial(length)
    for s in sizes:
        total //= math.factorial(s)
    one = Fraction(1, total) if exact else 1.0 / total
    return [(labels, one) for labels in itertools.product(range(len(sizes)), repeat=length)
            if all(labels.count(k) == s for k, s in enumerate(sizes))]


def output_distribution(q, length, vocab, schedule, model_fn, exact=False, final_argmax=False):
    """({x: p(x)} on the support, escaped): the sampler run literally, step by step, for every labelling.

    ``model_fn(state tuple) -> L x V rows``. A state whose unmasked tokens are impossible under q is
    counted as escaped, and its continuation is not followed (it can never end on the support). With
    ``final_argmax`` the last step's tokens are the model's most likely ones (MDLM's noise removal).
    """
    return given_output_distribution(q, (-1,) * length, vocab, schedule, model_fn, exact, final_argmax)


def oracle_fn(q, vocab):
    return lambda state: posterior(q, state, vocab)


def uniform_mixture_fn(q, vocab, mixing, exact=False):
    lam = _num(mixing, exact)

    def fn(state):
        rows = posterior(q, state, vocab)
        return [[(1 - lam) * v + lam / vocab for v in row] for row in rows]

    return fn


def model_fn(model, exact=False):
    """Any exactmdm model evaluated one state at a time (its float outputs, as exact Fractions if asked)."""
    def fn(state):
        probs = model(np.array([state], dtype=np.int64))[0]
        return [[_num(v, exact) for v in row] for row in probs]
    return fn


def support_count(q):
    return sum(1 for p in q.values() if p > 0)


def kl(q, p, base=2):
    total = 0.0
    for x, qx in q.items():
        if qx > 0:
            if p.get(x, 0) <= 0:
                return math.inf
            total += float(qx) * math.log(float(qx) / float(p[x]))
    return total / math.log(base)


def same_step_neighbours(labels):
    return sum(1 for a, b in zip(labels, labels[1:]) if a == b)


def letter_pair_ser(length, schedule, exact=True):
    """SER of the letter-pair chain with the oracle: 1 - E[(1/4)^K] by enumerating labellings."""
    quarter = Fraction(1, 4) if exact else 0.25
    return 1 - sum(prob * quarter ** same_step_neighbours(labels) for labels, prob in label_law(schedule, length, exact))


def log_forward_backward(hmm, xt):
    """Posterior in log space with numpy logaddexp (a second, independent method for long L)."""
    with np.errstate(divide="ignore"):
        lpi, lA, lB = np.log(hmm.initial), np.log(hmm.transition), np.log(hmm.emission)
    length = len(xt)
    lik = np.array([lB[:, t] if t >= 0 else np.zeros(hmm.num_states) for t in xt])
    la = np.empty((length, hmm.num_states))
    lb = np.zeros((length, hmm.num_states))
    la[0] = lpi + lik[0]
    for i in range(1, length):
        la[i] = np.logaddexp.reduce(la[i - 1][:, None] + lA, axis=0) + lik[i]
    for i in range(length - 2, -1, -1):
        lb[i] = np.logaddexp.reduce(lA + (lik[i + 1] + lb[i + 1])[None, :], axis=1)
    lg = la + lb
    lg -= np.logaddexp.reduce(lg, axis=1, keepdims=True)
    out = np.exp(lg) @ hmm.emission
    for i, t in enumerate(xt):
        if t >= 0:
            out[i] = 0.0
            out[i, t] = 1.0
    return out


def sequence_prob(q, x, vocab, schedule, model_fn, exact=False):
    """p(x) by running the sampler literally over every labelling (``output_distribution``)."""
    return output_distribution(q, len(x), vocab, schedule, model_fn, exact)[0][tuple(x)]


def _kl_row(truth, model_row):
    total = 0.0
    for v, r in enumerate(truth):
        if r > 0:
            if model_row[v] <= 0:
                return math.inf
            total += float(r) * math.log(float(r) / float(model_row[v]))
    return total


def eps_learning(lang, model, length):
    """(max, mean) of KL(q_{0|t} || p) over reachable states, by enumerating every x0 and mask pattern.

    The mean follows the forward process x0 ~ q, t ~ U(0,1), each position masked with probability t:
    a pattern with m masked and r = L - m revealed positions has probability int t^m (1-t)^r dt =
    m! r! / (L+1)!, conditioned on m >= 1; each state contributes the average KL over its masked positions.
    """
    q = joint(lang, length)
    best, mean = 0.0, 0.0
    for x0, qx in q.items():
        if qx == 0:
            continue
        for mask in itertools.product([False, True], repeat=length):
            m = sum(mask)
            if m == 0:
                continue
            state = tuple(-1 if hide else t for hide, t in zip(mask, x0))
            rows = posterior(q, state, lang.vocab_size)
            p = model(np.array([state]))[0]
            kls = [_kl_row(rows[i], p[i]) for i in range(length) if mask[i]]
            best = max(best, max(kls))
            weight = math.factorial(m) * math.factorial(length - m) / math.factorial(length + 1)
            mean += float(qx) * weight * sum(kls) / m
    return best, mean / (length / (length + 1))


def mutual_information(q, length, i, subset):
    """I(X^i; X_S) in nats from a {x: q(x)} table, by summing marginals directly."""
    def marginal(keep):
        out = {}
        for x, p in q.items():
            key = tuple(x[j] for j in keep)
            out[key] = out.get(key, 0) + float(p)
        return out

    mi, ms, joint_is = marginal([i]), marginal(list(subset)), marginal([i] + list(subset))
    total = 0.0
    for key, p in joint_is.items():
        if p > 0:
            total += p * math.log(p / (mi[key[:1]] * ms[key[1:]]))
    return total


def information_series(q, length, cap, terms=60):
    """sum_i sum_{j=0}^{terms} 2^-j E_W I(X^i; X_W), |W| = min(2^j - 1, cap), W uniform among the other
    positions: the series summed term by term (no closed-form tail), to 2^-60."""
    total = 0.0
    for i in range(length):
        others = [j for j in range(length) if j != i]
        for j in range(terms):
            size = min(2 ** j - 1, cap, len(others))
            subsets = list(itertools.combinations(others, size))
            total += 2.0 ** -j * sum(mutual_information(q, length, i, s) if s else 0.0 for s in subsets) / len(subsets)
    return total


def sampled_eps_learning(lang, model, length, samples, seed):
    """The same forward-process states (the sampling recipe is the definition), each state's KL by enumeration."""
    from exactmdm.metrics import forward_process_states

    states = forward_process_states(lang, length, samples, seed)
    q = joint(lang, length)
    best, per_state = 0.0, []
    for b in range(samples):
        state = tuple(int(t) for t in states[b])
        rows, p = posterior(q, state, lang.vocab_size), model(np.array([state]))[0]
        kls = [_kl_row(rows[i], p[i]) for i in range(length) if state[i] < 0]
        best = max(best, max(kls))
        per_state.append(sum(kls) / len(kls))
    return best, float(np.mean(per_state))


def path_kl(lang, length, schedule, model):
    """The path KL in nats by enumeration: sum over step labellings and support sequences x of
    P(labels) q(x) sum_k [log q(x_S | x_R) - sum_{j in S} log p_j(x_j | x_R)], R revealed before step k."""
    q = joint(lang, length)
    total = 0.0
    for labels, weight in label_law(schedule, length):
        for x, qx in q.items():
            if qx == 0:
                continue
            for k in range(schedule.num_steps):
                before = tuple(t if lab < k else -1 for t, lab in zip(x, labels))
                after = tuple(t if lab <= k else -1 for t, lab in zip(x, labels))
                if before == after:
                    continue
                q_before = sum(p for y, p in q.items() if all(t < 0 or t == v for t, v in zip(before, y)))
                q_after = sum(p for y, p in q.items() if all(t < 0 or t == v for t, v in zip(after, y)))
                rows = model(np.array([before]))[0]
                marg = sum(math.log(rows[j][x[j]]) for j in range(length) if labels[j] == k)
                total += float(weight) * float(qx) * (math.log(q_after / q_before) - marg)
    return total


def labelled_kl(q, labels, vocab):
    """KL(q || p_labels) in nats for the sampler that reveals the positions labelled t at step t from the true
    conditionals: p(x) = prod_t prod_(labels[i] = t) q(x_i | x_(labels < t)), from a {x: q(x)} table."""
    kl = 0.0
    for x, qx in q.items():
        if qx == 0:
            continue
        p = 1.0
        for t in range(max(labels) + 1):
            state = tuple(xi if lab < t else -1 for xi, lab in zip(x, labels))
            rows = posterior(q, state, vocab)
            for i, lab in enumerate(labels):
                if lab == t:
                    p *= rows[i][x[i]]
        kl += qx * math.log(qx / p)
    return kl


def given_output_distribution(q, given, vocab, schedule, model_fn, exact=False, final_argmax=False):
    """``output_distribution`` started from ``given`` (MASK where generated): labels enumerated for the masked
    positions only, from the schedule's definition over their number."""
    masked = [i for i, t in enumerate(given) if t < 0]
    p_out = {x: 0 for x, p in q.items() if p > 0 and all(t < 0 or t == xi for t, xi in zip(given, x))}
    escaped = [0]

    def consistent(state):
        return any(p > 0 and all(t < 0 or t == xi for t, xi in zip(state, x)) for x, p in q.items())

    def walk(state, labels, k, mass):
        if mass == 0:
            return
        if k == max(labels) + 1:
            p_out[tuple(state)] += mass
            return
        positions = [i for i, lab in zip(masked, labels) if lab == k]
        if not positions:
            walk(state, labels, k + 1, mass)
            return
        rows = model_fn(tuple(state))
        if final_argmax and k == schedule.num_steps - 1:  # one-hot at the first most likely token (2^-40 grid)
            rows = [[1 if v == max(range(vocab), key=lambda u: (round(row[u] * 2 ** 40), -u)) else 0
                     for v in range(vocab)] for row in rows]
        for tokens in itertools.product(range(vocab), repeat=len(positions)):
            m = mass
            for i, v in zip(positions, tokens):
                m *= rows[i][v]
            if m == 0:
                continue
            new = list(state)
            for i, v in zip(positions, tokens):
                new[i] = v
            if consistent(new):
                walk(new, labels, k + 1, m)
            else:
                escaped[0] += m

    for labels, prob in label_law(schedule, len(masked), exact):
        walk(list(given), labels, 0, prob)
    return p_out, escaped[0]


def reveal_count_law(schedule, step, masked, exact=False):
    """{u: P(u positions revealed at ``step`` | ``masked`` still masked)} from the schedule's definition: a
    Binomial(m, w_k / (w_k + ... + w_N)) for i.i.d. weights, the step's size for fixed sizes."""
    if schedule.kind != "iid":
        return {schedule.sizes[step]: 1}
    w = list(schedule.exact_weights) if (exact and schedule.exact_weights) else [_num(v, exact) for v in schedule.weights]
    rest = sum(w[step:])
    r = w[step] / rest if rest else 1
    return {u: math.comb(masked, u) * r ** u * (1 - r) ** (masked - u) for u in range(masked + 1)}


def _score(row, token, strategy):
    """The position's score on the 2^-40 grid (ties within rounding are ties), rounded half to even."""
    if strategy == "confidence":
        value = row[token]
    elif strategy == "margin":
        top = sorted(row, reverse=True) + [0]
        value = top[0] - top[1]
    else:
        value = sum(p * math.log(p) for p in row if p > 0)  # minus the entropy
    return round(value * 2 ** 40)


def _consistent(q, state):
    return any(p > 0 and all(t < 0 or t == xi for t, xi in zip(state, x)) for x, p in q.items())


def _step_chain_law(q, start, num_steps, outcomes, exact):
    """({x: p(x)} agreeing with ``start``, escaped) of a sampler whose step k maps a state to the weighted new
    states ``outcomes(state, k)``; states no support sequence agrees with are escaped. The law of the final
    state from each (state, step) is memoised: the recursion is evaluated once per pair."""
    one = 1 if exact else 1.0
    memo: dict = {}

    def finals(state, k):
        if (state, k) in memo:
            return memo[state, k]
        if k == num_steps:
            return {state: one}
        law: dict = {}
        for new, p in outcomes(state, k):
            if p == 0:
                continue
            if not _consistent(q, new):
                law["escaped"] = law.get("escaped", 0) + p
                continue
            for final, pf in finals(new, k + 1).items():
                law[final] = law.get(final, 0) + p * pf
        memo[state, k] = law
        return law

    law = finals(tuple(start), 0)
    p_out = {x: law.get(x, 0) for x, p in q.items() if p > 0 and all(t < 0 or t == xi for t, xi in zip(start, x))}
    return p_out, law.get("escaped", 0)


def _kept(state, rows, masked, tokens, count, strategy):
    """The state after keeping the ``count`` best-scored draws (ties: lowest position), remasking the rest."""
    ranked = sorted(range(len(masked)), key=lambda j: (-_score(rows[masked[j]], tokens[j], strategy), j))
    new = list(state)
    for j in ranked[:count]:
        new[masked[j]] = tokens[j]
    return tuple(new)


def tempered(rows, temperature):
    """Rows to draw from at ``temperature``, from the definition: p^(1/T) / sum p^(1/T); T = 0 puts all mass on
    the most likely token (on the 2^-40 score grid, ties to the lowest token)."""
    out = []
    for row in rows:
        if temperature == 1 or not any(p > 0 for p in row):
            out.append(list(row))
        elif temperature == 0:
            best = max(range(len(row)), key=lambda v: (round(row[v] * 2 ** 40), -v))
            out.append([1 if v == best else 0 for v in range(len(row))])
        else:
            powered = [p ** (1 / temperature) if p > 0 else 0 for p in row]
            out.append([p / sum(powered) for p in powered])
    return out


def _draws(rows, masked, vocab, weight):
    """(tokens, probability) of every joint draw at the masked positions, times ``weight``."""
    for tokens in itertools.product(range(vocab), repeat=len(masked)):
        p = weight
        for i, v in zip(masked, tokens):
            p *= rows[i][v]
        yield tokens, p


def remasking_output_distribution(q, length, vocab, schedule, model_fn, strategy, given=None, exact=False,
                                  temperature=1):
    """The confidence-remasking sampler run literally: at each step draw a token at every masked position
    (from the rows at ``temperature``), score each by the model's own rows, keep the u best (ties: lowest
    position), remask the others. ({x: p(x)} on the support, escaped)."""
    start = tuple(given) if given is not None else (-1,) * length

    def outcomes(state, k):
        masked = [i for i, t in enumerate(state) if t < 0]
        rows = model_fn(state)
        draw_rows = tempered(rows, temperature)
        for u, p_u in reveal_count_law(schedule, k, len(masked), exact).items():
            for tokens, p in _draws(draw_rows, masked, vocab, p_u):
                yield _kept(state, rows, masked, tokens, u, strategy), p

    return _step_chain_law(q, start, schedule.num_steps, outcomes, exact)


def llada_output_distribution(q, length, vocab, schedule, model_fn, strategy="random", given=None, exact=False):
    """LLaDA's semi-autoregressive sampler run literally: the last ``gen_length`` positions in blocks, left to
    right; each step of a block unmasks its count of the block's masked positions, a uniformly random subset
    ("random") or the most confident of a draw at every masked position of the block (ties: lowest position).
    Counts recomputed here from LLaDA's rule: base = n // T, the first n % T steps one more, empty steps skipped."""
    start = tuple(given) if given is not None else (-1,) * length
    offset = length - schedule.gen_length
    width = schedule.block_length
    per_block = schedule.steps // (schedule.gen_length // width)
    phases = []
    for b in range(schedule.gen_length // width):
        block = list(range(offset + b * width, offset + (b + 1) * width))
        base, extra = divmod(width, per_block)
        phases += [(block, base + (k < extra)) for k in range(per_block) if base + (k < extra) > 0]
    one = 1 if exact else 1.0

    def outcomes(state, phase):
        block, count = phases[phase]
        rows = model_fn(state)
        masked = [i for i in block if state[i] < 0]
        if strategy != "random":
            for tokens, p in _draws(rows, masked, vocab, one):
                yield _kept(state, rows, masked, tokens, count, strategy), p
            return
        yield from _random_subset(state, rows, masked, count, vocab, one)

    return _step_chain_law(q, start, len(phases), outcomes, exact)


def _random_subset(state, rows, masked, count, vocab, weight):
    """(new state, probability x ``weight``) of unmasking a uniformly random ``count``-subset of ``masked`` with
    tokens drawn from the rows."""
    subsets = list(itertools.combinations(masked, count))
    for subset in subsets:
        for tokens, p in _draws(rows, list(subset), vocab, weight / len(subsets)):
            new = list(state)
            for i, v in zip(subset, tokens):
                new[i] = v
            yield tuple(new), p


def blocks_output_distribution(q, length, vocab, inner, block_length, gen_length, model_fn, given=None, exact=False):
    """Blocks run literally: the last ``gen_length`` positions in blocks of ``block_length``, left to right; each
    block runs every step of ``inner`` over its own masked positions (count from the schedule's definition, then
    a uniformly random subset of that size among the block's masked positions, tokens drawn from the model)."""
    start = tuple(given) if given is not None else (-1,) * length
    offset = length - gen_length
    phases = [(list(range(lo, lo + block_length)), k) for lo in range(offset, length, block_length)
              for k in range(inner.num_steps)]
    one = 1 if exact else 1.0

    def outcomes(state, phase):
        block, k = phases[phase]
        rows = model_fn(state)
        masked = [i for i in block if state[i] < 0]
        for u, p_u in reveal_count_law(inner, k, len(masked), exact).items():
            yield from _random_subset(state, rows, masked, u, vocab, one * p_u)

    return _step_chain_law(q, start, len(phases), outcomes, exact)


def dream_output_distribution(q, length, vocab, steps, eps, model_fn, alg, given=None, argmax=False):
    """Dream's diffusion_generate run literally for a confidence-based ``alg`` ("maskgit_plus": the sampled
    token's probability, "topk_margin": top-1 minus top-2), from its definition: on the grid
    torch.linspace(1, eps, steps + 1) (float32), step i < steps - 1 unmasks int(m (1 - s/t)) of the m masked
    positions and the last step all of them; a token is drawn at every masked position from the rows, each
    position scored on those same rows, the best kept (ties: lowest position). ``argmax``: Dream at temperature 0,
    which takes each row's most likely token (scored by its probability)."""
    import torch

    grid = torch.linspace(1, eps, steps + 1)
    start = tuple(given) if given is not None else (-1,) * length
    one = 1.0

    def outcomes(state, i):
        masked = [j for j, t in enumerate(state) if t < 0]
        count = int(torch.tensor(float(len(masked))) * (1 - grid[i + 1] / grid[i])) if i < steps - 1 else len(masked)
        rows = model_fn(state)
        if count == 0:
            yield state, one
            return
        for tokens, p in _draws(tempered(rows, 0) if argmax else rows, masked, vocab, one):
            def score(j):
                row = rows[masked[j]]
                if alg == "maskgit_plus":
                    return row[tokens[j]]
                top = sorted(row, reverse=True) + [0]
                return top[0] - top[1]
            ranked = sorted(range(len(masked)), key=lambda j: (-round(score(j) * 2 ** 40), j))
            new = list(state)
            for j in ranked[:count]:
                new[masked[j]] = tokens[j]
            yield tuple(new), p

    return _step_chain_law(q, start, steps, outcomes, False)

"""Numba kernels on HMM arrays: masked forward-backward, exact support consistency, sampling, and the
support automaton. Nothing here validates input: ``inference`` is the one validated face of the batch
kernels (``posterior_batch``, ``log_evidence_batch``, ``support_consistent_batch``, which the rest of the
package calls), and ``languages`` imports only the sampling kernel and the support automaton from here.

A masked position contributes emission likelihood 1 for every hidden state (the dynamax form: the
emission model is folded into a likelihood row, and a masked row is all ones), so one kernel serves
every language form and every mask. The forward pass is scaled (each alpha_i normalised to sum 1, the
log normalisers accumulated), which keeps L = 4096 and beyond in range without log-sum-exp. The
transition matrix is read in CSR form so that n-gram languages, whose HMM transition has V entries per
row, cost O(L H V) instead of O(L H^2).
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

from ._jit import njit, prange


@njit
def _forward(tokens, initial, indptr, indices, data, emission, alpha, scale):
    """Scaled forward pass; returns log P(unmasked tokens) in nats, -inf when it is 0.

    alpha[i, h] = P(h_i = h | evidence up to i); scale[i] = P(evidence at i | evidence before i).
    """
    length = tokens.shape[0]
    num_states = initial.shape[0]
    log_evidence = 0.0
    for i in range(length):
        tok = tokens[i]
        if i == 0:
            for h in range(num_states):
                alpha[0, h] = initial[h]
        else:
            for h in range(num_states):
                alpha[i, h] = 0.0
            for h in range(num_states):
                a = alpha[i - 1, h]
                if a == 0.0:
                    continue
                for k in range(indptr[h], indptr[h + 1]):
                    alpha[i, indices[k]] += a * data[k]
        total = 0.0
        for h in range(num_states):
            if tok >= 0:
                alpha[i, h] *= emission[h, tok]
            total += alpha[i, h]
        if total <= 0.0:
            return -np.inf
        for h in range(num_states):
            alpha[i, h] /= total
        scale[i] = total
        log_evidence += math.log(total)
    return log_evidence


@njit
def _forward_backward(tokens, initial, indptr, indices, data, emission, alpha, beta, scale, out):
    """Token posteriors out[i, v] = P(x^i = v | unmasked tokens); returns the log evidence.

    Unmasked positions get a one-hot row (the posterior of an observed token is a point mass).
    """
    log_ev = _forward(tokens, initial, indptr, indices, data, emission, alpha, scale)
    length = tokens.shape[0]
    num_states = initial.shape[0]
    vocab = emission.shape[1]
    if log_ev == -np.inf:
        return log_ev
    for h in range(num_states):
        beta[length - 1, h] = 1.0
    for i in range(length - 2, -1, -1):
        tok = tokens[i + 1]
        for h in range(num_states):
            s = 0.0
            for k in range(indptr[h], indptr[h + 1]):
                h2 = indices[k]
                lik = emission[h2, tok] if tok >= 0 else 1.0
                s += data[k] * lik * beta[i + 1, h2]
            beta[i, h] = s / scale[i + 1]
    for i in range(length):
        for v in range(vocab):
            out[i, v] = 0.0
        tok = tokens[i]
        if tok >= 0:
            out[i, tok] = 1.0
            continue
        for h in range(num_states):
            g = alpha[i, h] * beta[i, h]
            if g == 0.0:
                continue
            for v in range(vocab):
                out[i, v] += g * emission[h, v]
    return log_ev


@njit(parallel=True)
def _posterior_batch(tokens, initial, indptr, indices, data, emission):
    batch, length = tokens.shape
    num_states = initial.shape[0]
    out = np.zeros((batch, length, emission.shape[1]))
    log_ev = np.empty(batch)
    for b in prange(batch):
        alpha = np.empty((length, num_states))
        beta = np.empty((length, num_states))
        scale = np.empty(length)
        log_ev[b] = _forward_backward(tokens[b], initial, indptr, indices, data, emission, alpha, beta, scale, out[b])
    return out, log_ev


@njit(parallel=True)
def _log_evidence_batch(tokens, initial, indptr, indices, data, emission):
    batch, length = tokens.shape
    num_states = initial.shape[0]
    out = np.empty(batch)
    for b in prange(batch):
        alpha = np.empty((length, num_states))
        scale = np.empty(length)
        out[b] = _forward(tokens[b], initial, indptr, indices, data, emission, alpha, scale)
    return out


@njit
def _consistent_one(tokens, initial_pos, indptr, indices, emission_pos, reach, nxt):
    """Exact (boolean) test that some support sequence agrees with the unmasked tokens."""
    num_states = initial_pos.shape[0]
    any_state = False
    for h in range(num_states):
        reach[h] = initial_pos[h] and (tokens[0] < 0 or emission_pos[h, tokens[0]])
        any_state = any_state or reach[h]
    if not any_state:
        return False
    for i in range(1, tokens.shape[0]):
        tok = tokens[i]
        for h in range(num_states):
            nxt[h] = False
        for h in range(num_states):
            if reach[h]:
                for k in range(indptr[h], indptr[h + 1]):
                    nxt[indices[k]] = True
        any_state = False
        for h in range(num_states):
            reach[h] = nxt[h] and (tok < 0 or emission_pos[h, tok])
            any_state = any_state or reach[h]
        if not any_state:
            return False
    return True


@njit(parallel=True)
def _consistent_batch(tokens, initial_pos, indptr, indices, emission_pos):
    batch = tokens.shape[0]
    num_states = initial_pos.shape[0]
    out = np.empty(batch, dtype=np.bool_)
    for b in prange(batch):
        reach = np.empty(num_states, dtype=np.bool_)
        nxt = np.empty(num_states, dtype=np.bool_)
        out[b] = _consistent_one(tokens[b], initial_pos, indptr, indices, emission_pos, reach, nxt)
    return out


@njit(parallel=True)
def _sample_hmm(u_state, u_token, initial_cdf, transition_cdf, emission_cdf):
    num, length = u_state.shape
    out = np.empty((num, length), dtype=np.int64)
    for n in prange(num):
        h = np.searchsorted(initial_cdf, u_state[n, 0] * initial_cdf[-1], side="right")
        for i in range(length):
            if i > 0:
                row = transition_cdf[h]
                h = np.searchsorted(row, u_state[n, i] * row[-1], side="right")
            erow = emission_cdf[h]
            out[n, i] = np.searchsorted(erow, u_token[n, i] * erow[-1], side="right")
    return out


def support_dfa(hmm) -> nx.MultiDiGraph:
    pi_pos, indptr, indices, emis_pos = hmm.support_arrays()
    successors = [frozenset(indices[indptr[h]:indptr[h + 1]].tolist()) for h in range(hmm.num_states)]
    graph = nx.MultiDiGraph()
    graph.add_node("start")
    frontier = []

    def emit(candidates, source):
        for v in range(hmm.vocab_size):
            target = frozenset(h for h in candidates if emis_pos[h, v])
            if not target:
                continue
            if target not in graph:
                frontier.append(target)
            graph.add_edge(source, target, token=v)

    emit([h for h in range(hmm.num_states) if pi_pos[h]], "start")
    seen = set()
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        emit(sorted(set().union(*(successors[h] for h in node))), node)
    return graph

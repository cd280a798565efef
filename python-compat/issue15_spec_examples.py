#!/usr/bin/env python3
"""issue15_spec_examples.py: the fixed-weight numbers in docs/KERAS-MODELS.md, computed by
Keras 3 itself, for the Java side's unit tests (GruCellTest, cell dropout with given masks).

Every example has small weights written with two decimals (type them as Java float literals:
0.37f is numpy's float32(0.37)), an input, a state, and what Keras computes. Masks are given,
not drawn: Keras's own masks come from its RNG, which Java cannot (and need not) reproduce; with
the same masks the step is fully determined. Each example also holds the same step computed
with the spec's formulas in float64 NumPy ("formula"), so the formulas are checked too.

    python issue15_spec_examples.py            # prints the JSON block the spec holds
tests/test_issue15_spec.py checks that the spec's block equals what this computes (1e-7).
"""
import json
import os
import sys

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import keras  # noqa: E402

IN, UNITS = 3, 2


def fixed(shape, seed):
    """Weights with two decimals in [-1, 1): easy to type, exact as float32 literals."""
    return np.round(np.random.default_rng(seed).uniform(-1, 1, shape), 2).astype(np.float32)


def mask(*kept, rate=0.5):
    """An inverted-dropout mask for one example, as Keras makes them: 0 where dropped,
    1 / (1 - rate) where kept. Chosen by hand so that every gate's mask differs."""
    return (np.array([kept], np.float32) / (1 - rate)).astype(np.float32)


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def f64(*arrays):
    return [np.asarray(a, np.float64) for a in arrays]


def listed(a):
    """Outputs: 9 decimals (float32 Keras agrees with the float64 formulas to ~1e-7)."""
    return (np.asarray(a, np.float64).round(9) + 0.0).tolist()


def given(a):
    """Inputs (weights, states, masks): the two-decimal values they were made from."""
    return (np.asarray(a, np.float64).round(2) + 0.0).tolist()


# --- the formulas of the spec, in float64 -----------------------------------------------------


def gru_formula(x, h, W, U, B, mx=None, mh=None):
    """reset_after=True. W (in, 3u), U (u, 3u), B (2, 3u): row 0 input bias, row 1 recurrent
    bias; columns z | r | h. mx, mh: per-gate masks [z, r, h] (None: no dropout)."""
    x, h, W, U, B = f64(x, h, W, U, B)
    u = h.shape[-1]
    mx = mx or [np.ones_like(x)] * 3
    mh = mh or [np.ones_like(h)] * 3
    g = lambda a, k: a[..., k * u:(k + 1) * u]  # noqa: E731
    xz, xr, xh = ((x * mx[k]) @ g(W, k) + g(B[0], k) for k in range(3))
    hz, hr, hh = ((h * mh[k]) @ g(U, k) + g(B[1], k) for k in range(3))
    z, r = sigmoid(xz + hz), sigmoid(xr + hr)
    cand = np.tanh(xh + r * hh)
    return z * h + (1 - z) * cand  # the unmasked h: recurrent dropout never reaches this term


def gru_formula_gradients(x, h, W, U, B, g):
    """Backward of gru_formula (no masks) for the loss sum(h_next * g): the spec's equations."""
    x, h, W, U, B, g = f64(x, h, W, U, B, g)
    u = h.shape[-1]
    s = lambda a, k: a[..., k * u:(k + 1) * u]  # noqa: E731
    z = sigmoid(x @ s(W, 0) + s(B[0], 0) + h @ s(U, 0) + s(B[1], 0))
    r = sigmoid(x @ s(W, 1) + s(B[0], 1) + h @ s(U, 1) + s(B[1], 1))
    q = h @ s(U, 2) + s(B[1], 2)
    cand = np.tanh(x @ s(W, 2) + s(B[0], 2) + r * q)
    d_cand = g * (1 - z)
    d_z = g * (h - cand)
    d_ah = d_cand * (1 - cand ** 2)
    d_az = d_z * z * (1 - z)
    d_ar = d_ah * q * r * (1 - r)
    d_q = d_ah * r
    d_x_side = np.concatenate([d_az, d_ar, d_ah], axis=-1)  # gradients of x W + b_x
    d_h_side = np.concatenate([d_az, d_ar, d_q], axis=-1)  # gradients of h U + b_h
    return {"kernel": x.T @ d_x_side, "recurrent_kernel": h.T @ d_h_side,
            "bias": np.stack([d_x_side.sum(0), d_h_side.sum(0)]),
            "x": d_x_side @ W.T, "h": g * z + d_h_side @ U.T}


def lstm_formula(x, h, c, W, U, b, mx=None, mh=None):
    """Gates i, f, c, o. mx, mh: per-gate masks [i, f, c, o] (None: no dropout)."""
    x, h, c, W, U, b = f64(x, h, c, W, U, b)
    u = h.shape[-1]
    mx = mx or [np.ones_like(x)] * 4
    mh = mh or [np.ones_like(h)] * 4
    pre = [(x * mx[k]) @ W[:, k * u:(k + 1) * u] + (h * mh[k]) @ U[:, k * u:(k + 1) * u] + b[k * u:(k + 1) * u]
           for k in range(4)]
    i, f, o = sigmoid(pre[0]), sigmoid(pre[1]), sigmoid(pre[3])
    c2 = f * c + i * np.tanh(pre[2])
    return o * np.tanh(c2), c2


def simple_rnn_formula(x, h, W, U, b, mx=None, mh=None):
    x, h, W, U, b = f64(x, h, W, U, b)
    mx = np.ones_like(x) if mx is None else mx
    mh = np.ones_like(h) if mh is None else mh
    return np.tanh((x * mx) @ W + b + (h * mh) @ U)


# --- Keras ------------------------------------------------------------------------------------


def run_cell(cell, weights, x, states, dp=None, rec_dp=None, training=False):
    """One step of a Keras 3 cell with given weights and, when training, given dropout masks
    (put where DropoutRNNCell caches the masks it would draw: get_dropout_mask returns them)."""
    cell.build((None, x.shape[-1]))
    cell.set_weights(weights)
    cell._dropout_mask = dp
    cell._recurrent_dropout_mask = rec_dp
    out, new_states = cell(x, states, training=training)
    return keras.ops.convert_to_numpy(out), [keras.ops.convert_to_numpy(s) for s in new_states]


def examples():
    keras.utils.set_random_seed(0)
    x = fixed((1, IN), 1)
    h = fixed((1, UNITS), 2)
    c = fixed((1, UNITS), 3)
    out = {}

    # GRU, reset_after=True (Keras's default): kernel (3, 6), recurrent_kernel (2, 6), bias (2, 6).
    W, U, B = fixed((IN, 3 * UNITS), 10), fixed((UNITS, 3 * UNITS), 11), fixed((2, 3 * UNITS), 12)
    got, _ = run_cell(keras.layers.GRUCell(UNITS), [W, U, B], x, [h])
    out["gru_cell"] = {"kernel": given(W), "recurrent_kernel": given(U), "bias": given(B), "x": given(x),
                       "h": given(h), "keras_h_next": listed(got), "formula_h_next": listed(gru_formula(x, h, W, U, B))}

    # The same weights in a GRU layer over 3 steps from a zero state (return_sequences=True).
    seq = fixed((1, 3, IN), 13)
    layer = keras.layers.GRU(UNITS, return_sequences=True)
    layer.build((None, 3, IN))
    layer.set_weights([W, U, B])
    ys = keras.ops.convert_to_numpy(layer(seq))
    state, formula = np.zeros((1, UNITS)), []
    for t in range(3):
        state = gru_formula(seq[:, t], state, W, U, B)
        formula.append(state[0])
    out["gru_sequence"] = {"x": given(seq), "keras_outputs": listed(ys), "formula_outputs": listed([formula])}

    # The same step's gradients for the loss sum(h_next * g): TensorFlow's autodiff of Keras's cell.
    import tensorflow as tf

    g = fixed((1, UNITS), 14)
    cell = keras.layers.GRUCell(UNITS)
    cell.build((None, IN))
    cell.set_weights([W, U, B])
    xt, ht = tf.constant(x), tf.constant(h)
    with tf.GradientTape() as tape:
        tape.watch([xt, ht])
        new_h, _ = cell(xt, [ht])
        loss = tf.reduce_sum(new_h * g)
    grads = tape.gradient(loss, [cell.kernel, cell.recurrent_kernel, cell.bias, xt, ht])
    formula = gru_formula_gradients(x, h, W, U, B, g)
    out["gru_cell_gradients"] = {"g": given(g)}
    for key, grad in zip(["kernel", "recurrent_kernel", "bias", "x", "h"], grads):
        out["gru_cell_gradients"]["keras_d_" + key] = listed(keras.ops.convert_to_numpy(grad))
    for key in ["kernel", "recurrent_kernel", "bias", "x", "h"]:
        out["gru_cell_gradients"]["formula_d_" + key] = listed(formula[key])

    # GRU reset_after=False (refused by rnnlab): bias (6,), the reset gate applied before U_h.
    Bv1 = np.round(B[0].astype(np.float64) + B[1], 2).astype(np.float32)  # one bias row
    got_v1, _ = run_cell(keras.layers.GRUCell(UNITS, reset_after=False), [W, U, Bv1], x, [h])
    out["gru_cell_reset_before"] = {"bias": given(Bv1), "keras_h_next": listed(got_v1)}

    # GRU with dropout and recurrent_dropout: implementation 1, masks for z, r, h each.
    mx = [mask(1, 0, 1), mask(0, 1, 1), mask(1, 1, 0)]  # z, r, h
    mh = [mask(1, 0), mask(0, 1), mask(1, 1)]
    cell = keras.layers.GRUCell(UNITS, dropout=0.5, recurrent_dropout=0.5)
    got, _ = run_cell(cell, [W, U, B], x, [h], mx, mh, training=True)
    infer, _ = run_cell(keras.layers.GRUCell(UNITS, dropout=0.5, recurrent_dropout=0.5), [W, U, B], x, [h])
    out["gru_cell_dropout"] = {"dropout": 0.5, "recurrent_dropout": 0.5, "input_masks_z_r_h": given(mx),
                               "recurrent_masks_z_r_h": given(mh), "keras_h_next_training": listed(got),
                               "formula_h_next_training": listed(gru_formula(x, h, W, U, B, mx, mh)),
                               "keras_h_next_inference": listed(infer)}

    # LSTM with dropout and recurrent_dropout (implementation 1): 4 input and 4 recurrent masks.
    Wl, Ul, bl = fixed((IN, 4 * UNITS), 40), fixed((UNITS, 4 * UNITS), 41), fixed((4 * UNITS,), 42)
    mxl = [mask(1, 0, 1), mask(1, 1, 0), mask(0, 1, 1), mask(1, 0, 0)]  # i, f, c, o
    mhl = [mask(0, 1), mask(1, 0), mask(1, 1), mask(0, 1)]
    got, (gh, gc) = run_cell(keras.layers.LSTMCell(UNITS, dropout=0.5, recurrent_dropout=0.5), [Wl, Ul, bl], x,
                             [h, c], mxl, mhl, training=True)
    fh, fc = lstm_formula(x, h, c, Wl, Ul, bl, mxl, mhl)
    out["lstm_cell_dropout"] = {"kernel": given(Wl), "recurrent_kernel": given(Ul), "bias": given(bl),
                                "x": given(x), "h": given(h), "c": given(c), "dropout": 0.5,
                                "recurrent_dropout": 0.5, "input_masks_i_f_c_o": given(mxl),
                                "recurrent_masks_i_f_c_o": given(mhl), "keras_h_next": listed(gh),
                                "keras_c_next": listed(gc), "formula_h_next": listed(fh), "formula_c_next": listed(fc)}

    # LSTM with dropout only (implementation 2): ONE input mask shared by the four gates.
    m1 = mask(1, 0, 1)
    _, (gh, gc) = run_cell(keras.layers.LSTMCell(UNITS, dropout=0.5), [Wl, Ul, bl], x, [h, c], m1, None,
                           training=True)
    fh, fc = lstm_formula(x, h, c, Wl, Ul, bl, [m1] * 4)
    out["lstm_cell_input_dropout_only"] = {"dropout": 0.5, "input_mask": given(m1), "keras_h_next": listed(gh),
                                           "keras_c_next": listed(gc), "formula_h_next": listed(fh),
                                           "formula_c_next": listed(fc)}

    # SimpleRNN: one input mask, one recurrent mask.
    Ws, Us, bs = fixed((IN, UNITS), 80), fixed((UNITS, UNITS), 81), fixed((UNITS,), 82)
    ms, mr = mask(0, 1, 1), mask(1, 0)
    got, _ = run_cell(keras.layers.SimpleRNNCell(UNITS, dropout=0.5, recurrent_dropout=0.5), [Ws, Us, bs], x, [h],
                      ms, mr, training=True)
    out["simple_rnn_cell_dropout"] = {"kernel": given(Ws), "recurrent_kernel": given(Us), "bias": given(bs),
                                      "x": given(x), "h": given(h), "input_mask": given(ms),
                                      "recurrent_mask": given(mr), "keras_h_next": listed(got),
                                      "formula_h_next": listed(simple_rnn_formula(x, h, Ws, Us, bs, ms, mr))}
    return out


def masks_over_time(module, cell, seed=3, steps=6, batch=4, units=3):
    """Whether a layer's input dropout mask is the same at every step of one call: a layer whose
    step output depends only on its masked input (kernel = I, recurrent kernel = 0, and for the
    LSTM a forget gate shut), fed the same input at every step, in training mode. Returns the
    largest change of a row's output between steps (0 when the mask is fixed over time), and
    whether the first step's mask both dropped and kept units (so the check can see a mask)."""
    module.utils.set_random_seed(seed)
    L = module.layers
    x = np.ones((batch, steps, units), np.float32)
    if cell == "simple_rnn":
        layer = L.SimpleRNN(units, dropout=0.5, return_sequences=True)
        layer.build((None, steps, units))
        layer.set_weights([np.eye(units), np.zeros((units, units)), np.zeros(units)])
    else:
        layer = L.LSTM(units, dropout=0.5, return_sequences=True)
        layer.build((None, steps, units))
        bias = np.zeros(4 * units)
        bias[units:2 * units] = -50  # f = 0: c_t = i * g depends on x_t only
        layer.set_weights([np.tile(np.eye(units), 4), np.zeros((units, 4 * units)), bias])
    y = np.asarray(layer(x, training=True))
    first = y[:, :1]
    dropped_and_kept = bool((np.abs(first) < 1e-6).any() and (np.abs(first) > 0.1).any())
    return float(np.abs(y - first).max()), dropped_and_kept


def dumps(ex):
    """The spec's layout: one example per block, one array per line."""
    blocks = []
    for name, fields in ex.items():
        lines = ['  "%s": %s' % (k, json.dumps(v)) for k, v in fields.items()]
        blocks.append(' "%s": {\n%s\n }' % (name, ",\n".join(lines)))
    return "{\n" + ",\n".join(blocks) + "\n}"


def main():
    print(dumps(examples()))


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Keras's half of bench/run: one measurement per process (so VmHWM is this model's peak),
printed as one JSON line with the same fields as rnnlab's half
(src/test/java/io/rnnlab/bench/KerasSideBySide.java).

    keras_side_by_side.py train    --cell lstm --units 256 --layers 1 --embedding 0 --dropout 0
                                   --loss-on last --seq 100 --batch 64 --vocab 65
                                   --warmup 5 --steps 20 --intra 2 --inter 2
    keras_side_by_side.py generate (same model flags) --window-chars 100 --stateful-chars 2000

The model is written the way the tutorials write it: one-hot float inputs (embedding 0) or int
ids into Embedding, LSTM / SimpleRNN layers (Dropout after each when --dropout > 0), Dense
softmax, Adam, categorical cross-entropy. Training runs through model.fit on in-memory arrays of
seeded random data; per-batch wall times come from a callback, so the first batch (tf.function
tracing) is reported apart from the steady state.
"""
import argparse
import json
import os
import platform
import resource
import sys
import time

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["train", "generate"])
    p.add_argument("--case", default="")
    p.add_argument("--cell", default="lstm")
    p.add_argument("--units", type=int, default=256)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--embedding", type=int, default=0)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--loss-on", default="last", choices=["last", "all"])
    p.add_argument("--seq", type=int, default=100)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--vocab", type=int, default=65)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--intra", type=int, default=2)
    p.add_argument("--inter", type=int, default=2)
    p.add_argument("--window-chars", type=int, default=100)
    p.add_argument("--stateful-chars", type=int, default=2000)
    return p.parse_args()


def build(a, batch_size=None, stateful=False):
    """The tutorials' model; stateful=True is the batch-1 stateful copy used for generation."""
    recurrent = {"lstm": keras.layers.LSTM, "simple_rnn": keras.layers.SimpleRNN}[a.cell]
    if a.embedding > 0:
        inp = keras.Input((None if stateful else a.seq,), batch_size=batch_size, dtype="int32")
        x = keras.layers.Embedding(a.vocab, a.embedding)(inp)
    else:
        inp = keras.Input((None if stateful else a.seq, a.vocab), batch_size=batch_size)
        x = inp
    for i in range(a.layers):
        seqs = i + 1 < a.layers or a.loss_on == "all"
        x = recurrent(a.units, return_sequences=seqs, stateful=stateful)(x)
        if a.dropout > 0:
            x = keras.layers.Dropout(a.dropout)(x)
    out = keras.layers.Dense(a.vocab, activation="softmax")(x)
    return keras.Model(inp, out)


def inputs(a, rng, rows, length):
    ids = rng.integers(0, a.vocab, size=(rows, length)).astype(np.int32)
    if a.embedding > 0:
        return ids
    return np.eye(a.vocab, dtype=np.float32)[ids]


def train(a, out):
    rng = np.random.default_rng(7)
    n = a.batch * (a.warmup + a.steps)
    x = inputs(a, rng, n, a.seq)
    y_shape = (n,) if a.loss_on == "last" else (n, a.seq)
    y = np.eye(a.vocab, dtype=np.float32)[rng.integers(0, a.vocab, size=y_shape)]
    t0 = time.perf_counter()
    model = build(a)
    model.compile(optimizer=keras.optimizers.Adam(), loss="categorical_crossentropy")
    t1 = time.perf_counter()
    ends = []
    cpu = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            ends.append(time.perf_counter())
            cpu.append(sum(os.times()[:2]))

    t2 = time.perf_counter()
    model.fit(x, y, batch_size=a.batch, epochs=1, shuffle=False, verbose=0, callbacks=[Clock()])
    step = (ends[-1] - ends[a.warmup - 1]) / a.steps
    out.update(build_s=t1 - t0, first_step_s=ends[0] - t2, step_ms=step * 1e3,
               cpu_ms_per_step=(cpu[-1] - cpu[a.warmup - 1]) * 1e3 / a.steps,
               step_ms_min=float(np.min(np.diff(ends[a.warmup - 1:]))) * 1e3,
               step_ms_median=float(np.median(np.diff(ends[a.warmup - 1:]))) * 1e3,
               train_chars_per_s=a.batch * a.seq / step, jit_compile=bool(model.jit_compile))


def generate(a, out):
    """Batch 1. Window: model.predict on the last seq chars per new char (the tutorials' loop).
    Stateful: a stateful=True copy with the same weights, called directly on one char per step."""
    rng = np.random.default_rng(3)
    model = build(a)
    prompt = rng.integers(0, a.vocab, size=a.seq).astype(np.int32)

    def encode(ids):
        return ids[None, :] if a.embedding > 0 else np.eye(a.vocab, dtype=np.float32)[ids][None]

    def sample(p):
        p = np.asarray(p, dtype=np.float64).reshape(-1, a.vocab)[-1]  # the last step's row
        logits = np.log(np.maximum(p, 1e-12)) / 0.8
        e = np.exp(logits - logits.max())
        return int(rng.choice(a.vocab, p=e / e.sum()))

    window = list(prompt)
    model.predict(encode(np.array(window[-a.seq:])), verbose=0)  # tracing
    t0 = time.perf_counter()
    for _ in range(a.window_chars):
        p = model.predict(encode(np.array(window[-a.seq:])), verbose=0)[0]
        window.append(sample(p))
    out["window_chars_per_s"] = a.window_chars / (time.perf_counter() - t0)

    step_model = build(a, batch_size=1, stateful=True)
    step_model.set_weights(model.get_weights())
    for c in prompt:  # the prompt, one char at a time; also traces the call
        p = step_model(encode(np.array([c])), training=False)
    last = sample(p.numpy()[0])
    t0 = time.perf_counter()
    for _ in range(a.stateful_chars):
        p = step_model(encode(np.array([last])), training=False)
        last = sample(p.numpy()[0])
    out["stateful_chars_per_s"] = a.stateful_chars / (time.perf_counter() - t0)


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main():
    a = parse()
    tf.config.threading.set_intra_op_parallelism_threads(a.intra)
    tf.config.threading.set_inter_op_parallelism_threads(a.inter)
    out = {"side": "keras", "mode": a.mode, "case": a.case, "intra": a.intra, "inter": a.inter}
    {"train": train, "generate": generate}[a.mode](a, out)
    out.update(peak_rss_mb=peak_rss_mb(), tf=tf.__version__, keras=keras.__version__,
               python=platform.python_version())
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())

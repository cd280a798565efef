#!/usr/bin/env python3
"""Keras's half of bench/quality-per-time: the tutorial recipe (one-hot chars -> LSTM(256) ->
Dense softmax, seq 100, windows every 3 chars, batch 64, Adam(), categorical cross-entropy on the
last step) trained on the first 90 % of Tiny Shakespeare for a fixed wall-clock budget, then the
validation loss on the held-out last 10 %, measured exactly as rnnlab's half
(src/test/java/io/rnnlab/bench/TrainingQualityPerTime.java) measures it. Prints one JSON line.

The tutorial materialises one-hot arrays for every window (29 GB at step 1); here the same
one-hot batches are made on the fly by tf.data from the char ids, which only makes Keras faster.

    keras_quality_per_time.py --data FILE --minutes 15 [--intra 2 --inter 2] [--val-stride 7]
"""
import argparse
import json
import math
import os
import time

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

SEQ, STEP, BATCH, UNITS, VAL_FRACTION = 100, 3, 64, 256, 0.1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--minutes", type=float, default=15)
    p.add_argument("--intra", type=int, default=2)
    p.add_argument("--inter", type=int, default=2)
    p.add_argument("--val-stride", type=int, default=7)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(a.intra)
    tf.config.threading.set_inter_op_parallelism_threads(a.inter)
    keras.utils.set_random_seed(a.seed)

    text = open(a.data, encoding="utf-8").read()
    vocab = sorted(set(text))
    v = len(vocab)
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.fromiter((index[c] for c in text), dtype=np.int32, count=len(text))
    n = len(ids)
    cut = int(n - math.floor(VAL_FRACTION * n + 0.5))  # Java's Math.round, as rnnlab's split

    starts = np.arange(0, cut - SEQ, STEP, dtype=np.int64)  # windows end before the cut
    ids_t = tf.constant(ids)

    def window(s):
        x = tf.one_hot(ids_t[s:s + SEQ], v)
        y = tf.one_hot(ids_t[s + SEQ], v)
        return x, y

    train = (tf.data.Dataset.from_tensor_slices(starts).shuffle(len(starts), seed=a.seed)
             .map(window, num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH).prefetch(2))
    steps_per_epoch = math.ceil(len(starts) / BATCH)

    model = keras.Sequential([keras.Input((SEQ, v)), keras.layers.LSTM(UNITS), keras.layers.Dense(v, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

    deadline = time.perf_counter() + a.minutes * 60
    counter = {"steps": 0}

    class Budget(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            counter["steps"] += 1
            if time.perf_counter() >= deadline:
                self.model.stop_training = True

    t0 = time.perf_counter()
    model.fit(train, epochs=1_000_000, steps_per_epoch=steps_per_epoch, verbose=0, callbacks=[Budget()])
    seconds = time.perf_counter() - t0

    val_starts = np.arange(cut, n - SEQ, a.val_stride, dtype=np.int64)
    val = tf.data.Dataset.from_tensor_slices(val_starts).map(window).batch(BATCH)
    loss, acc = model.evaluate(val, verbose=0)
    with open("/proc/self/status") as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024.0
    print(json.dumps({
        "side": "keras", "recipe": f"tutorial: one-hot LSTM({UNITS}), loss on last, Adam lr 0.001, batch {BATCH}, "
        f"window step {STEP}", "minutes": a.minutes, "intra": a.intra, "inter": a.inter,
        "steps": counter["steps"], "chars": counter["steps"] * BATCH * SEQ,
        "train_chars_per_s": counter["steps"] * BATCH * SEQ / seconds, "val_loss": float(loss),
        "val_accuracy": float(acc), "val_windows": len(val_starts), "cut": cut, "peak_rss_mb": rss,
        "keras": keras.__version__, "tf": tf.__version__}), flush=True)


if __name__ == "__main__":
    main()

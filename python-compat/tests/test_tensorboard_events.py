"""rnnlab's TensorBoard event files, read back by TensorBoard's own readers.

A Java run (`<repo>/rnnlab train`) writes RUN/tensorboard/{train,validation}; TensorBoard must
see the same scalars as history.csv / metrics.csv (as float32, which is what a scalar summary
stores), under the tags and directories Keras 3's TensorBoard callback uses, so a Keras run and
an rnnlab run overlay in one TensorBoard.
"""
import csv
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from tensorboard.backend.event_processing import event_accumulator, plugin_event_accumulator

from conftest import HELLO_TEXT, HELLO_VOCAB, LAUNCHER, REPO

EPOCHS = 3
EPOCH_TAGS_TRAIN = {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "epoch_chars_per_second"}
EPOCH_TAGS_VALIDATION = {"epoch_loss", "epoch_accuracy"}


@pytest.fixture(scope="module")
def java_run(tmp_path_factory):
    assert LAUNCHER.exists(), "Java launcher %s is missing" % LAUNCHER
    run = tmp_path_factory.mktemp("tb") / "run"
    subprocess.run([str(LAUNCHER), "train", "--preset", "hello-lstm", "--epochs", str(EPOCHS),
                    "--units", "16", "--val-fraction", "0.2", "--seed", "3", "--out", str(run)],
                   check=True, cwd=REPO, timeout=900)
    return run


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def scalars(logdir):
    """tag -> [(step, value)] as TensorBoard's scalar dashboard gets them (plugin accumulator)."""
    acc = plugin_event_accumulator.EventAccumulator(str(logdir))
    acc.Reload()
    out = {}
    for tag in acc.Tags()["tensors"]:
        out[tag] = [(e.step, float(tf.make_ndarray(e.tensor_proto))) for e in acc.Tensors(tag)]
    return out


def f32(x):
    return float(np.float32(float(x)))


def test_train_scalars_equal_history_and_metrics(java_run):
    history = read_csv(java_run / "history.csv")
    metrics = read_csv(java_run / "metrics.csv")
    assert len(history) == EPOCHS
    got = scalars(java_run / "tensorboard" / "train")
    assert EPOCH_TAGS_TRAIN <= set(got), sorted(got)
    steps = list(range(EPOCHS))
    assert got["epoch_loss"] == list(zip(steps, [f32(r["loss"]) for r in history]))
    assert got["epoch_accuracy"] == list(zip(steps, [f32(r["accuracy"]) for r in history]))
    assert got["epoch_chars_per_second"] == list(
        zip(steps, [f32(r["chars_per_second"]) for r in metrics]))
    assert got["epoch_learning_rate"] == [(s, f32(0.001)) for s in steps]


def test_validation_scalars_equal_history(java_run):
    history = read_csv(java_run / "history.csv")
    got = scalars(java_run / "tensorboard" / "validation")
    assert set(got) == EPOCH_TAGS_VALIDATION
    steps = list(range(EPOCHS))
    assert got["epoch_loss"] == list(zip(steps, [f32(r["val_loss"]) for r in history]))
    assert got["epoch_accuracy"] == list(zip(steps, [f32(r["val_accuracy"]) for r in history]))


def test_event_files_are_plain_tensorflow_events(java_run):
    """The raw reader agrees: version header first, then simple_value scalars per step."""
    history = read_csv(java_run / "history.csv")
    files = sorted((java_run / "tensorboard" / "train").glob("events.out.tfevents.*"))
    assert len(files) == 1
    events = list(tf.compat.v1.train.summary_iterator(str(files[0])))
    assert events[0].file_version == "brain.Event:2"
    losses = [(e.step, v.simple_value) for e in events for v in e.summary.value if v.tag == "epoch_loss"]
    assert losses == [(i, f32(r["loss"])) for i, r in enumerate(history)]
    # The classic (non-plugin) accumulator, which older TensorBoard tools use, sees them too.
    acc = event_accumulator.EventAccumulator(str(files[0].parent))
    acc.Reload()
    assert [e.value for e in acc.Scalars("epoch_accuracy")] == [f32(r["accuracy"]) for r in history]


def test_same_tags_and_layout_as_keras_tensorboard_callback(java_run, tmp_path):
    """A Keras fit with the TensorBoard callback writes these tags; rnnlab writes them all too."""
    import keras

    ids = np.array([HELLO_VOCAB.index(c) for c in HELLO_TEXT])
    x = np.stack([ids[i:i + 10] for i in range(len(ids) - 10)])
    y = ids[10:]
    model = keras.Sequential([keras.Input((10,)), keras.layers.Embedding(len(HELLO_VOCAB), 4),
                              keras.layers.LSTM(4), keras.layers.Dense(len(HELLO_VOCAB), "softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, validation_split=0.2, verbose=0,
              callbacks=[keras.callbacks.TensorBoard(str(tmp_path / "keras"), write_graph=False)])
    for split in ("train", "validation"):
        keras_tags = {t for t in scalars(tmp_path / "keras" / split) if t.startswith("epoch_")}
        ours = set(scalars(java_run / "tensorboard" / split))
        assert keras_tags, split
        assert keras_tags <= ours, (split, sorted(keras_tags - ours))

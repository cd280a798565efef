"""Shared paths and fixtures: the rnnlab SavedModels the contract tests read.

Two kinds of rnnlab SavedModel are tested with the same tests:
  java-*    made by the Java launcher `<repo>/rnnlab train ...` (the real thing). If the launcher
            is missing or fails, these tests ERROR: they never skip, a missing Java side is news.
  python-*  made by tests/rnnlab_reference.py from the contract alone, with random weights. They
            prove the tests themselves (and generate.py) right, independently of the Java side.
"""
import functools
import os
import subprocess
import sys
from pathlib import Path

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

COMPAT = Path(__file__).resolve().parents[1]
REPO = COMPAT.parent
SAVED_MODELS = REPO / "saved_models"
LAUNCHER = REPO / "rnnlab"
sys.path[:0] = [str(COMPAT), str(COMPAT / "tests")]

import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import rnnlab_reference  # noqa: E402
from train_keras import HELLO_TEXT, build_vocab  # noqa: E402

HELLO_VOCAB = build_vocab(HELLO_TEXT)

# The Java runs the brief asks for: small, a few seconds of training each.
JAVA_RUNS = {
    "java-hello-lstm": ["--preset", "hello-lstm"],
    "java-hello-rnn-emb16": ["--preset", "hello-rnn", "--embedding-dim", "16"],
    "java-2x32-all": ["--preset", "hello-lstm", "--layers", "2", "--units", "32",
                      "--loss-on", "all"],
    # GRU (h only in the step state), Dropout after the input and between the layers only
    "java-2xgru32-dropouts": ["--preset", "hello-lstm", "--cell", "gru", "--layers", "2", "--units", "32",
                              "--dropouts", "0.1,0.2,0"],
}
# What spec.json of each Java run must say (the CLI flags, applied to the preset).
JAVA_SPECS = {
    "java-hello-lstm": dict(cell="lstm", layers=1, units=128, embedding_dim=0, loss_on="last"),
    "java-hello-rnn-emb16": dict(cell="simple_rnn", layers=1, units=128, embedding_dim=16,
                                 loss_on="last"),
    "java-2x32-all": dict(cell="lstm", layers=2, units=32, embedding_dim=0, loss_on="all"),
    "java-2xgru32-dropouts": dict(cell="gru", layers=2, units=32, embedding_dim=0, loss_on="last",
                                  dropout=0.0, dropouts=[0.1, 0.2, 0.0]),
}
# The same three shapes of model, written by the Python reference exporter (smaller units).
PYTHON_SPECS = {
    "python-hello-lstm": rnnlab_reference.spec_for("lstm", len(HELLO_VOCAB), 16),
    "python-hello-rnn-emb16": rnnlab_reference.spec_for("simple_rnn", len(HELLO_VOCAB), 16,
                                                        embedding_dim=16),
    "python-2x32-all": rnnlab_reference.spec_for("lstm", len(HELLO_VOCAB), 32, layers=2,
                                                 loss_on="all"),
}
RNNLAB_MODELS = list(PYTHON_SPECS) + list(JAVA_RUNS)


@pytest.fixture(scope="session")
def rnnlab_models(tmp_path_factory):
    """name -> SavedModel directory, each made once per session on first use."""
    made, failed = {}, {}

    def get(name):
        if name in failed:  # a run that failed once is not retried for every test that needs it
            pytest.fail("%s could not be made: %s" % (name, failed[name]), pytrace=False)
        if name not in made:
            try:
                made[name] = _make(name, tmp_path_factory.mktemp(name))
            except Exception as e:
                failed[name] = "%s: %s" % (type(e).__name__, e)
                raise
        return made[name]

    return get


def _make(name, tmp):
    if name in PYTHON_SPECS:
        weights = rnnlab_reference.random_weights(PYTHON_SPECS[name], seed=len(name))
        return rnnlab_reference.write_savedmodel(str(tmp / "saved_model"), PYTHON_SPECS[name],
                                                 weights, HELLO_VOCAB)
    assert LAUNCHER.exists(), "Java launcher %s is missing: build the Java side first" % LAUNCHER
    run = tmp / "run"
    cmd = [str(LAUNCHER), "train", *JAVA_RUNS[name], "--epochs", "3", "--seed", "1",
           "--out", str(run)]
    subprocess.run(cmd, check=True, cwd=REPO, timeout=900)
    return str(run / "saved_model")


@pytest.fixture(params=RNNLAB_MODELS)
def rnnlab_model(request, rnnlab_models):
    return request.param, rnnlab_models(request.param)


@pytest.fixture(scope="session")
def python_rnnlab_model(rnnlab_models):
    """One known-good rnnlab SavedModel for generate.py's CLI tests."""
    return rnnlab_models("python-hello-lstm")


@functools.lru_cache(maxsize=None)
def load_saved_model(path):
    return tf.saved_model.load(str(path))

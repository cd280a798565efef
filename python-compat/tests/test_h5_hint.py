"""A Keras .h5 file given as a model: rnnlab's one-line error carries the one line of Python that
makes a .keras file of it, and that line works (Keras 3 and tf_keras .h5 files)."""
import re
import subprocess
import sys

import pytest

from conftest import LAUNCHER, REPO


def rnnlab(*args, cwd):
    return subprocess.run([str(LAUNCHER), *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.mark.parametrize("flavour", ["keras3", "tf_keras"])
def test_the_hinted_line_turns_an_h5_into_a_keras_file_rnnlab_reads(tmp_path, flavour):
    if flavour == "keras3":
        import keras
    else:
        import tf_keras as keras
    model = keras.Sequential([keras.Input((10, 6)), keras.layers.LSTM(8), keras.layers.Dense(6, activation="softmax")])
    model.save(str(tmp_path / "model.h5"))

    r = rnnlab("predict", "--model", "model.h5", "--prompt", "ab", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    command = re.search(r'with: python -c "(.*)"$', lines[0]).group(1)

    done = subprocess.run([sys.executable, "-c", command], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    inspected = rnnlab("inspect", str(tmp_path / "model.keras"), cwd=REPO)
    assert inspected.returncode == 0, inspected.stderr
    assert "lstm(8)" in inspected.stdout


def test_a_weights_only_h5_is_named_as_such(tmp_path):
    import tf_keras as keras
    model = keras.Sequential([keras.Input((10, 6)), keras.layers.LSTM(8), keras.layers.Dense(6, activation="softmax")])
    model.save_weights(str(tmp_path / "weights.h5"))
    r = rnnlab("generate", "--model", "weights.h5", "--prompt", "ab", "--length", "3", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        "rnnlab: error: weights.h5 is a Keras weights file (.h5 without the model's layers): rnnlab uses it only"
        " as --init-from weights for the model the train flags describe"]

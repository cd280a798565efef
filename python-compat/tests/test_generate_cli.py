"""generate.py's command line: user mistakes get one clear line on stderr and exit code 2."""
import subprocess
import sys

import pytest

from conftest import COMPAT


def run(*args):
    return subprocess.run([sys.executable, str(COMPAT / "generate.py"), *args],
                          capture_output=True, text=True, timeout=120)


def assert_user_error(result, words):
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("generate.py: error: ")
    for w in words:
        assert w in lines[0]
    assert result.stdout == ""


def test_missing_path(tmp_path):
    assert_user_error(run(str(tmp_path / "nope"), "--prompt", "hello", "--length", "5"),
                      ["no SavedModel", "nope"])


def test_prompt_char_not_in_vocab(python_rnnlab_model):
    assert_user_error(run(python_rnnlab_model, "--prompt", "hello Z", "--length", "5"),
                      ["'Z'", "not in the model's vocabulary", "22 chars"])


@pytest.mark.parametrize("t", ["-0.5", "-1"])
def test_negative_temperature(python_rnnlab_model, t):
    assert_user_error(run(python_rnnlab_model, "--prompt", "hello", "--temperature", t),
                      ["--temperature must be >= 0"])


def test_prints_prompt_then_continuation(python_rnnlab_model):
    r = run(python_rnnlab_model, "--prompt", "hello", "--length", "12", "--temperature", "0.8",
            "--seed", "3")
    assert r.returncode == 0, r.stderr
    text = r.stdout.rstrip("\n")
    assert text.startswith("hello") and len(text) == 5 + 12


def test_a_regression_model_is_named_as_such(tmp_path):
    """A sum-task SavedModel has no vocabulary: the error says what the model is, not that a
    file is missing."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "saved_model.pb").write_bytes(b"")
    (tmp_path / "assets" / "spec.json").write_text('{"head": "regression", "cell": "lstm"}')
    assert_user_error(run(str(tmp_path), "--prompt", "1", "--length", "5"),
                      ["is a regression model", "does not generate text"])


def test_state_size_counts_each_layers_state_vectors():
    """h and c per LSTM layer, h per SimpleRNN or GRU layer; a mixed stack lists its cells."""
    import generate

    assert generate.state_size({"cell": "lstm", "layers": 2, "units": 16}) == 64
    assert generate.state_size({"cell": "simple_rnn", "layers": 2, "units": 16}) == 32
    assert generate.state_size({"cell": "gru", "layers": 1, "units": 16}) == 16
    assert generate.state_size({"cell": "gru", "cells": ["gru", "lstm"], "layers": 2, "units": 16}) == 48

"""Java -> Python: rnnlab SavedModels read by TensorFlow, Keras and generate.py.

Each test runs on every model in conftest.RNNLAB_MODELS: the java-* ones are made by the Java
launcher (these error if it is missing), the python-* ones by the contract's reference exporter.
"""
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import COMPAT, HELLO_VOCAB, JAVA_SPECS, PYTHON_SPECS, load_saved_model
import generate

TOL = 1e-5


def assets(path, name):
    with open(os.path.join(path, "assets", name), encoding="utf-8") as f:
        return json.load(f)


def state_size(spec):
    return generate.state_size(spec)


def call(sig, **inputs):
    """Runs a signature on numpy inputs, cast to the signature's own dtypes."""
    specs = sig.structured_input_signature[1]
    return {k: v.numpy() for k, v in
            sig(**{k: tf.constant(v, dtype=specs[k].dtype) for k, v in inputs.items()}).items()}


def window_ids(spec, inputs):
    """Char ids of a serving_default input: the ids themselves, or the argmax of one-hot rows."""
    x = np.asarray(inputs)
    return x.astype(np.int32) if spec["embedding_dim"] else x.argmax(axis=-1).astype(np.int32)


def test_assets_describe_the_model(rnnlab_model):
    name, path = rnnlab_model
    spec, vocab = assets(path, "spec.json"), assets(path, "vocab.json")
    want = JAVA_SPECS.get(name) or PYTHON_SPECS[name]
    assert {k: spec[k] for k in want} == want
    assert spec["head"] == "softmax" and spec["seq_len"] == 10
    assert vocab["format"] == "rnnlab-vocab" and vocab["version"] == 1
    # Every run trains on the hello corpus: the ids must be its sorted unique characters.
    assert vocab["chars"] == HELLO_VOCAB
    assert spec["vocab_size"] == len(HELLO_VOCAB)


def test_signatures_have_the_contract_names_dtypes_and_shapes(rnnlab_model):
    _, path = rnnlab_model
    spec = assets(path, "spec.json")
    sigs = load_saved_model(path).signatures
    assert {"serving_default", "step"} <= set(sigs.keys())

    seq, vocab, size = spec["seq_len"], spec["vocab_size"], state_size(spec)
    serving = sigs["serving_default"]
    (inp,) = serving.structured_input_signature[1].values()
    if spec["embedding_dim"]:
        assert (inp.name, inp.dtype, inp.shape.as_list()) == ("inputs", tf.int32, [None, seq])
    else:
        assert (inp.name, inp.dtype, inp.shape.as_list()) == ("inputs", tf.float32,
                                                              [None, seq, vocab])
    (out_key,) = serving.structured_outputs.keys()
    out_shape = serving.structured_outputs[out_key].shape.as_list()
    assert out_key == "probabilities"
    assert out_shape == ([None, vocab] if spec["loss_on"] == "last" else [None, seq, vocab])

    step = sigs["step"]
    ins = step.structured_input_signature[1]
    assert {k: (v.dtype, v.shape.as_list()) for k, v in ins.items()} == {
        "char_ids": (tf.int32, [None]), "state": (tf.float32, [None, size])}
    outs = step.structured_outputs
    assert {k: outs[k].shape.as_list() for k in outs} == {
        "probabilities": [None, vocab], "state": [None, size]}


def test_serving_default_reproduces_reference_io(rnnlab_model):
    _, path = rnnlab_model
    ref = assets(path, "reference_io.json")["serving_default"]
    got = call(load_saved_model(path).signatures["serving_default"], inputs=ref["inputs"])
    want = np.array(ref["probabilities"], np.float32)
    assert got["probabilities"].shape == want.shape and want.shape[0] == 2
    np.testing.assert_allclose(got["probabilities"], want, atol=TOL, rtol=0)


def test_step_reproduces_reference_io(rnnlab_model):
    _, path = rnnlab_model
    ref = assets(path, "reference_io.json")["step"]
    got = call(load_saved_model(path).signatures["step"], char_ids=ref["char_ids"],
               state=ref["state"])
    assert len(ref["char_ids"]) == 2
    # A reference that feeds zero state would not exercise the recurrent weights.
    assert np.abs(np.array(ref["state"])).max() > 0
    np.testing.assert_allclose(got["probabilities"], np.array(ref["probabilities"]), atol=TOL,
                               rtol=0)
    np.testing.assert_allclose(got["state"], np.array(ref["state_out"]), atol=TOL, rtol=0)


def test_keras_tfsmlayer_gives_the_same_outputs(rnnlab_model):
    _, path = rnnlab_model
    ref = assets(path, "reference_io.json")["serving_default"]
    layer = keras.layers.TFSMLayer(path, call_endpoint="serving_default")
    spec = assets(path, "spec.json")
    dtype = "int32" if spec["embedding_dim"] else "float32"
    out = layer(np.array(ref["inputs"], dtype=dtype))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out["probabilities"]),
                               np.array(ref["probabilities"]), atol=TOL, rtol=0)


def test_step_from_zero_state_equals_serving_default(rnnlab_model):
    """The two signatures are one model: stepping through a window char by char from zero state
    gives serving_default's probabilities (at the last step, or at every step for loss_on=all)."""
    _, path = rnnlab_model
    spec = assets(path, "spec.json")
    sigs = load_saved_model(path).signatures
    inputs = assets(path, "reference_io.json")["serving_default"]["inputs"]
    window = call(sigs["serving_default"], inputs=inputs)["probabilities"]

    ids = window_ids(spec, inputs)
    state = np.zeros((len(ids), state_size(spec)), np.float32)
    stepped = []
    for t in range(spec["seq_len"]):
        out = call(sigs["step"], char_ids=ids[:, t], state=state)
        stepped.append(out["probabilities"])
        state = out["state"]
    stepped = np.stack(stepped, axis=1)  # [batch, seq_len, vocab]
    want = stepped[:, -1] if spec["loss_on"] == "last" else stepped
    assert window.shape == want.shape
    np.testing.assert_allclose(want, window, atol=TOL, rtol=0)
    np.testing.assert_allclose(stepped.sum(axis=-1), 1.0, atol=TOL)


def test_generate_greedy_is_deterministic_and_agrees_with_the_window(rnnlab_model):
    _, path = rnnlab_model
    spec = assets(path, "spec.json")
    prompt = "hello worl"  # exactly seq_len chars: stateful warm-up == one serving window
    assert len(prompt) == spec["seq_len"]
    cli = [sys.executable, str(COMPAT / "generate.py"), path, "--prompt", prompt, "--length",
           "30", "--temperature", "0"]
    printed = subprocess.run(cli, check=True, capture_output=True, text=True).stdout
    again = generate.generate(path, prompt, 30, temperature=0)
    assert printed == again + "\n"
    assert again.startswith(prompt) and len(again) == len(prompt) + 30
    assert set(again) <= set(HELLO_VOCAB)

    # The first generated char is the argmax of serving_default on the prompt window.
    ids = np.array([[HELLO_VOCAB.index(c) for c in prompt]], np.int32)
    x = ids if spec["embedding_dim"] else np.eye(len(HELLO_VOCAB), dtype=np.float32)[ids]
    p = call(load_saved_model(path).signatures["serving_default"], inputs=x)["probabilities"]
    p = p[0] if spec["loss_on"] == "last" else p[0, -1]
    assert again[len(prompt)] == HELLO_VOCAB[int(np.argmax(p))]


def test_generate_with_a_seed_is_reproducible(rnnlab_model):
    _, path = rnnlab_model
    a = generate.generate(path, "hello", 60, temperature=1.0, seed=7)
    b = generate.generate(path, "hello", 60, temperature=1.0, seed=7)
    c = generate.generate(path, "hello", 60, temperature=1.0, seed=8)
    assert a == b
    assert a != c  # the seed really drives the sampling
    assert a.startswith("hello") and len(a) == 65 and set(a) <= set(HELLO_VOCAB)

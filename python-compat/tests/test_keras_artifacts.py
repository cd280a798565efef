"""The Keras artifacts in saved_models/ load and reproduce their expected.json, and the rnnlab
contract's math (tests/rnnlab_reference.py) equals Keras's on real Keras weights."""
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import rnnlab_reference
from conftest import HELLO_TEXT, HELLO_VOCAB, SAVED_MODELS, load_saved_model
from train_keras import TWO_CITIES_TEXT, build_vocab, char_windows

TOL = 1e-5

# Artifact -> (format, vocabulary it must have; None = regression). Listed, not discovered, so a
# missing artifact fails instead of silently shrinking the test set.
SAVEDMODELS = {
    "keras3-lstm-hello": HELLO_VOCAB,
    "keras3-simplernn-hello": HELLO_VOCAB,
    "keras2-lstm-embedding": HELLO_VOCAB,
    "keras3-2xlstm-embedding": build_vocab(TWO_CITIES_TEXT),
    "keras3-sum-lstm": None,
    "keras3-functional-2xlstm-logits": build_vocab(TWO_CITIES_TEXT),
    "keras3-simplernn-anylength": HELLO_VOCAB,
}
# .keras files -> their layer names (Keras's defaults; a Functional model lists its InputLayer).
KERAS_FILES = {"keras3-lstm-hello": ["lstm", "dense"],
               "keras3-simplernn-hello": ["simple_rnn", "dense"],
               "keras3-functional-2xlstm-logits": ["input_layer", "lstm", "dropout", "lstm_1",
                                                   "dropout_1", "dense"],
               "keras3-simplernn-anylength": ["simple_rnn", "dense"]}
# Built with Input(shape=(None, ...)): generated from the whole text so far, not a window.
ANY_LENGTH = {"keras3-simplernn-anylength"}
# Their Dense is linear: expected.json holds logits.
LOGITS = {"keras3-functional-2xlstm-logits"}
# What Keras names a signature's tensors: Keras 3 export and Keras 2 (tf_keras) model.save.
SIGNATURE_KEYS = {"keras3": ("keras_tensor", "output_0"), "keras2": ("input_1", "dense")}


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def savedmodel_predict(path):
    sig = load_saved_model(path).signatures["serving_default"]
    (key, spec), = sig.structured_input_signature[1].items()
    return lambda x: sig(**{key: tf.constant(x, spec.dtype)})


def window_input(vocab, ids, one_hot):
    ids = np.asarray(ids, np.int32)
    return np.eye(len(vocab), dtype=np.float32)[ids] if one_hot else ids


def test_saved_models_dir_holds_exactly_the_listed_artifacts_and_stays_small():
    names = {n for n in os.listdir(SAVED_MODELS) if (SAVED_MODELS / n / "saved_model.pb").exists()}
    assert names == set(SAVEDMODELS)
    kfiles = {n[:-len(".keras")] for n in os.listdir(SAVED_MODELS) if n.endswith(".keras")}
    assert kfiles == set(KERAS_FILES)
    total = sum(f.stat().st_size for f in SAVED_MODELS.rglob("*") if f.is_file())
    assert total < 15 * 2**20
    assert not any("shakespeare" in f.name.lower() for f in SAVED_MODELS.rglob("*"))


@pytest.mark.parametrize("name", sorted(SAVEDMODELS))
def test_savedmodel_reproduces_expected_json(name):
    path = str(SAVED_MODELS / name)
    exp = read_json(os.path.join(path, "expected.json"))
    sig = load_saved_model(path).signatures["serving_default"]
    (key, spec), = sig.structured_input_signature[1].items()
    (out_key,) = sig.structured_outputs
    assert exp["signature"] == "serving_default"
    assert (key, out_key) == (exp["input_key"], exp["output_key"])
    assert (key, out_key) == SIGNATURE_KEYS[name.split("-")[0]]
    assert spec.dtype.name == exp["input_dtype"]
    x = np.array(exp["input"], dtype=exp["input_dtype"])
    assert x.shape[0] == 2
    got = sig(**{key: tf.constant(x)})[out_key].numpy()
    want = np.array(exp["output"], np.float32)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=TOL, rtol=0)


@pytest.mark.parametrize("name", sorted(KERAS_FILES))
def test_keras_file_loads_and_matches_its_expected_json_and_its_export(name):
    exp = read_json(SAVED_MODELS / (name + ".expected.json"))
    assert exp["signature"] is None  # a .keras file has none: keys are Keras's tensor names
    assert (exp["input_key"], exp["output_key"]) == ("input_layer", "dense")
    model = keras.saving.load_model(SAVED_MODELS / (name + ".keras"))
    assert [layer.name for layer in model.layers] == KERAS_FILES[name]
    x = np.array(exp["input"], dtype=exp["input_dtype"])
    got = keras.ops.convert_to_numpy(model(x))
    np.testing.assert_allclose(got, np.array(exp["output"]), atol=TOL, rtol=0)
    # Written from the same trained model as the SavedModel export: same numbers, same text.
    exported = read_json(SAVED_MODELS / name / "expected.json")
    np.testing.assert_allclose(got, np.array(exported["output"]), atol=TOL, rtol=0)
    assert (exp["prompt"], exp["greedy"]) == (exported["prompt"], exported["greedy"])


@pytest.mark.parametrize("name", sorted(n for n, v in SAVEDMODELS.items() if v))
def test_output_kind_says_whether_rows_are_probabilities(name):
    exp = read_json(SAVED_MODELS / name / "expected.json")
    rows = np.array(exp["output"])
    assert exp.get("output_kind", "probabilities") == ("logits" if name in LOGITS else "probabilities")
    sums_to_one = np.allclose(rows.sum(-1), 1.0, atol=1e-5) and (rows >= 0).all()
    assert sums_to_one == (name not in LOGITS)
    assert exp.get("any_length", False) == (name in ANY_LENGTH)


@pytest.mark.parametrize("name", sorted(SAVEDMODELS))
def test_vocab_json_and_prompt_match_the_input(name):
    path = SAVED_MODELS / name
    exp = read_json(path / "expected.json")
    if SAVEDMODELS[name] is None:  # regression: no vocabulary, no text
        assert not (path / "vocab.json").exists()
        assert "prompt" not in exp and "greedy" not in exp
        x = np.array(exp["input"])
        np.testing.assert_allclose(np.array(exp["output"])[:, 0], x.sum(axis=(1, 2)), atol=0.5)
        return
    vocab = read_json(path / "vocab.json")
    assert vocab == {"format": "rnnlab-vocab", "version": 1, "chars": SAVEDMODELS[name]}
    x = np.array(exp["input"])
    ids = x[0].argmax(-1) if x.ndim == 3 else x[0]
    assert "".join(vocab["chars"][i] for i in ids) == exp["prompt"]
    assert len(exp["greedy"]) == 40
    if name.endswith("-hello"):
        assert exp["greedy"] == "d. this is a simple example of character"


@pytest.mark.parametrize("name", [n for n, v in sorted(SAVEDMODELS.items()) if v])
def test_greedy_text_is_what_the_artifact_generates(name):
    """Window mode: feed the last seq_len chars, append the argmax."""
    path = str(SAVED_MODELS / name)
    exp = read_json(os.path.join(path, "expected.json"))
    chars = SAVEDMODELS[name]
    predict = savedmodel_predict(path)
    one_hot = np.array(exp["input"]).ndim == 3
    window = [chars.index(c) for c in exp["prompt"]]
    seq = len(window)
    out = ""
    for _ in range(40):
        p = predict(window_input(chars, [window if name in ANY_LENGTH else window[-seq:]], one_hot))
        (p,) = p.values()
        window.append(int(np.argmax(p.numpy()[0])))
        out += chars[window[-1]]
    assert out == exp["greedy"]


@pytest.mark.parametrize("name", ["keras3-lstm-hello", "keras3-simplernn-hello"])
def test_hello_models_learned_the_corpus(name):
    ids = np.array([HELLO_VOCAB.index(c) for c in HELLO_TEXT])
    x, y = char_windows(ids, 10, 1)
    (p,) = savedmodel_predict(str(SAVED_MODELS / name))(window_input(HELLO_VOCAB, x, True)).values()
    accuracy = float((p.numpy().argmax(-1) == y).mean())
    assert accuracy >= 0.95


@pytest.mark.parametrize("name", [n for n in sorted(SAVEDMODELS) if n.startswith("keras3")])
def test_keras3_tfsmlayer_reads_the_export(name):
    path = str(SAVED_MODELS / name)
    exp = read_json(os.path.join(path, "expected.json"))
    out = keras.layers.TFSMLayer(path, call_endpoint="serving_default")(
        np.array(exp["input"], dtype=exp["input_dtype"]))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out[exp["output_key"]]),
                               np.array(exp["output"]), atol=TOL, rtol=0)


def test_keras2_savedmodel_loads_in_tf_keras():
    import tf_keras

    path = str(SAVED_MODELS / "keras2-lstm-embedding")
    exp = read_json(os.path.join(path, "expected.json"))
    model = tf_keras.models.load_model(path)
    assert [layer.name for layer in model.layers] == ["embedding", "lstm", "dense"]
    got = model(np.array(exp["input"], dtype="int32")).numpy()
    np.testing.assert_allclose(got, np.array(exp["output"]), atol=TOL, rtol=0)


# --- The rnnlab contract's math is Keras's math ---------------------------------------------


def untrained(layers):
    keras.utils.set_random_seed(3)
    model = keras.Sequential(layers)
    return model


def contract_cases():
    """(name, Keras model factory, spec, vocab): trained artifacts and fresh multi-layer models
    covering embedding input, SimpleRNN stacks and loss on every step."""
    v = HELLO_VOCAB
    return {
        "keras3-lstm-hello.keras": (
            lambda: keras.saving.load_model(SAVED_MODELS / "keras3-lstm-hello.keras"),
            rnnlab_reference.spec_for("lstm", len(v), 128)),
        "keras3-simplernn-hello.keras": (
            lambda: keras.saving.load_model(SAVED_MODELS / "keras3-simplernn-hello.keras"),
            rnnlab_reference.spec_for("simple_rnn", len(v), 128)),
        "embedding-2xlstm-all": (
            lambda: untrained([keras.Input((10,), dtype="int32"), keras.layers.Embedding(len(v), 8),
                               keras.layers.LSTM(12, return_sequences=True),
                               keras.layers.LSTM(12, return_sequences=True),
                               keras.layers.Dense(len(v), activation="softmax")]),
            rnnlab_reference.spec_for("lstm", len(v), 12, layers=2, embedding_dim=8,
                                      loss_on="all")),
        "onehot-2xsimplernn": (
            lambda: untrained([keras.Input((10, len(v))),
                               keras.layers.SimpleRNN(12, return_sequences=True),
                               keras.layers.SimpleRNN(12),
                               keras.layers.Dense(len(v), activation="softmax")]),
            rnnlab_reference.spec_for("simple_rnn", len(v), 12, layers=2)),
    }


@pytest.mark.parametrize("case", sorted(contract_cases()))
def test_rnnlab_contract_savedmodel_equals_keras(case, tmp_path):
    """Keras weights, written as an rnnlab SavedModel (Keras weight names, gate order i f c o,
    state layout h, c per layer), give Keras's outputs in both window and step mode."""
    keras.backend.clear_session()
    factory, spec = contract_cases()[case]
    model = factory()
    path = rnnlab_reference.write_savedmodel(
        str(tmp_path / "sm"), spec, rnnlab_reference.keras_weights(model), HELLO_VOCAB)
    sigs = tf.saved_model.load(path).signatures
    ids = np.array([[HELLO_VOCAB.index(c) for c in HELLO_TEXT[s:s + 10]] for s in (0, 40)])
    x = window_input(HELLO_VOCAB, ids, one_hot=not spec["embedding_dim"])
    want = keras.ops.convert_to_numpy(model(x))
    got = sigs["serving_default"](inputs=tf.constant(x))["probabilities"].numpy()
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=TOL, rtol=0)

    size = spec["layers"] * (2 if spec["cell"] == "lstm" else 1) * spec["units"]
    state = tf.zeros([2, size])
    for t in range(10):
        out = sigs["step"](char_ids=tf.constant(ids[:, t], tf.int32), state=state)
        state = out["state"]
    last = want if spec["loss_on"] == "last" else want[:, -1]
    np.testing.assert_allclose(out["probabilities"].numpy(), last, atol=TOL, rtol=0)

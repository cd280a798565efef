#!/usr/bin/env python3
"""train_keras.py: the classic Keras RNN tutorials, written the way a Keras user writes them.

These are the same presets rnnlab's Java side builds (same layers, same Keras layer names, same
data windows), so the artifacts written here are what rnnlab's importer must read and what its
tests compare against:

    sum-rnn / sum-lstm        SimpleRNN(20) / LSTM(20) + Dense(1): learn the sum of 5 floats
    hello-rnn / hello-lstm    one-hot chars -> SimpleRNN(128) / LSTM(128) -> Dense(V, softmax)
    shakespeare-lstm256       one-hot chars -> LSTM(256) -> Dense(V, softmax), seq 100
    shakespeare-2x512         Embedding(V, 256) -> 2 x LSTM(512) + Dropout(0.2) -> Dense(V, softmax)

Keras users also write these models as keras.Model(inputs, outputs) (--api functional), end them
in a linear Dense trained with from_logits=True (--head logits), or build them for any window
length (--any-length); the artifacts here cover those too.

Output formats (--format, comma-separated or "all"), for a run named NAME in --out DIR:

    keras3-export       DIR/keras3-NAME/       Keras 3 model.export(): a TF SavedModel
    keras2-savedmodel   DIR/keras2-NAME/       tf_keras (Keras 2) model.save(): a TF SavedModel
    keras               DIR/keras3-NAME.keras  Keras 3 model.save()

Every artifact gets rnnlab's vocab.json (char models) and an expected.json holding a fixed input
batch and the outputs of the artifact *as loaded back from disk*, so other loaders (rnnlab's Java
importer, the tests here) can check themselves against it. SavedModels hold both files next to
saved_model.pb; a .keras file has NAME.vocab.json and NAME.expected.json beside it.

    python train_keras.py --preset hello-lstm --out /tmp/out --format all
"""
import argparse
import json
import os
import sys

# Keras 3 must run on TensorFlow: model.export() writes a TF SavedModel only from that backend.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# We import Keras 3 (`keras`) and Keras 2 (`tf_keras`) by name and never touch `tf.keras`, so
# TF_USE_LEGACY_KERAS (which only redirects `tf.keras`) cannot change what this script builds.

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Configuration: plain data.

HELLO_TEXT = (
    "hello world. this is a simple example of character level text generation using rnn and lstm."
)

# Opening of Charles Dickens, "A Tale of Two Cities" (1859, public domain). Used where a model
# must have a vocabulary different from the hello corpus (capitals, commas, semicolons).
TWO_CITIES_TEXT = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the "
    "age of foolishness, it was the epoch of belief, it was the epoch of incredulity, it was the "
    "season of Light, it was the season of Darkness, it was the spring of hope, it was the winter "
    "of despair, we had everything before us, we had nothing before us, we were all going direct "
    "to Heaven, we were all going direct the other way; in short, the period was so far like the "
    "present period, that some of its noisiest authorities insisted on its being received, for "
    "good or for evil, in the superlative degree of comparison only.\n"
)

CORPORA = {"hello": HELLO_TEXT, "two-cities": TWO_CITIES_TEXT}

# Defaults shared by every preset; each preset overrides what its tutorial changes.
BASE = dict(
    task="char",  # "char": next-character softmax; "sum": regression on a sequence of floats
    cell="lstm",  # "lstm" | "simple_rnn" (Keras's layer names)
    units=128,
    layers=1,
    embedding_dim=0,  # 0 = one-hot float32 input; >0 = int32 ids into Embedding(V, dim)
    dropout=0.0,  # Dropout after each recurrent layer, when > 0
    seq_len=10,
    step=1,  # stride between training windows
    val_split=0.0,  # the last fraction of windows is held out (Keras's validation_split rule)
    batch=16,
    epochs=100,
    samples=0,  # sum task only: how many random sequences
    api="sequential",  # "sequential" | "functional": the same layers, as keras.Model(inputs, outputs)
    head="softmax",  # char task: "softmax" | "logits" (linear Dense, loss from_logits=True)
    any_length=False,  # Input(shape=(None, ...)): the model takes windows of any length
)

PRESETS = {
    "sum-rnn": dict(BASE, task="sum", cell="simple_rnn", units=20, seq_len=5, samples=1000,
                    val_split=0.2, batch=32, epochs=20),
    "sum-lstm": dict(BASE, task="sum", cell="lstm", units=20, seq_len=5, samples=1000,
                     val_split=0.2, batch=32, epochs=20),
    "hello-rnn": dict(BASE, cell="simple_rnn"),
    "hello-lstm": dict(BASE, cell="lstm"),
    "shakespeare-lstm256": dict(BASE, units=256, seq_len=100, step=3, val_split=0.1, batch=64,
                                epochs=20),
    "shakespeare-2x512": dict(BASE, units=512, layers=2, embedding_dim=256, dropout=0.2,
                              seq_len=100, step=3, val_split=0.1, batch=64, epochs=20),
}

FORMATS = ("keras3-export", "keras2-savedmodel", "keras")
GREEDY_CHARS = 40  # length of the greedy continuation recorded in expected.json

# ---------------------------------------------------------------------------------------------
# Data.


def build_vocab(text):
    """rnnlab's vocabulary: the sorted unique characters; a char's id is its index."""
    return sorted(set(text))


def char_windows(ids, seq_len, step):
    """Sliding windows over the id sequence: x = ids[s : s+seq_len], y = ids[s+seq_len]."""
    starts = np.arange(0, len(ids) - seq_len, step)
    x = np.stack([ids[s:s + seq_len] for s in starts]).astype(np.int32)
    y = ids[starts + seq_len].astype(np.int32)
    return x, y


def sum_data(samples, seq_len, seed):
    """The regression tutorial: sequences of uniform[0,1) floats, target = their sum."""
    rng = np.random.default_rng(seed)
    x = rng.random((samples, seq_len, 1), dtype=np.float32)
    y = x.sum(axis=(1, 2)).reshape(-1, 1).astype(np.float32)
    return x, y


def split(x, y, val_split):
    """Keras's validation_split rule: the *last* fraction, taken before any shuffling."""
    n_train = len(x) - int(len(x) * val_split)
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def model_inputs(cfg, x_ids, vocab_size):
    """What the model is fed: int32 ids for Embedding models, float32 one-hot otherwise."""
    if cfg["task"] == "sum" or cfg["embedding_dim"]:
        return x_ids
    return tf.one_hot(x_ids, vocab_size, dtype=tf.float32).numpy()


def char_dataset(cfg, x_ids, y_ids, vocab_size, shuffle):
    """Batches one-hot-encoded on the fly: a Shakespeare one-hot input would not fit in memory."""
    ds = tf.data.Dataset.from_tensor_slices((x_ids, y_ids))
    if shuffle:
        ds = ds.shuffle(len(x_ids), reshuffle_each_iteration=True)

    def encode(x, y):
        if not cfg["embedding_dim"]:
            x = tf.one_hot(x, vocab_size, dtype=tf.float32)
        return x, tf.one_hot(y, vocab_size, dtype=tf.float32)  # categorical crossentropy targets

    return ds.batch(cfg["batch"]).map(encode).prefetch(2)


# ---------------------------------------------------------------------------------------------
# Model. `K` is a Keras module: `keras` (Keras 3) or `tf_keras` (Keras 2); their APIs agree here.


def build_model(K, cfg, vocab_size):
    L = K.layers
    seq = None if cfg.get("any_length") else cfg["seq_len"]
    if cfg["task"] == "sum":
        inputs = K.Input(shape=(seq, 1))
    elif cfg["embedding_dim"]:
        inputs = K.Input(shape=(seq,), dtype="int32")
    else:
        inputs = K.Input(shape=(seq, vocab_size))
    layers = []
    if cfg["task"] == "char" and cfg["embedding_dim"]:
        layers.append(L.Embedding(vocab_size, cfg["embedding_dim"]))
    rnn = {"lstm": L.LSTM, "simple_rnn": L.SimpleRNN}[cfg["cell"]]
    for i in range(cfg["layers"]):
        # Every layer but the last hands its whole sequence to the next one.
        layers.append(rnn(cfg["units"], return_sequences=i < cfg["layers"] - 1))
        if cfg["dropout"]:
            layers.append(L.Dropout(cfg["dropout"]))
    logits = cfg["task"] == "char" and cfg.get("head") == "logits"
    if cfg["task"] == "sum":
        layers.append(L.Dense(1))
    else:
        layers.append(L.Dense(vocab_size, activation=None if logits else "softmax"))
    if cfg.get("api") == "functional":
        x = inputs
        for layer in layers:
            x = layer(x)
        model = K.Model(inputs, x)
    else:
        model = K.Sequential([inputs, *layers])
    if cfg["task"] == "sum":
        model.compile(loss="mse", optimizer="adam")
    else:
        loss = K.losses.CategoricalCrossentropy(from_logits=True) if logits else "categorical_crossentropy"
        model.compile(loss=loss, optimizer="adam", metrics=["accuracy"])
    return model


def keras2_twin(cfg, vocab_size, model):
    """The same network in tf_keras with the trained weights: Keras 2 stores weights in the same
    order and layout (LSTM gates i, f, c, o), so set_weights() is an exact copy."""
    import tf_keras

    tf_keras.backend.clear_session()  # default layer names: lstm, dense, ...
    twin = build_model(tf_keras, cfg, vocab_size)
    twin.set_weights(model.get_weights())
    return twin


# ---------------------------------------------------------------------------------------------
# Loading an artifact back, the way a consumer would, to record its outputs.


def saved_model_predictor(path):
    """serving_default of a SavedModel, as a function numpy -> numpy, plus its key names."""
    sig = tf.saved_model.load(path).signatures["serving_default"]
    (input_key, spec), = sig.structured_input_signature[1].items()
    (output_key,) = sig.structured_outputs.keys()

    def predict(x):
        return sig(**{input_key: tf.constant(x, dtype=spec.dtype)})[output_key].numpy()

    return predict, input_key, spec.dtype.name, output_key


def keras_file_predictor(path):
    """A .keras file has no signatures: its input key is the model's input tensor name and its
    output key the output layer's name."""
    model = keras.saving.load_model(path)
    dtype = model.inputs[0].dtype

    def predict(x):
        return keras.ops.convert_to_numpy(model(np.asarray(x, dtype=dtype), training=False))

    return predict, model.inputs[0].name, dtype, model.layers[-1].name


def greedy(predict, cfg, vocab, prompt_ids, length):
    """Greedy generation as the model is built to be run: feed the last seq_len chars (the whole
    text so far for a model that takes any length), append the argmax, repeat."""
    window = list(prompt_ids)
    out = []
    for _ in range(length):
        last = window if cfg.get("any_length") else window[-cfg["seq_len"]:]
        x = model_inputs(cfg, np.array([last], dtype=np.int32), len(vocab))
        next_id = int(np.argmax(predict(x)[0]))
        out.append(vocab[next_id])
        window.append(next_id)
    return "".join(out)


def expected_record(predict, input_key, input_dtype, output_key, cfg, vocab, batch_ids, batch_x,
                    signature):
    record = {
        "signature": signature,  # None for a .keras file, which has no signatures
        "input_key": input_key,
        "input_dtype": input_dtype,
        "input": batch_x.tolist(),
        "output_key": output_key,
        "output": predict(batch_x).tolist(),
        "output_kind": "logits" if cfg["task"] == "char" and cfg.get("head") == "logits" else "probabilities",
        "any_length": bool(cfg.get("any_length")),
    }
    if cfg["task"] == "char":
        record["prompt"] = "".join(vocab[i] for i in batch_ids[0])
        record["greedy"] = greedy(predict, cfg, vocab, batch_ids[0], GREEDY_CHARS)
    return record


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False)
        f.write("\n")


def vocab_json(vocab):
    return {"format": "rnnlab-vocab", "version": 1, "chars": vocab}


# ---------------------------------------------------------------------------------------------
# Main: parse, make data, train, write each format.


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--preset", required=True, choices=sorted(PRESETS))
    p.add_argument("--data", help="UTF-8 text file to train on (char presets)")
    p.add_argument("--corpus", choices=sorted(CORPORA), default="hello",
                   help="built-in text used when --data is not given (default: hello)")
    for flag in ("epochs", "units", "layers", "embedding-dim", "seq-len"):
        p.add_argument("--" + flag, type=int, help="override the preset's " + flag)
    p.add_argument("--dropout", type=float, help="override the preset's dropout")
    p.add_argument("--api", choices=("sequential", "functional"), help="how the model is written")
    p.add_argument("--head", choices=("softmax", "logits"), help="char models: Dense softmax or linear logits")
    p.add_argument("--any-length", action="store_true", help="Input(shape=(None, ...))")
    p.add_argument("--limit-chars", type=int, default=0, help="train on the first N chars only")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="out", help="directory the artifacts are written into")
    p.add_argument("--name", help="artifact name (default: the preset)")
    p.add_argument("--format", default="keras3-export",
                   help="comma-separated subset of %s, or all" % ",".join(FORMATS))
    args = p.parse_args(argv)
    args.formats = FORMATS if args.format == "all" else tuple(args.format.split(","))
    for f in args.formats:
        if f not in FORMATS:
            p.error("unknown format %r (expected %s or all)" % (f, ", ".join(FORMATS)))
    return args


def main(argv=None):
    args = parse_args(argv)
    cfg = dict(PRESETS[args.preset])
    for key in ("epochs", "units", "layers", "embedding_dim", "seq_len", "dropout", "api", "head"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    cfg["any_length"] = cfg.get("any_length", False) or args.any_length
    name = args.name or args.preset

    # One seed drives Python, NumPy and TF; op determinism makes reruns bit-identical on CPU.
    keras.backend.clear_session()  # default layer names: lstm, lstm_1, dense, ...
    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()

    if cfg["task"] == "sum":
        vocab = None
        x, y = sum_data(cfg["samples"], cfg["seq_len"], args.seed)
        (x_train, y_train), (x_val, y_val) = split(x, y, cfg["val_split"])
        model = build_model(keras, cfg, 0)
        history = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                            batch_size=cfg["batch"], epochs=cfg["epochs"], verbose=2)
        batch_ids = None
        batch_x = x_val[:2]  # two held-out sequences
    else:
        if args.data:
            if not os.path.isfile(args.data):
                sys.exit("train_keras.py: error: --data %s: no such file" % args.data)
            with open(args.data, encoding="utf-8") as f:
                text = f.read()
        else:
            text = CORPORA[args.corpus]
        if args.limit_chars:
            text = text[:args.limit_chars]
        if len(text) <= cfg["seq_len"]:
            sys.exit("train_keras.py: error: the text has %d chars, fewer than one window of %d+1"
                     % (len(text), cfg["seq_len"]))
        vocab = build_vocab(text)
        char_to_id = {c: i for i, c in enumerate(vocab)}
        ids = np.array([char_to_id[c] for c in text], dtype=np.int32)
        x, y = char_windows(ids, cfg["seq_len"], cfg["step"])
        (x_train, y_train), (x_val, y_val) = split(x, y, cfg["val_split"])
        print("text: %d chars, vocab %d, windows %d train / %d val"
              % (len(text), len(vocab), len(x_train), len(x_val)))
        model = build_model(keras, cfg, len(vocab))
        val = char_dataset(cfg, x_val, y_val, len(vocab), shuffle=False) if len(x_val) else None
        # shuffle=False: the dataset shuffles itself (seeded); fit() cannot shuffle a tf.data input.
        history = model.fit(char_dataset(cfg, x_train, y_train, len(vocab), shuffle=True),
                            validation_data=val, epochs=cfg["epochs"], shuffle=False, verbose=2)
        # The recorded batch: the first window and one from the middle of the text.
        batch_ids = x[[0, len(x) // 2]]
        batch_x = model_inputs(cfg, batch_ids, len(vocab))
    model.summary()
    print("final epoch: " + ", ".join("%s %.4f" % (k, v[-1]) for k, v in history.history.items()))

    os.makedirs(args.out, exist_ok=True)
    for fmt in args.formats:
        if fmt == "keras":
            path = os.path.join(args.out, "keras3-%s.keras" % name)
            model.save(path)
            predictor = keras_file_predictor(path)
            stem = path[:-len(".keras")]
            vocab_path, expected_path = stem + ".vocab.json", stem + ".expected.json"
        else:
            path = os.path.join(args.out, "%s-%s" % (fmt.split("-")[0], name))
            if fmt == "keras3-export":
                model.export(path, verbose=False)
            else:
                keras2_twin(cfg, len(vocab or []), model).save(path)
            predictor = saved_model_predictor(path)
            vocab_path = os.path.join(path, "vocab.json")
            expected_path = os.path.join(path, "expected.json")
        if vocab:
            write_json(vocab_path, vocab_json(vocab))
        signature = None if fmt == "keras" else "serving_default"
        write_json(expected_path,
                   expected_record(*predictor, cfg, vocab, batch_ids, batch_x, signature))
        print("wrote %s (%s)" % (path, fmt))


if __name__ == "__main__":
    sys.exit(main())

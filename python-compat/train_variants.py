#!/usr/bin/env python3
"""train_variants.py: the char models Keras users actually write (issue 15), trained briefly in
Keras 3 and saved the ways rnnlab must read them.

Every variant is a small model (16 units) over the same short non-ASCII text (TEXT, below; never
Tiny Shakespeare) with windows of 10 characters:

    dropout where the user put it     drop-embedding, drop-between, drop-every, drop-none,
                                      drop-mixed, drop-input-onehot
    training-only noise layers        noise-embedding (SpatialDropout1D, GaussianNoise,
                                      GaussianDropout), noise-onehot (GaussianNoise, AlphaDropout)
    the cells' own dropout arguments  lstm-celldrop, simplernn-celldrop (dropout=,
                                      recurrent_dropout=)
    TimeDistributed(Dense) heads      td-lstm, td-simplernn-onehot, td-2xgru-celldrop
    GRU (reset_after=True)            gru-onehot, gru-embedding, gru-tutorial (the TF tutorial:
                                      any length, logits on every step)
    stacked mixed cells               gru-lstm, lstm-simplernn
    refusals (not trained)            bidirectional, gru-reset-before, mask-zero, masking,
                                      conv-lstm1d, layer-norm

For a variant NAME, in --out DIR:

    DIR/NAME.keras              Keras 3 model.save() (trained variants: after fit)
    DIR/NAME.vocab.json         rnnlab's vocabulary format
    DIR/NAME.expected.json      what Keras computes (below); refusals: the layer rnnlab must name
    DIR/NAME/                   Keras 3 model.export(): a TF SavedModel, with vocab.json and
                                expected.json inside (trained variants only)
    DIR/text.txt                the training text (UTF-8), for `rnnlab train --data`
    DIR/variants.json           {name: description} of everything written, with the build time

expected.json: {"name", "prompt" (the first 10 chars of TEXT), "probabilities" (Keras's
next-character distribution after the prompt: the first step of generation; a softmax of the
logits for a logits head), "greedy" (40 chars by argmax, Keras's window loop: feed the last 10
chars, or the whole text so far for a model built for any length), "greedy_margin" (the smallest
gap between the two most probable chars along the greedy path: how far float noise is from
changing the text), "any_length", "output_kind", "layers" (class names, in order)}. All numbers
come from the files as loaded back from disk (keras.saving.load_model), and the SavedModel export
is checked to agree with them (1e-6) before anything is written.

    python train_variants.py --out /tmp/variants [--only drop-between,gru-onehot]
"""
import argparse
import json
import os
import sys
import time

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

from train_keras import build_vocab, char_windows, greedy, model_inputs, vocab_json, write_json  # noqa: E402

# Goethe, "Wandrers Nachtlied II" (1780) and the first stanza of "Heidenröslein" (1771): public
# domain, short, and not ASCII (Ü, ü, ö, ß-free but with ' ; and a newline).
TEXT = (
    "Über allen Gipfeln ist Ruh, in allen Wipfeln spürest du kaum einen Hauch; "
    "die Vögelein schweigen im Walde. Warte nur, balde ruhest du auch.\n"
    "Sah ein Knab' ein Röslein stehn, Röslein auf der Heiden, war so jung und morgenschön, "
    "lief er schnell, es nah zu sehn, sah's mit vielen Freuden. Röslein, Röslein, Röslein rot, "
    "Röslein auf der Heiden.\n"
)
VOCAB = build_vocab(TEXT)
SEQ_LEN = 10
UNITS = 16
EMBEDDING_DIM = 8
PROMPT = TEXT[:SEQ_LEN]  # "Über allen"
GREEDY_CHARS = 40
EPOCHS = 40
BATCH = 32
LEARNING_RATE = 0.01  # tiny models, few epochs: enough to make the greedy text confident


def _ids_input(any_length=False):
    return keras.Input(shape=(None if any_length else SEQ_LEN,), dtype="int32")


def _onehot_input():
    return keras.Input(shape=(SEQ_LEN, len(VOCAB)))


def _softmax():
    return keras.layers.Dense(len(VOCAB), activation="softmax")


def _emb():
    return keras.layers.Embedding(len(VOCAB), EMBEDDING_DIM)


L = keras.layers
U = UNITS

# name -> (input, layers factory, options). Options: "onehot" (one-hot float input instead of
# int32 ids), "all_steps" (the output has one distribution per step: targets at every step),
# "any_length", "logits" (linear head trained with from_logits=True).
SUPPORTED = {
    # Dropout where the user put it: after the embedding, between the recurrent layers, after
    # each, nowhere, with different rates; and after a one-hot input.
    "drop-embedding": (lambda: [_emb(), L.Dropout(0.1), L.LSTM(U, return_sequences=True), L.LSTM(U),
                                _softmax()], {}),
    "drop-between": (lambda: [_emb(), L.LSTM(U, return_sequences=True), L.Dropout(0.1), L.LSTM(U),
                              _softmax()], {}),
    "drop-every": (lambda: [_emb(), L.LSTM(U, return_sequences=True), L.Dropout(0.1), L.LSTM(U),
                            L.Dropout(0.1), _softmax()], {}),
    "drop-none": (lambda: [_emb(), L.LSTM(U, return_sequences=True), L.LSTM(U), _softmax()], {}),
    "drop-mixed": (lambda: [_emb(), L.Dropout(0.05), L.LSTM(U, return_sequences=True), L.Dropout(0.2),
                            L.LSTM(U), L.Dropout(0.1), _softmax()], {}),
    "drop-input-onehot": (lambda: [L.Dropout(0.1), L.SimpleRNN(U), _softmax()], {"onehot": True}),
    # Training-only layers anywhere in the chain: identity at inference.
    "noise-embedding": (lambda: [_emb(), L.SpatialDropout1D(0.1), L.LSTM(U, return_sequences=True),
                                 L.GaussianNoise(0.05), L.LSTM(U), L.GaussianDropout(0.1), _softmax()], {}),
    "noise-onehot": (lambda: [L.GaussianNoise(0.1), L.SimpleRNN(U, return_sequences=True),
                              L.AlphaDropout(0.05), L.SimpleRNN(U), L.Dropout(0.1), _softmax()],
                     {"onehot": True}),
    # The cells' own dropout arguments.
    "lstm-celldrop": (lambda: [_emb(), L.LSTM(U, dropout=0.2, recurrent_dropout=0.2, return_sequences=True),
                               L.LSTM(U, dropout=0.1), _softmax()], {}),
    "simplernn-celldrop": (lambda: [L.SimpleRNN(U, dropout=0.1, recurrent_dropout=0.2), _softmax()],
                           {"onehot": True}),
    # TimeDistributed(Dense) on a return_sequences=True layer: a distribution at every step.
    "td-lstm": (lambda: [_emb(), L.LSTM(U, return_sequences=True),
                         L.TimeDistributed(_softmax())], {"all_steps": True}),
    "td-simplernn-onehot": (lambda: [L.SimpleRNN(U, return_sequences=True), L.Dropout(0.1),
                                     L.TimeDistributed(_softmax())], {"onehot": True, "all_steps": True}),
    "td-2xgru-celldrop": (lambda: [_emb(), L.GRU(U, dropout=0.1, recurrent_dropout=0.1, return_sequences=True),
                                   L.GRU(U, return_sequences=True), L.TimeDistributed(_softmax())],
                          {"all_steps": True}),
    # GRU, Keras's default reset_after=True.
    "gru-onehot": (lambda: [L.GRU(U), _softmax()], {"onehot": True}),
    "gru-embedding": (lambda: [_emb(), L.GRU(U), _softmax()], {}),
    # The TF text-generation tutorial's shape: ids of any length -> Embedding -> GRU(return
    # sequences) -> Dense logits at every step.
    "gru-tutorial": (lambda: [_emb(), L.GRU(U, return_sequences=True), L.Dense(len(VOCAB))],
                     {"all_steps": True, "any_length": True, "logits": True}),
    # Stacked mixed cells.
    "gru-lstm": (lambda: [_emb(), L.GRU(U, return_sequences=True), L.Dropout(0.1), L.LSTM(U), _softmax()], {}),
    "lstm-simplernn": (lambda: [L.LSTM(U, return_sequences=True), L.SimpleRNN(U), _softmax()],
                       {"onehot": True}),
}

# Models rnnlab must refuse: name -> (layers factory, options, the layer its message must name
# (name, class), and words the message must hold). Saved untrained.
REFUSED = {
    "bidirectional": (lambda: [L.Bidirectional(L.LSTM(8), name="bidi"), _softmax()], {"onehot": True},
                      ("bidi", "Bidirectional"), []),
    "gru-reset-before": (lambda: [_emb(), L.GRU(8, reset_after=False, name="gru_v1"), _softmax()], {},
                         ("gru_v1", "GRU"), ["reset_after=False"]),
    "mask-zero": (lambda: [L.Embedding(len(VOCAB), 4, mask_zero=True, name="emb_masked"), L.LSTM(8),
                           _softmax()], {}, ("emb_masked", "Embedding"), ["mask_zero=True"]),
    "masking": (lambda: [L.Masking(name="masking"), L.LSTM(8), _softmax()], {"onehot": True},
                ("masking", "Masking"), []),
    # one-hot rows as a 1-D "image" per step: (steps, vocab, 1 channel)
    "conv-lstm1d": (lambda: [L.ConvLSTM1D(4, 3, name="conv_lstm"), L.Flatten(), _softmax()],
                    {"input": lambda: keras.Input(shape=(SEQ_LEN, len(VOCAB), 1))},
                    ("conv_lstm", "ConvLSTM1D"), []),
    "layer-norm": (lambda: [_emb(), L.LSTM(8, return_sequences=True), L.LayerNormalization(name="ln"),
                            L.LSTM(8), _softmax()], {}, ("ln", "LayerNormalization"), []),
}


def training_data(opts):
    """Windows of SEQ_LEN ids; targets: the next char, or the next char at every step."""
    ids = np.array([VOCAB.index(c) for c in TEXT], dtype=np.int32)
    x, y = char_windows(ids, SEQ_LEN, 1)
    if opts.get("all_steps"):
        y = np.stack([ids[s + 1:s + SEQ_LEN + 1] for s in range(len(x))]).astype(np.int32)
    if opts.get("onehot"):
        x = np.eye(len(VOCAB), dtype=np.float32)[x]
    return x, y


def build(factory, opts):
    keras.backend.clear_session()  # Keras's default layer names: lstm, lstm_1, dropout, ...
    if "input" in opts:
        inputs = opts["input"]()
    else:
        inputs = _onehot_input() if opts.get("onehot") else _ids_input(opts.get("any_length"))
    model = keras.Sequential([inputs, *factory()])
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=bool(opts.get("logits")))
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE), loss=loss, metrics=["accuracy"])
    return model


def cfg_for(opts):
    """The train_keras.greedy() config of a variant."""
    return {"task": "char", "seq_len": SEQ_LEN, "embedding_dim": 0 if opts.get("onehot") else EMBEDDING_DIM,
            "any_length": bool(opts.get("any_length"))}


def next_char_probabilities(predict, opts):
    """predict(x) -> the next-char distribution of row 0 (last step; softmax of logits)."""
    def probs(x):
        out = np.asarray(predict(x), dtype=np.float64)
        row = out[0, -1] if opts.get("all_steps") else out[0]
        if opts.get("logits"):
            row = np.exp(row - row.max())
            row /= row.sum()
        return row
    return probs


def keras_record(name, path, opts):
    """What Keras computes with the file as loaded back: first-step probabilities, greedy text."""
    model = keras.saving.load_model(path)
    dtype = model.inputs[0].dtype
    # model(x, training=False), traced once instead of run eagerly 41 times (an eager RNN is slow)
    call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    probs = next_char_probabilities(lambda x: call(tf.constant(np.asarray(x), dtype=dtype)).numpy(), opts)
    prompt_ids = [VOCAB.index(c) for c in PROMPT]
    margins = []

    def predict_row(x):  # for greedy(): one row, recording how sure each argmax is
        p = probs(x)
        top2 = np.sort(p)[-2:]
        margins.append(float(top2[1] - top2[0]))
        return p[None]

    text = greedy(predict_row, cfg_for(opts), VOCAB, prompt_ids, GREEDY_CHARS)
    first = probs(model_inputs(cfg_for(opts), np.array([prompt_ids], dtype=np.int32), len(VOCAB)))
    return {"name": name, "prompt": PROMPT, "probabilities": first.tolist(), "greedy": text,
            "greedy_margin": min(margins), "any_length": bool(opts.get("any_length")),
            "output_kind": "logits" if opts.get("logits") else "probabilities",
            "layers": [type(layer).__name__ for layer in model.layers]}


def export_probabilities(path, opts):
    sig = tf.saved_model.load(path).signatures["serving_default"]
    (key, spec), = sig.structured_input_signature[1].items()
    (out_key,) = sig.structured_outputs
    x = model_inputs(cfg_for(opts), np.array([[VOCAB.index(c) for c in PROMPT]], dtype=np.int32), len(VOCAB))
    return next_char_probabilities(lambda v: sig(**{key: tf.constant(v, dtype=spec.dtype)})[out_key].numpy(),
                                   opts)(x)


def make_supported(name, out, seed):
    factory, opts = SUPPORTED[name]
    keras.utils.set_random_seed(seed)
    model = build(factory, opts)
    x, y = training_data(opts)
    history = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=True, verbose=0)
    path = os.path.join(out, name + ".keras")
    model.save(path)
    write_json(os.path.join(out, name + ".vocab.json"), vocab_json(VOCAB))
    record = keras_record(name, path, opts)
    record["final_loss"] = float(history.history["loss"][-1])
    write_json(os.path.join(out, name + ".expected.json"), record)
    export = os.path.join(out, name)
    model.export(export, verbose=False)
    got = export_probabilities(export, opts)
    gap = float(np.abs(got - np.asarray(record["probabilities"])).max())
    if gap > 1e-6:
        raise AssertionError("%s: the SavedModel export differs from the .keras file by %g" % (name, gap))
    write_json(os.path.join(export, "vocab.json"), vocab_json(VOCAB))
    write_json(os.path.join(export, "expected.json"), record)
    return {"kind": "supported", "layers": record["layers"], "loss": record["final_loss"],
            "greedy": record["greedy"], "greedy_margin": record["greedy_margin"]}


def make_refused(name, out, seed):
    factory, opts, (layer, cls), words = REFUSED[name]
    keras.utils.set_random_seed(seed)
    model = build(factory, opts)
    path = os.path.join(out, name + ".keras")
    model.save(path)
    write_json(os.path.join(out, name + ".vocab.json"), vocab_json(VOCAB))
    record = {"name": name, "refused_layer": layer, "refused_class": cls, "words": words,
              "layers": [type(x).__name__ for x in model.layers]}
    write_json(os.path.join(out, name + ".expected.json"), record)
    return {"kind": "refused", "layers": record["layers"], "layer": layer}


def build_all(out, only=None, seed=1):
    """Writes every variant (or those in `only`) into `out`; returns variants.json's content."""
    os.makedirs(out, exist_ok=True)
    tf.config.experimental.enable_op_determinism()
    with open(os.path.join(out, "text.txt"), "w", encoding="utf-8") as f:
        f.write(TEXT)
    made = {}
    start = time.monotonic()
    for name in SUPPORTED:
        if only is None or name in only:
            t = time.monotonic()
            made[name] = make_supported(name, out, seed)
            made[name]["seconds"] = round(time.monotonic() - t, 2)
    for name in REFUSED:
        if only is None or name in only:
            made[name] = make_refused(name, out, seed)
    summary = {"variants": made, "seconds": round(time.monotonic() - start, 1), "keras": keras.__version__,
               "tensorflow": tf.__version__}
    write_json(os.path.join(out, "variants.json"), summary)
    return summary


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", required=True, help="directory the variants are written into")
    p.add_argument("--only", help="comma-separated variant names (default: all)")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    only = None
    if args.only:
        only = set(args.only.split(","))
        unknown = only - set(SUPPORTED) - set(REFUSED)
        if unknown:
            p.error("unknown variant(s): " + ", ".join(sorted(unknown)))
    summary = build_all(args.out, only, args.seed)
    for name, v in summary["variants"].items():
        print("%-22s %-9s %s" % (name, v["kind"], " ".join(v["layers"])))
    print("built in %.1f s" % summary["seconds"])


if __name__ == "__main__":
    sys.exit(main())

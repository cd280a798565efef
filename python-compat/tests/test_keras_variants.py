"""Issue 15: the char models Keras users actually write, read by the rnnlab command line.

The models are saved_models/variants/ (train_variants.py, rebuilt by saved_models/make_all.sh):
Dropout after the embedding, between the recurrent layers, after each, nowhere, at mixed rates;
training-only noise layers anywhere in the chain; LSTM and SimpleRNN with their own `dropout=` /
`recurrent_dropout=`; TimeDistributed(Dense) heads; GRU (reset_after=True) one-hot, with an
Embedding and as in the TF tutorial; stacked mixed cells; and models rnnlab must refuse.

For every supported variant, as a .keras file and as Keras 3's model.export() SavedModel:
  - `rnnlab predict --json`: the next-character distribution after the prompt equals Keras's to
    1e-6 (the first step of generation);
  - `rnnlab generate --temperature 0`: the same 40 greedy characters as Keras's own loop;
  - `rnnlab inspect FILE.keras` reads it.
For every variant rnnlab can train (all but the noise-layer ones):
  - `rnnlab train --init-from FILE.keras` (one epoch), then `rnnlab export --keras`: Keras's
    load_model opens the export, which has exactly the original's layers (Dropout where the
    model had it, the cells' dropout arguments, a TimeDistributed head read as the Dense it wraps),
    computes what rnnlab computes, and fits one more epoch.
    A variant whose cells have their own dropout may instead be refused for training, in one
    line naming the layer (the issue allows either).
For every refused variant: `predict`, `generate` and `inspect` exit 2 with one line naming the
layer.

The commands run through the launcher jar's entry point, many per JVM (rnnlab_cli.batch); two
tests run the real ./rnnlab process.
"""
import json
import warnings
import zipfile

import keras
import numpy as np
import pytest

import rnnlab_cli
import train_variants as tv
from conftest import SAVED_MODELS

VARIANTS = SAVED_MODELS / "variants"
PROB_TOL = 1e-6
PROMPT = tv.PROMPT
SUPPORTED = list(tv.SUPPORTED)
REFUSED = list(tv.REFUSED)
RECURRENT = ("LSTM", "GRU", "SimpleRNN")
CELL_FLAG = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def expected(name):
    return read_json(VARIANTS / (name + ".expected.json"))


def keras_layers(name):
    """The layer configs of NAME.keras (a Sequential), InputLayer left out."""
    with zipfile.ZipFile(VARIANTS / (name + ".keras")) as z:
        config = json.loads(z.read("config.json"))
    return [layer for layer in config["config"]["layers"] if layer["class_name"] != "InputLayer"]


def cell_dropout_layers(name):
    return [layer["config"]["name"] for layer in keras_layers(name) if layer["class_name"] in RECURRENT
            and (layer["config"]["dropout"] or layer["config"]["recurrent_dropout"])]


def has_noise_layers(name):
    return any(layer["class_name"] in ("GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D")
               for layer in keras_layers(name))


# Training-only noise layers are read as identity for inference; training with them is not asked.
TRAINABLE = [n for n in SUPPORTED if not has_noise_layers(n)]
CELL_DROPOUT = {n for n in SUPPORTED if cell_dropout_layers(n)}


def model_path(name, form):
    return VARIANTS / (name + ".keras") if form == "keras" else VARIANTS / name


def one_line(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, "expected one line on stderr, got: %r" % result.stderr
    return lines[0]


def test_the_variants_are_all_there_and_small():
    made = read_json(VARIANTS / "variants.json")["variants"]
    assert sorted(made) == sorted(SUPPORTED + REFUSED)
    for name in SUPPORTED:
        assert (VARIANTS / (name + ".keras")).is_file() and (VARIANTS / name / "saved_model.pb").is_file()
        assert read_json(VARIANTS / name / "expected.json") == expected(name)
        assert read_json(VARIANTS / name / "vocab.json")["chars"] == tv.VOCAB
        assert made[name]["greedy_margin"] > 1e-5  # float noise cannot flip an argmax of the text
    for name in REFUSED:
        assert (VARIANTS / (name + ".keras")).is_file() and not (VARIANTS / name).exists()
    assert read_json(VARIANTS / "drop-between.vocab.json") == {"format": "rnnlab-vocab", "version": 1,
                                                               "chars": tv.VOCAB}
    assert (VARIANTS / "text.txt").read_text(encoding="utf-8") == tv.TEXT
    assert any(ord(c) > 127 for c in tv.VOCAB)
    assert sum(f.stat().st_size for f in VARIANTS.rglob("*") if f.is_file()) < 6 * 2**20


@pytest.mark.parametrize("name", SUPPORTED)
def test_keras_reproduces_the_recorded_first_step(name):
    """The committed .keras file gives the probabilities its expected.json holds (the numbers
    rnnlab is held to below), and its layers are the ones the variant is about."""
    e = expected(name)
    opts = tv.SUPPORTED[name][1]
    model = keras.saving.load_model(VARIANTS / (name + ".keras"))
    assert [type(layer).__name__ for layer in model.layers] == e["layers"]
    x = tv.model_inputs(tv.cfg_for(opts), np.array([[tv.VOCAB.index(c) for c in PROMPT]]), len(tv.VOCAB))
    got = tv.next_char_probabilities(
        lambda v: keras.ops.convert_to_numpy(model(np.asarray(v, model.inputs[0].dtype), training=False)), opts)(x)
    assert np.abs(got - np.array(e["probabilities"])).max() <= PROB_TOL
    assert abs(got.sum() - 1) < 1e-5 and e["prompt"] == PROMPT and len(e["greedy"]) == tv.GREEDY_CHARS


# --- Inference: predict, generate, inspect ---------------------------------------------------


@pytest.fixture(scope="session")
def cli():
    """Every inference command of this file, in one JVM: {(verb, name, form): (command, Result)}."""
    commands = {}
    for name in SUPPORTED:
        for form in ("keras", "savedmodel"):
            m = model_path(name, form)
            commands[("predict", name, form)] = ["predict", "--model", m, "--prompt", PROMPT, "--json", "--top", "0"]
            commands[("generate", name, form)] = ["generate", "--model", m, "--prompt", PROMPT, "--length",
                                                  tv.GREEDY_CHARS, "--temperature", "0", "--seed", "1"]
        commands[("inspect", name, "keras")] = ["inspect", model_path(name, "keras")]
    for name in REFUSED:
        m = model_path(name, "keras")
        commands[("predict", name, "keras")] = ["predict", "--model", m, "--prompt", PROMPT, "--json"]
        commands[("generate", name, "keras")] = ["generate", "--model", m, "--prompt", PROMPT, "--length", "5"]
        commands[("inspect", name, "keras")] = ["inspect", m]
    results = rnnlab_cli.batch(list(commands.values()))
    return {key: (command, result) for (key, command), result in zip(commands.items(), results)}


@pytest.mark.parametrize("form", ["keras", "savedmodel"])
@pytest.mark.parametrize("name", SUPPORTED)
def test_predict_gives_kerass_next_char_probabilities(cli, name, form):
    command, r = cli[("predict", name, form)]
    assert r.rc == 0, rnnlab_cli.describe(command, r)
    got = json.loads(r.stdout)
    assert got["chars"] == tv.VOCAB
    want = np.array(expected(name)["probabilities"])
    assert np.abs(np.array(got["probabilities"]) - want).max() <= PROB_TOL


@pytest.mark.parametrize("form", ["keras", "savedmodel"])
@pytest.mark.parametrize("name", SUPPORTED)
def test_generate_gives_kerass_greedy_text(cli, name, form):
    command, r = cli[("generate", name, form)]
    assert r.rc == 0, rnnlab_cli.describe(command, r)
    assert r.stdout == PROMPT + expected(name)["greedy"] + "\n"


@pytest.mark.parametrize("name", SUPPORTED)
def test_inspect_reads_the_keras_file(cli, name):
    command, r = cli[("inspect", name, "keras")]
    assert r.rc == 0, rnnlab_cli.describe(command, r)
    assert "40 symbols" in r.stdout


@pytest.mark.parametrize("verb", ["predict", "generate", "inspect"])
@pytest.mark.parametrize("name", REFUSED)
def test_unsupported_models_are_refused_in_one_line_naming_the_layer(cli, name, verb):
    command, r = cli[(verb, name, "keras")]
    _, _, (layer, cls), words = tv.REFUSED[name]
    assert r.rc == 2, rnnlab_cli.describe(command, r)
    line = one_line(r)
    assert line.startswith("rnnlab: error: %s.keras: " % name), line
    assert "layer '%s' (%s)" % (layer, cls) in line, line
    for w in words:
        assert w in line, line
    assert r.stdout == ""


def test_the_issues_model_through_the_launcher():
    """Embedding -> LSTM(return_sequences) -> Dropout -> LSTM -> Dense, Dropout only between the
    recurrent layers: the model the issue reports refused, through the real ./rnnlab."""
    r = rnnlab_cli.launcher("predict", "--model", VARIANTS / "drop-between.keras", "--prompt", PROMPT, "--json",
                            "--top", "0")
    assert r.rc == 0, r.stderr
    got = np.array(json.loads(r.stdout)["probabilities"])
    assert np.abs(got - np.array(expected("drop-between")["probabilities"])).max() <= PROB_TOL


def test_a_refusal_through_the_launcher_is_one_line_and_exit_2():
    r = rnnlab_cli.launcher("generate", "--model", VARIANTS / "bidirectional.keras", "--prompt", PROMPT,
                            "--length", "5")
    assert r.rc == 2 and r.stdout == ""
    assert "layer 'bidi' (Bidirectional)" in one_line(r)


# --- Training from a Keras file, and the .keras export --------------------------------------


def init_from_flags(name):
    """The flags a user gives `rnnlab train --init-from NAME.keras` to describe the model, with
    the flags rnnlab has: --cell when every recurrent layer has the same cell, --layers, --units,
    --embedding-dim, --seq-len, --loss-on; --dropout R only where it says exactly what the model
    has (one Dropout(R) after every recurrent layer and nowhere else; 0: none at all). Whatever
    these flags cannot say (Dropout after the embedding or only between layers, mixed rates, the
    cells' own dropout, mixed cells) is left out: rnnlab takes it from the Keras file."""
    layers = keras_layers(name)
    recurrent = [layer for layer in layers if layer["class_name"] in RECURRENT]
    embedding = [layer for layer in layers if layer["class_name"] == "Embedding"]
    flags = []
    cells = {CELL_FLAG[layer["class_name"]] for layer in recurrent}
    if len(cells) == 1:
        flags += ["--cell", cells.pop()]
    flags += ["--layers", len(recurrent), "--units", recurrent[0]["config"]["units"],
              "--embedding-dim", embedding[0]["config"]["output_dim"] if embedding else 0,
              "--seq-len", tv.SEQ_LEN,
              "--loss-on", "all" if recurrent[-1]["config"]["return_sequences"] else "last"]
    rates = {layer["config"]["rate"] for layer in layers if layer["class_name"] == "Dropout"}
    placed = [layer["class_name"] for layer in layers if layer["class_name"] in RECURRENT + ("Dropout",)]
    after_each = [k for layer in recurrent for k in (layer["class_name"], "Dropout")]
    if not rates:
        flags += ["--dropout", "0"]
    elif len(rates) == 1 and placed == after_each:
        flags += ["--dropout", rates.pop()]
    return flags


def test_init_from_flags_say_only_what_the_model_has():
    assert init_from_flags("drop-every") == ["--cell", "lstm", "--layers", 2, "--units", 16, "--embedding-dim", 8,
                                             "--seq-len", 10, "--loss-on", "last", "--dropout", 0.1]
    assert init_from_flags("drop-none")[-2:] == ["--dropout", "0"]
    assert "--dropout" not in init_from_flags("drop-between") + init_from_flags("drop-embedding")
    assert init_from_flags("gru-lstm")[:2] == ["--layers", 2]  # mixed cells: no --cell
    assert init_from_flags("td-lstm")[-4:] == ["--loss-on", "all", "--dropout", "0"]


@pytest.fixture(scope="session")
def round_trips(tmp_path_factory):
    """train --init-from, export --keras and predict on the run, for every trainable variant, in
    one JVM: {(verb, name): (command, Result)}, plus {("run", name): run directory}."""
    root = tmp_path_factory.mktemp("init-from")
    commands, runs = {}, {}
    for name in TRAINABLE:
        run = root / name
        runs[("run", name)] = run
        commands[("train", name)] = ["train", "--preset", "hello-lstm", "--data", VARIANTS / "text.txt",
                                     "--init-from", VARIANTS / (name + ".keras"), *init_from_flags(name),
                                     "--epochs", "1", "--batch-size", "64", "--seed", "1", "--sample-length", "0",
                                     "--out", run]
        commands[("export", name)] = ["export", "--run", run, "--keras", run / "exported.keras"]
        commands[("predict", name)] = ["predict", "--model", run, "--mode", "window", "--prompt", PROMPT,
                                       "--json", "--top", "0"]
    results = rnnlab_cli.batch(list(commands.values()))
    out = {key: (command, result) for (key, command), result in zip(commands.items(), results)}
    out.update(runs)
    return out


def trained(round_trips, cli, name):
    """The run directory, or None when rnnlab refused (as the issue allows) to train the cells'
    own dropout while it reads the same file for inference: then in one line naming such a layer.
    Any other failure fails the test."""
    command, r = round_trips[("train", name)]
    if r.rc == 2 and name in CELL_DROPOUT:
        line = one_line(r)
        assert any("layer '%s'" % layer in line for layer in cell_dropout_layers(name)), line
        assert "dropout" in line, line
        predict, p = cli[("predict", name, "keras")]
        assert p.rc == 0, "training may be refused only for a file read for inference: " + \
            rnnlab_cli.describe(predict, p)
        return None
    assert r.rc == 0, rnnlab_cli.describe(command, r)
    for verb in ("export", "predict"):
        command, r = round_trips[(verb, name)]
        assert r.rc == 0, rnnlab_cli.describe(command, r)
    return round_trips[("run", name)]


def load_export(run):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. optimizer variables that do not fit
        return keras.saving.load_model(run / "exported.keras")


def structure(model):
    """What the export must keep of a model: every layer in order, TimeDistributed(Dense) read as
    the Dense it wraps (on all steps), each Dropout with its rate, each recurrent layer with its
    cell, width, return_sequences and its own dropout arguments."""
    out = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.TimeDistributed):
            layer = layer.layer
        kind = type(layer).__name__
        if kind == "Dropout":
            out.append((kind, round(float(layer.rate), 6)))
        elif kind in RECURRENT:
            out.append((kind, layer.units, layer.return_sequences, round(float(layer.dropout), 6),
                        round(float(layer.recurrent_dropout), 6)))
        elif kind == "Embedding":
            out.append((kind, layer.input_dim, layer.output_dim))
        elif kind == "Dense":
            out.append((kind, layer.units))
        else:
            out.append((kind,))
    return out


@pytest.mark.parametrize("name", TRAINABLE)
def test_train_init_from_keeps_the_models_layers_in_the_keras_export(round_trips, cli, name):
    run = trained(round_trips, cli, name)
    if run is None:
        return  # refused to train the cells' dropout, as allowed (checked in trained())
    original = keras.saving.load_model(VARIANTS / (name + ".keras"))
    exported = load_export(run)
    assert structure(exported) == structure(original)
    with zipfile.ZipFile(run / "exported.keras") as z:
        dropouts = [layer for layer in json.loads(z.read("config.json"))["config"]["layers"]
                    if layer["class_name"] == "Dropout"]
    assert len(dropouts) == sum(1 for layer in keras_layers(name) if layer["class_name"] == "Dropout")
    assert read_json(run / "exported.vocab.json")["chars"] == tv.VOCAB


def prompt_input(model):
    ids = np.array([[tv.VOCAB.index(c) for c in PROMPT]])
    if len(model.inputs[0].shape) == 3:
        return np.eye(len(tv.VOCAB), dtype=np.float32)[ids]
    return ids.astype(model.inputs[0].dtype)


@pytest.mark.parametrize("name", TRAINABLE)
def test_the_keras_export_computes_what_rnnlab_computes(round_trips, cli, name):
    run = trained(round_trips, cli, name)
    if run is None:
        return
    model = load_export(run)
    out = keras.ops.convert_to_numpy(model(prompt_input(model), training=False))
    want = out[0, -1] if out.ndim == 3 else out[0]
    command, r = round_trips[("predict", name)]
    got = np.array(json.loads(r.stdout)["probabilities"])
    assert np.abs(got - want).max() <= PROB_TOL
    # one epoch from the Keras weights, not from scratch or nothing: it still predicts like the original
    original = np.array(expected(name)["probabilities"])
    assert 0 < np.abs(got - original).max() < 0.5


@pytest.mark.parametrize("name", TRAINABLE)
def test_keras_fits_the_export_one_more_epoch(round_trips, cli, name):
    run = trained(round_trips, cli, name)
    if run is None:
        return
    model = load_export(run)
    all_steps = len(model.outputs[0].shape) == 3
    x, y = tv.training_data({"onehot": len(model.inputs[0].shape) == 3, "all_steps": all_steps})
    y = np.eye(len(tv.VOCAB), dtype=np.float32)[y]  # the export is compiled with categorical_crossentropy
    before = [np.array(w) for w in model.get_weights()]
    keras.utils.set_random_seed(1)
    history = model.fit(x.astype(model.inputs[0].dtype), y, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert max(np.abs(a - np.array(b)).max() for a, b in zip(before, model.get_weights())) > 1e-4

"""Java <-> Keras 3 parity through Keras's own files: rnnlab's `.keras` export and its Keras
weight import, checked by running Keras itself.

The Java side (KerasParityMain, compiled against the launcher's jar; see keras_parity.py) writes,
for every case, a `.keras` archive from Java weights plus Java's outputs on a fixed batch and one
Java Adam step. Keras loads the archive and must agree; Keras-written files go back to Java.
"""
import io
import json
import shutil
import warnings
import zipfile
from contextlib import redirect_stdout

import h5py
import keras
import numpy as np
import pytest

import keras_parity as kp
from train_keras import HELLO_TEXT, build_vocab, greedy

OUTPUT_TOL = 1e-5
ADAM_TOL = 1e-4
VOCAB = build_vocab(HELLO_TEXT)

# KerasParityMain.cases(): the architectures rnnlab builds, small.
CASES = ["simplernn-onehot", "lstm-onehot", "2xlstm-onehot-dropout", "2xlstm-emb-dropout",
         "2xsimplernn-emb-all", "lstm-onehot-all-dropout", "lstm-regression", "gru-emb", "gru-lstm-emb-dropouts",
         "lstm-gru-onehot-celldrop-all"]
EMBEDDING_CASES = [c for c in CASES if "-emb" in c]


@pytest.fixture(scope="session")
def probe(tmp_path_factory):
    return kp.JavaProbe(tmp_path_factory.mktemp("probe"))


@pytest.fixture(scope="session")
def java_dir(probe, tmp_path_factory):
    out = tmp_path_factory.mktemp("java-keras")
    probe.fixtures(out)
    written = sorted(p.stem for p in out.glob("*.json") if not p.name.endswith(".vocab.json"))
    assert written == sorted(CASES), "CASES must list KerasParityMain.cases()"
    return out


def load_case(java_dir, name):
    with open(java_dir / (name + ".json"), encoding="utf-8") as f:
        return json.load(f)


def load_keras(path):
    """keras.saving.load_model, failing on any warning (e.g. optimizer state that does not fit)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return keras.saving.load_model(str(path))


def keras_inputs(case):
    return kp.model_input(case["spec"], kp.tensor(case["input"]))


@pytest.mark.parametrize("name", CASES)
def test_keras_loads_the_java_archive_and_computes_the_same_outputs(java_dir, name):
    case = load_case(java_dir, name)
    model = load_keras(java_dir / (name + ".keras"))
    got = keras.ops.convert_to_numpy(model(keras_inputs(case), training=False))
    want = kp.tensor(case["output"])
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= OUTPUT_TOL


@pytest.mark.parametrize("name", CASES)
def test_summary_shows_the_layers_and_the_parameter_count(java_dir, name):
    case = load_case(java_dir, name)
    model = load_keras(java_dir / (name + ".keras"))
    assert [type(layer).__name__ for layer in model.layers] == case["keras_layers"]
    assert model.count_params() == case["parameter_count"]
    text = io.StringIO()
    with redirect_stdout(text):
        model.summary()
    summary = text.getvalue()
    assert "Trainable params: {:,} ".format(case["parameter_count"]) in summary
    assert "Non-trainable params: 0 " in summary
    # The loaded model's Adam is built: its two slots per weight, iterations and learning rate.
    assert "Optimizer params: {:,} ".format(2 * case["parameter_count"] + 2) in summary
    for layer in model.layers:
        assert "{:,}".format(layer.count_params()) in summary
        assert layer.name in summary
    # Compiled from compile_config, with Keras's default Adam: ready for fit().
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.get_config()["epsilon"] == 1e-7
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-3)


@pytest.mark.parametrize("name", CASES)
def test_the_archive_is_laid_out_as_keras_saves_the_same_model(java_dir, name, tmp_path):
    """config.json equals Keras's own for the same Sequential (apart from auto-numbered names and
    object ids), and model.weights.h5 holds the same datasets, shapes and dtypes as Keras writes
    for it once its optimizer is built (as load_model builds it)."""
    spec = load_case(java_dir, name)["spec"]
    model = kp.keras_model(keras, spec)
    model.optimizer.build(model.trainable_variables)
    model.save(tmp_path / "keras.keras")

    def contents(path):
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
            (tmp_path / "w.h5").write_bytes(z.read("model.weights.h5"))
            stored = sorted(z.namelist()), {i.compress_type for i in z.infolist()}
        datasets = {}
        with h5py.File(tmp_path / "w.h5", "r") as h:
            h.visititems(lambda k, v: datasets.update(
                {k: (v.shape, v.dtype.str)} if isinstance(v, h5py.Dataset) else {}))
        return normalized(config), datasets, stored

    java, keras_own = contents(java_dir / (name + ".keras")), contents(tmp_path / "keras.keras")
    assert java[0] == keras_own[0]
    assert java[1] == keras_own[1]
    assert java[2] == keras_own[2] == (["config.json", "metadata.json", "model.weights.h5"],
                                       {zipfile.ZIP_STORED})


def normalized(config):
    """Drops what differs between two saves of one model: names Keras numbers per session
    (sequential_3, lstm_5, adam_2) and the ids of shared objects."""
    if isinstance(config, dict):
        return {k: normalized(v) for k, v in config.items()
                if k not in ("name", "shared_object_id")}
    if isinstance(config, list):
        return [normalized(v) for v in config]
    return config


def no_dropout(model):
    """Dropout layers and the cells' own dropout off: Java's steps ran without dropout too (the
    masks could never agree)."""
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
        if hasattr(layer, "cell"):
            layer.cell.dropout = layer.cell.recurrent_dropout = 0.0


def train_on_java_batch(model, case):
    """Keras's train_on_batch on Java's batch with dropout off (no_dropout). Returns the weights
    before, the batch and the logs."""
    no_dropout(model)
    before = kp.weights_by_name(model)
    x = kp.model_input(case["spec"], kp.tensor(case["adam"]["input"]))
    y = kp.model_targets(case["spec"], kp.tensor(case["adam"]["targets"]))
    return before, x, y, model.train_on_batch(x, y, return_dict=True)


def keras_adam_step(java_dir, name):
    """One Keras step on Java's batch from Java's weights."""
    case = load_case(java_dir, name)
    model = load_keras(java_dir / (name + ".keras"))
    before, x, y, logs = train_on_java_batch(model, case)
    assert int(model.optimizer.iterations) == 1
    return case, model, before, x, y, logs


@pytest.mark.parametrize("name", CASES)
def test_one_adam_step_updates_the_weights_as_keras_does(java_dir, name):
    case, model, before, _, _, logs = keras_adam_step(java_dir, name)
    java = {k: kp.tensor(v) for k, v in case["adam"]["weights"].items()}
    after = kp.weights_by_name(model)
    assert sorted(after) == sorted(java)
    assert abs(logs["loss"] - case["adam"]["loss"]) <= ADAM_TOL
    for k in after:
        assert np.abs(after[k] - before[k]).max() > 1e-4, k + " did not move: the step proves nothing"
        assert np.abs(after[k] - java[k]).max() <= ADAM_TOL, k


@pytest.mark.parametrize("name", CASES)
def test_a_keras_file_carries_adams_state_so_fit_continues_where_java_stopped(java_dir, name):
    """Java took two Adam steps and wrote CASE-resumed.keras; Keras loads it and takes the third
    step on the same batch. Only with Java's iterations, momenta and velocities in the file does
    it land on Java's third-step weights (a fresh Adam's first step is much larger)."""
    case = load_case(java_dir, name)
    model = load_keras(java_dir / (name + "-resumed.keras"))
    assert int(model.optimizer.iterations) == case["adam_resumed"]["iterations"] == 2
    before, _, _, logs = train_on_java_batch(model, case)
    assert int(model.optimizer.iterations) == 3
    java = {k: kp.tensor(v) for k, v in case["adam_resumed"]["weights"].items()}
    after = kp.weights_by_name(model)
    assert abs(logs["loss"] - case["adam_resumed"]["loss"]) <= ADAM_TOL
    for k in after:
        assert np.abs(after[k] - before[k]).max() > 1e-5, k + " did not move: the step proves nothing"
        assert np.abs(after[k] - java[k]).max() <= ADAM_TOL, k
    # The same file with Adam's state zeroed takes another step: the state is what made them agree.
    fresh = load_keras(java_dir / (name + "-resumed.keras"))
    for v in fresh.optimizer.variables:
        if not v.path.endswith("learning_rate"):
            v.assign(np.zeros(v.shape, v.dtype))
    train_on_java_batch(fresh, case)
    restarted = kp.weights_by_name(fresh)
    assert max(np.abs(restarted[k] - java[k]).max() for k in java) > 10 * ADAM_TOL


@pytest.mark.parametrize("name", CASES)
def test_clipnorm_travels_in_the_keras_file_and_keras_clips_as_java_does(java_dir, name):
    """Java took one step with --clipnorm C (Keras's Adam(clipnorm=C): each weight's gradient
    scaled to norm C at most; the Embedding's measured over its per-occurrence rows) and wrote
    CASE-clipnorm.keras from the starting weights. Keras loads C from the file and its step lands
    on Java's weights; C is small enough that the step differs from the unclipped one."""
    case = load_case(java_dir, name)
    model = load_keras(java_dir / (name + "-clipnorm.keras"))
    clipped = case["adam_clipnorm"]
    assert model.optimizer.clipnorm == pytest.approx(clipped["clipnorm"])
    _, _, _, logs = train_on_java_batch(model, {**case, "adam": clipped})
    java = {k: kp.tensor(v) for k, v in clipped["weights"].items()}
    unclipped = {k: kp.tensor(v) for k, v in case["adam"]["weights"].items()}
    after = kp.weights_by_name(model)
    assert abs(logs["loss"] - clipped["loss"]) <= ADAM_TOL
    for k in java:
        assert np.abs(after[k] - java[k]).max() <= 1e-6, k
    # A first Adam step moves each weight by about the learning rate (1e-3), clipped or not.
    assert max(np.abs(java[k] - unclipped[k]).max() for k in java) > 5 * ADAM_TOL


@pytest.mark.parametrize("name", EMBEDDING_CASES)
def test_embedding_adam_follows_kerass_sparse_rule_for_repeated_characters(java_dir, name):
    """Keras (TensorFlow backend) hands Adam the Embedding gradient as IndexedSlices and squares
    them per occurrence: a row's second moment grows by sum(g_i**2) over the occurrences of its
    character instead of (sum g_i)**2. rnnlab's KerasAdam does the same. Both rules are rebuilt
    here from Keras's own per-occurrence gradients: Java and Keras follow the sparse one to 1e-6,
    and the dense one really differs for this batch (so the check can tell them apart)."""
    import tensorflow as tf

    case, model, before, x, y, _ = keras_adam_step(java_dir, name)
    fresh = load_keras(java_dir / (name + ".keras"))
    no_dropout(fresh)
    with tf.GradientTape() as tape:
        e = fresh.layers[0](x)
        tape.watch(e)
        h = e
        for layer in fresh.layers[1:]:
            h = layer(h, training=True)
        loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, h))
    per_occurrence = tape.gradient(loss, e).numpy().reshape(-1, case["spec"]["embedding_dim"])
    ids = x.ravel()
    g = np.zeros(before["embedding/embeddings"].shape)
    squares = np.zeros_like(g)
    np.add.at(g, ids, per_occurrence)
    np.add.at(squares, ids, per_occurrence.astype(np.float64) ** 2)
    alpha = 1e-3 * np.sqrt(1 - 0.999) / (1 - 0.9)  # Keras's Adam, step 1
    dense = before["embedding/embeddings"] - alpha * 0.1 * g / (np.sqrt(0.001 * g * g) + 1e-7)
    sparse = before["embedding/embeddings"] - alpha * 0.1 * g / (np.sqrt(0.001 * squares) + 1e-7)

    java = kp.tensor(case["adam"]["weights"]["embedding/embeddings"])
    keras_after = kp.weights_by_name(model)["embedding/embeddings"]
    assert np.abs(java - sparse).max() <= 1e-6
    assert np.abs(keras_after - sparse).max() <= 1e-6
    assert np.abs(dense - sparse).max() > ADAM_TOL  # the batch repeats characters


@pytest.mark.parametrize("name", ["lstm-onehot", "2xlstm-emb-dropout"])
def test_round_trip_keras_fits_the_java_model_and_java_generates_what_keras_generates(
        java_dir, probe, tmp_path, name):
    """Java -> .keras -> Keras fit (1 epoch) -> .keras -> Java: same greedy text, same outputs."""
    spec = load_case(java_dir, name)["spec"]
    model = load_keras(java_dir / (name + ".keras"))
    before = kp.weights_by_name(model)
    ids = np.array([VOCAB.index(c) for c in HELLO_TEXT], dtype=np.int32)
    seq = spec["seq_len"]
    starts = np.arange(len(ids) - seq)
    x_ids = np.stack([ids[s:s + seq] for s in starts])
    y_ids = ids[starts + seq]
    keras.utils.set_random_seed(3)
    model.fit(kp.model_input(spec, x_ids), kp.model_targets(spec, y_ids), epochs=1, batch_size=16,
              shuffle=False, verbose=0)
    moved = max(np.abs(kp.weights_by_name(model)[k] - before[k]).max() for k in before)
    assert moved > 1e-3

    fitted = tmp_path / "fitted.keras"
    model.save(fitted)
    shutil.copy(java_dir / (name + ".vocab.json"), tmp_path / "fitted.vocab.json")

    cfg = {"task": "char", "seq_len": seq, "embedding_dim": spec["embedding_dim"]}

    def predict(x):
        return keras.ops.convert_to_numpy(model(x, training=False))

    prompt = x_ids[0]
    want = greedy(predict, cfg, VOCAB, prompt, 40)
    got = probe.predict(tmp_path, model=str(fitted), prompt="".join(VOCAB[i] for i in prompt),
                        greedy=40, input={"shape": list(x_ids[:5].shape),
                                          "data": x_ids[:5].ravel().tolist()})
    assert got["vocab"] == VOCAB
    assert got["spec"] == spec
    assert got["greedy"] == want
    assert np.abs(kp.tensor(got["output"]) - predict(kp.model_input(spec, x_ids[:5]))).max() \
        <= OUTPUT_TOL


@pytest.mark.parametrize("name", ["2xlstm-emb-dropout", "lstm-onehot-all-dropout", "lstm-regression",
                                  "gru-lstm-emb-dropouts"])
def test_java_reads_keras2_h5_and_keras3_weights_files(java_dir, probe, tmp_path, name):
    """tf_keras model.save("x.h5") and save_weights("x.h5"), and Keras 3 save_weights, imported
    for the spec as `train --init-from` does: Java's outputs equal Keras's."""
    import tf_keras

    case = load_case(java_dir, name)
    spec = case["spec"]
    k3 = load_keras(java_dir / (name + ".keras"))
    twin = kp.keras_model(tf_keras, spec)
    twin.set_weights(k3.get_weights())
    files = {"full.h5": lambda p: twin.save(p), "weights.h5": lambda p: twin.save_weights(p),
             "k3.weights.h5": lambda p: k3.save_weights(p)}
    x = keras_inputs(case)
    want = np.asarray(twin(x, training=False))
    assert np.abs(want - kp.tensor(case["output"])).max() <= OUTPUT_TOL
    for file_name, save in files.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tf_keras: "HDF5 is a legacy format"
            save(str(tmp_path / file_name))
    answers = probe.predict_all(tmp_path, [dict(model=str(tmp_path / f), spec=spec, input=case["input"])
                                           for f in files])
    for file_name, got in zip(files, answers):
        assert np.abs(kp.tensor(got["output"]) - want).max() <= OUTPUT_TOL, file_name


def test_an_architecture_mismatch_is_one_line_naming_the_difference(java_dir, probe, tmp_path):
    spec = load_case(java_dir, "lstm-onehot")["spec"]
    k3 = load_keras(java_dir / "lstm-onehot.keras")
    k3.save_weights(str(tmp_path / "lstm16.weights.h5"))
    files = [java_dir / "lstm-onehot.keras", tmp_path / "lstm16.weights.h5"]
    wider = dict(spec, units=32)
    assert [r["error"] for r in probe.check(files, wider, tmp_path)] == [
        "lstm-onehot.keras has lstm(16), the flags ask for lstm(32)",
        "lstm16.weights.h5 has lstm(16), the flags ask for lstm(32)"]
    other = dict(spec, cell="simple_rnn", layers=2, embedding_dim=8)
    assert probe.check(files[:1], other, tmp_path)[0]["error"] == (
        "lstm-onehot.keras has lstm(16), 1 recurrent layer, one-hot input, the flags ask for "
        "simple_rnn(16), 2 recurrent layers, embedding 8")
    # What does not shape the weights may differ: a longer window, dropout, loss on all steps.
    retrain = dict(spec, seq_len=25, dropout=0.1, loss_on="all")
    assert [("error" in r) for r in probe.check(files, retrain, tmp_path)] == [False, False]


def other_ways_to_write_the_model():
    """The tutorials' char model as Keras users also write it; name -> (model, returns logits)."""
    L = keras.layers
    v, seq = len(VOCAB), 10
    inp = keras.Input((seq, v))
    h = L.Dropout(0.1)(L.LSTM(8, return_sequences=True)(inp))
    return {
        # the classic Keras lstm_text_generation example: Dense, then a separate softmax
        "activation-layer": (keras.Sequential([keras.Input((seq, v)), L.LSTM(8), L.Dense(v),
                                               L.Activation("softmax")]), False),
        "softmax-layer": (keras.Sequential([keras.Input((seq, v)), L.SimpleRNN(8), L.Dense(v),
                                            L.Softmax()]), False),
        "functional-2xlstm": (keras.Model(inp, L.Dense(v, activation="softmax")(
            L.Dropout(0.1)(L.LSTM(8)(h)))), False),
        "logits": (keras.Sequential([keras.Input((seq, v)), L.LSTM(8), L.Dense(v)]), True),
        # Keras 3 makes Input float32 unless told otherwise, even before an Embedding
        "embedding-float-input": (keras.Sequential([keras.Input((seq,)), L.Embedding(v, 4), L.LSTM(8),
                                                    L.Dense(v, activation="softmax")]), False),
        # GRU (reset_after=True) and a cell's own dropout, refused before issue 15: the same at inference
        "gru": (keras.Sequential([keras.Input((seq, v)), L.GRU(8), L.Dense(v, activation="softmax")]), False),
        "cell-dropout": (keras.Sequential([keras.Input((seq, v)), L.LSTM(8, recurrent_dropout=0.1),
                                           L.Dense(v, activation="softmax")]), False),
    }


def test_keras_models_written_other_ways_compute_the_same_in_java(probe, tmp_path):
    """Each variant is saved as .keras, read by Java (rnnlab's own graph, as `rnnlab generate
    --model FILE.keras` builds it), and gives Keras's next-character probabilities."""
    rng = np.random.default_rng(5)
    ids = rng.integers(0, len(VOCAB), size=(3, 10))
    names, requests, wanted = [], [], []
    for name, (model, logits) in other_ways_to_write_the_model().items():
        names.append(name)
        # random, non-trivial weights: every weight matters
        model.set_weights([w + rng.normal(0, 0.3, w.shape) for w in model.get_weights()])
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        path = tmp_path / (name + ".keras")
        model.save(path)
        x = ids.astype("float32") if "embedding" in name else np.eye(len(VOCAB), dtype="float32")[ids]
        y = keras.ops.convert_to_numpy(model(x, training=False))
        if logits:
            y = np.exp(y - y.max(-1, keepdims=True))
            y /= y.sum(-1, keepdims=True)
        wanted.append(y)
        requests.append(dict(model=str(path), input={"shape": list(ids.shape), "data": ids.ravel().tolist()}))
    for name, want, got in zip(names, wanted, probe.predict_all(tmp_path, requests)):
        assert np.abs(kp.tensor(got["output"]) - want).max() <= OUTPUT_TOL, name


def unsupported_models():
    """Keras models rnnlab must refuse, and a part of the message that names the problem."""
    L = keras.layers
    v, seq = len(VOCAB), 10

    def seq_model(*layers, inputs=None):
        m = keras.Sequential([keras.Input((seq, v)) if inputs is None else inputs, *layers])
        m.compile(optimizer="adam", loss="categorical_crossentropy")
        return m

    head = lambda: L.Dense(v, activation="softmax")  # noqa: E731
    inp = keras.Input((seq, v))
    h = L.LSTM(8, return_sequences=True)(inp)
    # A branch: the Dense reads the sum of two LSTMs' outputs, which no Sequential computes.
    branched = keras.Model(inp, head()(L.Add(name="add")([L.LSTM(8)(h), L.LSTM(8)(h)])))
    return {
        "gru-reset-before": (seq_model(L.GRU(8, reset_after=False, name="gru"), head()),
                             "layer 'gru' (GRU) has reset_after=False"),
        "bidirectional": (seq_model(L.Bidirectional(L.LSTM(8), name="bidi"), head()),
                          "layer 'bidi' (Bidirectional) is not supported"),
        "relu": (seq_model(L.LSTM(8, activation="relu", name="l"), head()),
                 "layer 'l' (LSTM) has activation 'relu'"),
        "no-bias": (seq_model(L.SimpleRNN(8, use_bias=False, name="r"), head()),
                    "layer 'r' (SimpleRNN) has use_bias=False"),
        "backwards": (seq_model(L.LSTM(8, go_backwards=True, name="b"), head()),
                      "layer 'b' (LSTM) has go_backwards=True"),
        "time-distributed-other": (seq_model(L.LSTM(8, return_sequences=True),
                                             L.TimeDistributed(L.Dropout(0.1), name="td"), head()),
                                   "layer 'td' (TimeDistributed) wraps a Dropout; rnnlab reads TimeDistributed(Dense)"),
        "widths": (seq_model(L.LSTM(16, return_sequences=True), L.LSTM(8, name="narrow"), head()),
                   "layer 'narrow' (LSTM) has 8 units"),
        "masking": (seq_model(L.Embedding(v, 4, mask_zero=True, name="e"), L.LSTM(8), head(),
                              inputs=keras.Input((seq,), dtype="int32")),
                    "layer 'e' (Embedding) has mask_zero=True"),
        "any-length": (seq_model(L.LSTM(8), head(), inputs=keras.Input((None, v))),
                       "takes sequences of any length"),
        "branched": (branched, "layer 'add' (Add) is called on 2 tensors"),
        "double-softmax": (seq_model(L.LSTM(8), head(), L.Activation("softmax", name="again")),
                           "layer 'again' (Activation) comes after the Dense output layer, which already has"),
        "relu-after-dense": (seq_model(L.LSTM(8), L.Dense(v), L.Activation("relu", name="act")),
                             "layer 'act' (Activation) comes after the Dense output layer"),
    }


def test_unsupported_keras_models_are_refused_naming_the_layer(probe, tmp_path):
    cases = unsupported_models()
    files = []
    for name, (model, _) in cases.items():
        model.save(tmp_path / (name + ".keras"))
        files.append(tmp_path / (name + ".keras"))
    results = probe.check(files)
    assert len(results) == len(cases)
    for (name, (_, expected)), result in zip(cases.items(), results):
        assert "error" in result, name
        assert result["error"].startswith(name + ".keras: "), result["error"]
        assert expected in result["error"], result["error"]
        assert "\n" not in result["error"]


def test_a_keras2_gru_h5_is_not_an_lstm(probe, tmp_path):
    import tf_keras

    v = len(VOCAB)
    m = tf_keras.Sequential([tf_keras.Input((10, v)), tf_keras.layers.GRU(8),
                             tf_keras.layers.Dense(v, activation="softmax")])
    m.save_weights(str(tmp_path / "gru.h5"))
    spec = {"cell": "lstm", "layers": 1, "units": 8, "embedding_dim": 0, "dropout": 0.0,
            "seq_len": 10, "vocab_size": v, "head": "softmax", "loss_on": "last",
            "input_features": 0}
    (result,) = probe.check([tmp_path / "gru.h5"], spec, tmp_path)
    assert result["error"] == "gru.h5 has gru(8), the flags ask for lstm(8)"


def test_the_keras_trained_artifacts_in_saved_models_read_in_java(probe, tmp_path):
    """The models train_keras.py saved as .keras: Java's outputs and window-mode greedy text match
    the expected.json Keras recorded when it saved them. A model built for any length is run on
    the recorded batch's length; its greedy text (Keras on the whole text) is the stateful path's,
    checked through `rnnlab generate` in cli/KerasFileCommandsTest.java."""
    root = kp.REPO / "saved_models"
    keras_files = sorted(root.glob("keras3-*.keras"))
    assert keras_files
    expected, requests = [], []
    for path in keras_files:
        expected_file = path.with_name(path.name[:-len(".keras")] + ".expected.json")
        e = json.loads(expected_file.read_text(encoding="utf-8"))
        x = np.asarray(e["input"])
        ids = x.argmax(axis=-1) if x.ndim == 3 else x.astype(int)
        expected.append(e)
        request = dict(model=str(path), seq_len_if_any=ids.shape[1],
                       input={"shape": list(ids.shape), "data": ids.ravel().tolist()})
        if not e.get("any_length"):
            request.update(prompt=e["prompt"], greedy=len(e["greedy"]))
        requests.append(request)
    for path, e, got in zip(keras_files, expected, probe.predict_all(tmp_path, requests)):
        want = np.asarray(e["output"])
        if e.get("output_kind") == "logits":  # Java's head applies the softmax to them
            want = np.exp(want - want.max(-1, keepdims=True))
            want /= want.sum(-1, keepdims=True)
        assert np.abs(kp.tensor(got["output"]) - want).max() <= OUTPUT_TOL, path.name
        if "prompt" in requests[keras_files.index(path)]:
            assert got["greedy"] == e["greedy"], path.name

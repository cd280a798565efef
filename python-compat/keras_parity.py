"""Helpers for tests/test_keras_parity.py: the Java side of the Keras <-> rnnlab parity tests, and
the Keras twin of an rnnlab model spec.

The Java side is src/test/java/io/rnnlab/keras/KerasParityMain.java, a dev tool rather than a
user command: it is compiled here with javac against the launcher's jar (target/rnnlab.jar, which
`./rnnlab` builds or rebuilds when the sources changed) and run with java. RNNLAB_JAR=path/to/jar
uses another build of the jar instead (its lib/ folder must sit beside it).
"""
import json
import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAUNCHER = REPO / "rnnlab"
PROBE_SOURCE = REPO / "src" / "test" / "java" / "io" / "rnnlab" / "keras" / "KerasParityMain.java"
PROBE_CLASS = "io.rnnlab.keras.KerasParityMain"


def rnnlab_jar():
    if os.environ.get("RNNLAB_JAR"):
        return Path(os.environ["RNNLAB_JAR"])
    assert LAUNCHER.exists(), "Java launcher %s is missing" % LAUNCHER
    # The launcher (re)builds target/rnnlab.jar and target/lib/ when the sources are newer.
    subprocess.run([str(LAUNCHER), "--version"], check=True, cwd=REPO, stdout=subprocess.DEVNULL,
                   timeout=1800)
    return REPO / "target" / "rnnlab.jar"


class JavaProbe:
    """KerasParityMain, compiled once into `workdir`."""

    def __init__(self, workdir):
        self.jar = rnnlab_jar()
        self.classes = Path(workdir) / "classes"
        # The jar's manifest Class-Path (lib/*.jar) is honoured by javac and java alike.
        subprocess.run(["javac", "-nowarn", "-d", str(self.classes), "-cp", str(self.jar),
                        str(PROBE_SOURCE)], check=True, timeout=300)

    def run(self, *args, check=True):
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        cp = os.pathsep.join([str(self.jar), str(self.classes)])
        result = subprocess.run(["java", "-Xmx1g", "-cp", cp, PROBE_CLASS, *map(str, args)],
                                capture_output=True, text=True, env=env, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError("KerasParityMain %s failed (%d): %s" % (
                " ".join(map(str, args)), result.returncode, result.stderr[-3000:]))
        return result

    def fixtures(self, out_dir):
        self.run("fixtures", out_dir)

    def predict(self, tmp, **request):
        return self.predict_all(tmp, [request])[0]

    def predict_all(self, tmp, requests):
        """Several requests in one JVM: {"model", ["spec"], ["input"], ["prompt", "greedy"]}."""
        req, out = Path(tmp) / "request.json", Path(tmp) / "response.json"
        req.write_text(json.dumps(list(requests)), encoding="utf-8")
        self.run("predict", req, out)
        return json.loads(out.read_text(encoding="utf-8"))

    def check(self, files, spec=None, tmp=None):
        """One dict per file: {"file", "spec"} when it reads, {"file", "error"} when refused."""
        spec_arg = "-"
        if spec is not None:
            spec_arg = Path(tmp) / "check-spec.json"
            spec_arg.write_text(json.dumps(spec), encoding="utf-8")
        out = self.run("check", spec_arg, *files).stdout
        return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def tensor(t, dtype=None):
    """{"shape", "data"} as written by KerasParityMain -> numpy."""
    import numpy as np

    return np.asarray(t["data"], dtype=dtype or np.float64).reshape(t["shape"])


def model_input(spec, x):
    """What the Keras model takes: one-hot floats, int32 ids (Embedding) or float features."""
    import numpy as np

    if spec["head"] == "regression":
        return np.asarray(x, dtype=np.float32)
    ids = np.asarray(x).astype(np.int32)
    if spec["embedding_dim"]:
        return ids
    return np.eye(spec["vocab_size"], dtype=np.float32)[ids]


def model_targets(spec, y):
    import numpy as np

    if spec["head"] == "regression":
        return np.asarray(y, dtype=np.float32)
    return np.eye(spec["vocab_size"], dtype=np.float32)[np.asarray(y).astype(np.int32)]


def keras_model(K, spec):
    """The model a Keras user writes for `spec`, compiled as train_keras.py compiles it. `K` is
    `keras` (Keras 3) or `tf_keras` (Keras 2)."""
    L = K.layers
    seq = spec["seq_len"]
    if spec["head"] == "regression":
        inputs = K.Input(shape=(seq, spec["input_features"]))
    elif spec["embedding_dim"]:
        inputs = K.Input(shape=(seq,), dtype="int32")
    else:
        inputs = K.Input(shape=(seq, spec["vocab_size"]))
    model = K.Sequential([inputs])
    if spec["embedding_dim"]:
        model.add(L.Embedding(spec["vocab_size"], spec["embedding_dim"]))
    # spec.json: "cells" for a stack of mixed cells, "dropouts" by position (after the input, then
    # after each layer) unless they are "dropout" after each layer, "cell_dropout" when any.
    n = spec["layers"]
    cells = spec.get("cells") or [spec["cell"]] * n
    dropouts = spec.get("dropouts") or [0.0] + [spec["dropout"]] * n
    cell_dropout = spec.get("cell_dropout") or [[0.0, 0.0]] * n
    rnn = {"lstm": L.LSTM, "simple_rnn": L.SimpleRNN, "gru": L.GRU}
    if dropouts[0]:
        model.add(L.Dropout(dropouts[0]))
    for i in range(n):
        model.add(rnn[cells[i]](spec["units"], return_sequences=spec["loss_on"] == "all" or i < n - 1,
                                dropout=cell_dropout[i][0], recurrent_dropout=cell_dropout[i][1]))
        if dropouts[i + 1]:
            model.add(L.Dropout(dropouts[i + 1]))
    if spec["head"] == "regression":
        model.add(L.Dense(1))
        model.compile(loss="mse", optimizer="adam")
    else:
        model.add(L.Dense(spec["vocab_size"], activation="softmax"))
        model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def weights_by_name(model):
    """{"lstm_1/recurrent_kernel": array}: rnnlab's names for a Keras 3 model's weights."""
    import numpy as np

    return {"%s/%s" % (layer.name, w.name): np.asarray(w) for layer in model.layers
            for w in layer.weights}

"""A Python stand-in for rnnlab's Java SavedModel exporter, written from the contract alone.

It builds the same TF1-style graph the Java side builds (placeholders, variables, a statically
unrolled cell, tag "serve", signatures `serving_default` and `step`) and writes the same assets
(vocab.json, spec.json, reference_io.json). The tests use it two ways:

  * from a Keras model's weights: its outputs must equal Keras's, which proves the cell math and
    the weight layout below are Keras's (what the Java exporter must also get right);
  * as a known-good rnnlab model, so the Java -> Python contract tests are themselves tested and
    generate.py can be tested before (and independently of) the Java launcher.
"""
import json
import os

import numpy as np
import tensorflow as tf

v1 = tf.compat.v1
PREDICT = v1.saved_model.signature_constants.PREDICT_METHOD_NAME  # "tensorflow/serving/predict"


def layer_name(cell, i):
    """Keras's default names: lstm, lstm_1, ... / simple_rnn, simple_rnn_1, ..."""
    return cell if i == 0 else "%s_%d" % (cell, i)


def state_parts(spec):
    return 2 if spec["cell"] == "lstm" else 1


def random_weights(spec, seed):
    """Keras-shaped weights with roughly Keras's initial scale; names are Keras's weight paths."""
    rng = np.random.default_rng(seed)
    gates = 4 if spec["cell"] == "lstm" else 1
    units, vocab = spec["units"], spec["vocab_size"]
    w = {}
    width = vocab
    if spec["embedding_dim"]:
        w["embedding/embeddings"] = rng.uniform(-0.05, 0.05, (vocab, spec["embedding_dim"]))
        width = spec["embedding_dim"]
    for i in range(spec["layers"]):
        name = layer_name(spec["cell"], i)
        w[name + "/kernel"] = rng.normal(0, (1.0 / width) ** 0.5, (width, gates * units))
        w[name + "/recurrent_kernel"] = rng.normal(0, (1.0 / units) ** 0.5, (units, gates * units))
        w[name + "/bias"] = rng.normal(0, 0.1, (gates * units,))
        width = units
    w["dense/kernel"] = rng.normal(0, (1.0 / units) ** 0.5, (units, vocab))
    w["dense/bias"] = rng.normal(0, 0.1, (vocab,))
    return {k: v.astype(np.float32) for k, v in w.items()}


def keras_weights(model):
    """{layer/weight: array} from a Keras model, in the names rnnlab uses (Keras 2 calls a
    weight "lstm/lstm_cell/kernel:0", Keras 3 "kernel": both become "lstm/kernel")."""
    out = {}
    for layer in model.layers:
        for var in layer.weights:
            short = var.name.split("/")[-1].split(":")[0]
            out["%s/%s" % (layer.name, short)] = np.asarray(var.numpy(), np.float32)
    return out


class Graph:
    """The model's math, once: every signature is built from `cell_step`."""

    def __init__(self, spec, weights):
        self.spec = spec
        self.w = {k: v1.Variable(v, name=k.replace("/", "_")) for k, v in weights.items()}

    def embed(self, ids):
        if self.spec["embedding_dim"]:
            return tf.gather(self.w["embedding/embeddings"], ids)
        return tf.one_hot(ids, self.spec["vocab_size"], dtype=tf.float32)

    def cell_step(self, i, x, state):
        """One time step of layer i. LSTM: Keras's gate order i, f, c, o; sigmoid recurrence."""
        name = layer_name(self.spec["cell"], i)
        z = (tf.matmul(x, self.w[name + "/kernel"])
             + tf.matmul(state[0], self.w[name + "/recurrent_kernel"]) + self.w[name + "/bias"])
        if self.spec["cell"] == "simple_rnn":
            h = tf.tanh(z)
            return h, [h]
        zi, zf, zc, zo = tf.split(z, 4, axis=1)
        c = tf.sigmoid(zf) * state[1] + tf.sigmoid(zi) * tf.tanh(zc)
        h = tf.sigmoid(zo) * tf.tanh(c)
        return h, [h, c]

    def stack_step(self, x, states):
        new_states = []
        for i, state in enumerate(states):
            x, s = self.cell_step(i, x, state)
            new_states.append(s)
        return x, new_states

    def head(self, h):
        return tf.nn.softmax(tf.matmul(h, self.w["dense/kernel"]) + self.w["dense/bias"])

    def zero_states(self, batch):
        zeros = tf.zeros(tf.stack([batch, self.spec["units"]]))
        return [[zeros] * state_parts(self.spec) for _ in range(self.spec["layers"])]

    def serving(self, inputs):
        """Window mode: unroll over seq_len from zero state (inputs: ids or one-hot)."""
        states = self.zero_states(tf.shape(inputs)[0])
        probs = []
        for t in range(self.spec["seq_len"]):
            x = self.embed(inputs[:, t]) if self.spec["embedding_dim"] else inputs[:, t, :]
            h, states = self.stack_step(x, states)
            if self.spec["loss_on"] == "all" or t == self.spec["seq_len"] - 1:
                probs.append(self.head(h))
        return probs[-1] if self.spec["loss_on"] == "last" else tf.stack(probs, axis=1)

    def step(self, char_ids, state):
        """Stateful mode: state is [batch, S] = layer 0 h, (layer 0 c), layer 1 h, ..."""
        parts = tf.split(state, self.spec["layers"] * state_parts(self.spec), axis=1)
        k = state_parts(self.spec)
        states = [parts[i * k:(i + 1) * k] for i in range(self.spec["layers"])]
        h, new_states = self.stack_step(self.embed(char_ids), states)
        return self.head(h), tf.concat([s for layer in new_states for s in layer], axis=1)


def write_savedmodel(path, spec, weights, vocab, seed=0):
    """Writes an rnnlab-contract SavedModel (char models) with assets and reference_io.json."""
    rng = np.random.default_rng(seed)
    seq, vsize = spec["seq_len"], spec["vocab_size"]
    size = spec["layers"] * state_parts(spec) * spec["units"]
    graph = tf.Graph()
    with graph.as_default():
        g = Graph(spec, weights)
        if spec["embedding_dim"]:
            inputs = v1.placeholder(tf.int32, [None, seq], name="inputs")
        else:
            inputs = v1.placeholder(tf.float32, [None, seq, vsize], name="inputs")
        probabilities = g.serving(inputs)
        char_ids = v1.placeholder(tf.int32, [None], name="char_ids")
        state = v1.placeholder(tf.float32, [None, size], name="state")
        step_probs, state_out = g.step(char_ids, state)
        info = v1.saved_model.utils.build_tensor_info
        sigs = {
            "serving_default": v1.saved_model.signature_def_utils.build_signature_def(
                {"inputs": info(inputs)}, {"probabilities": info(probabilities)}, PREDICT),
            "step": v1.saved_model.signature_def_utils.build_signature_def(
                {"char_ids": info(char_ids), "state": info(state)},
                {"probabilities": info(step_probs), "state": info(state_out)}, PREDICT),
        }
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            ids = rng.integers(0, vsize, (2, seq)).astype(np.int32)
            x = ids if spec["embedding_dim"] else np.eye(vsize, dtype=np.float32)[ids]
            step_ids = rng.integers(0, vsize, (2,)).astype(np.int32)
            step_state = rng.normal(0, 0.5, (2, size)).astype(np.float32)
            p, sp, so = sess.run([probabilities, step_probs, state_out],
                                 {inputs: x, char_ids: step_ids, state: step_state})
            builder = v1.saved_model.Builder(path)
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map=sigs)
            builder.save()
    os.makedirs(os.path.join(path, "assets"), exist_ok=True)
    reference = {
        "serving_default": {"inputs": x.tolist(), "probabilities": p.tolist()},
        "step": {"char_ids": step_ids.tolist(), "state": step_state.tolist(),
                 "probabilities": sp.tolist(), "state_out": so.tolist()},
    }
    assets = {
        "vocab.json": {"format": "rnnlab-vocab", "version": 1, "chars": vocab},
        "spec.json": spec,
        "reference_io.json": reference,
    }
    for name, obj in assets.items():
        with open(os.path.join(path, "assets", name), "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False)
    return path


def spec_for(cell, vocab_size, units, layers=1, embedding_dim=0, seq_len=10, loss_on="last"):
    return {"cell": cell, "layers": layers, "units": units, "embedding_dim": embedding_dim,
            "dropout": 0.0, "seq_len": seq_len, "vocab_size": vocab_size, "head": "softmax",
            "loss_on": loss_on, "input_features": 0}

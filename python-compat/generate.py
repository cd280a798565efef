#!/usr/bin/env python3
"""generate.py: sample text in Python from a SavedModel that rnnlab (Java) exported.

    python generate.py runs/hello/saved_model --prompt "hello" --length 40 --temperature 0.5

It uses the model's `step` signature (one character in, next-character probabilities and the new
recurrent state out), so each character costs one cell step rather than a whole window:

    state = 0                       # zero state = start of text
    for c in prompt: p, state = step(c, state)
    repeat N times:  c ~ softmax(log(p + 1e-9) / T)   (T = 0: argmax)
                     p, state = step(c, state)

Sampling is rnnlab's, draw for draw: Java's SplittableRandom(seed) and the same weights and
cumulative sum as rnnlab's Sampler, so `--seed S` gives the same text here as `rnnlab generate
--seed S --mode stateful` on the same SavedModel (python-compat/tests/test_generate_seeds.py).

The vocabulary comes from the SavedModel's assets/vocab.json, the state size from assets/spec.json.
Prints the prompt followed by the continuation. User errors print one line and exit with 2.
"""
import argparse
import json
import os
import sys

EPS = 1e-9  # keeps log(p) finite for characters the model gives probability 0


class UserError(Exception):
    pass


def read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise UserError("%s is missing: not an rnnlab SavedModel?" % path)


def load_vocab(model_dir):
    vocab = read_json(os.path.join(model_dir, "assets", "vocab.json"))
    if vocab.get("format") != "rnnlab-vocab" or vocab.get("version") != 1:
        raise UserError("assets/vocab.json is not rnnlab-vocab version 1")
    return vocab["chars"]


STATE_VECTORS = {"lstm": 2, "simple_rnn": 1, "gru": 1}  # h, c for LSTM; h for SimpleRNN and GRU


def state_size(spec):
    """(h, c for LSTM | h for SimpleRNN and GRU) x units for each layer, laid out layer by layer.
    A stack of mixed cells lists them per layer ("cells"); otherwise every layer is "cell"."""
    cells = spec.get("cells") or [spec["cell"]] * spec["layers"]
    return sum(STATE_VECTORS[c] for c in cells) * spec["units"]


class SplittableRandom:
    """java.util.SplittableRandom(seed), the generator rnnlab's Sampler draws from: SplitMix64
    with Java's golden gamma, and nextDouble() from the top 53 bits of nextLong()."""

    MASK = (1 << 64) - 1
    GOLDEN_GAMMA = 0x9E3779B97F4A7C15

    def __init__(self, seed):
        self.seed = seed & self.MASK

    def next_long(self):
        self.seed = (self.seed + self.GOLDEN_GAMMA) & self.MASK
        z = self.seed
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & self.MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & self.MASK
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next_long() >> 11) * 2.0 ** -53


def sample(p, temperature, rng):
    """rnnlab's Sampler.sample: q = exp((log(p + eps) - max) / T) in doubles, one uniform draw
    scaled by sum(q), the first id whose running sum passes it. T = 0: argmax (lowest id)."""
    import math

    import numpy as np

    if temperature == 0:
        return int(np.argmax(p))
    logs = [math.log(float(v) + EPS) for v in p]
    top = max(logs)
    q = [math.exp((v - top) / temperature) for v in logs]
    total = 0.0
    for v in q:
        total += v
    u = rng.next_double() * total
    cumulative, last = 0.0, -1
    for i, v in enumerate(q):
        if v > 0:
            cumulative += v
            last = i
            if u < cumulative:
                return i
    return last  # past the end only through rounding


def generate(model_dir, prompt, length, temperature=1.0, seed=None):
    """Returns prompt + `length` generated characters. Checks everything it can before loading
    TensorFlow, so a mistyped path or prompt fails in milliseconds."""
    if temperature < 0:
        raise UserError("--temperature must be >= 0 (0 = greedy), got %g" % temperature)
    if length < 0:
        raise UserError("--length must be >= 0, got %d" % length)
    if not os.path.isfile(os.path.join(model_dir, "saved_model.pb")):
        raise UserError("no SavedModel at %s (expected saved_model.pb there)" % model_dir)
    if not prompt:
        raise UserError("--prompt must not be empty: the model needs a character to start from")
    spec = read_json(os.path.join(model_dir, "assets", "spec.json"))
    if spec.get("head") != "softmax":  # before the vocabulary, which a regression model lacks
        raise UserError("%s is a %s model: it does not generate text" % (model_dir, spec.get("head")))
    chars = load_vocab(model_dir)
    char_to_id = {c: i for i, c in enumerate(chars)}
    for c in prompt:
        if c not in char_to_id:
            raise UserError("prompt character %r is not in the model's vocabulary (%d chars)"
                            % (c, len(chars)))

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    step = tf.saved_model.load(model_dir).signatures["step"]
    # rnnlab's default seed is a random one, so is ours.
    rng = SplittableRandom(seed if seed is not None else int.from_bytes(os.urandom(8), "little"))
    state = tf.zeros([1, state_size(spec)], tf.float32)

    def feed(char_id):
        out = step(char_ids=tf.constant([char_id], tf.int32), state=state)
        return out["probabilities"].numpy()[0], out["state"]

    for c in prompt:
        p, state = feed(char_to_id[c])
    generated = []
    for _ in range(length):
        next_id = sample(p, temperature, rng)
        generated.append(chars[next_id])
        p, state = feed(next_id)
    return prompt + "".join(generated)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("path", help="rnnlab SavedModel directory (holds saved_model.pb)")
    ap.add_argument("--prompt", required=True)
    ap.add_argument("--length", type=int, default=200)
    ap.add_argument("--temperature", type=float, default=1.0, help="0 = greedy (argmax)")
    ap.add_argument("--seed", type=int,
                    help="fixes the text: the same seed gives the same text as `rnnlab generate --seed S"
                         " --mode stateful` on the same SavedModel (default: a random seed)")
    args = ap.parse_args(argv)
    try:
        text = generate(args.path, args.prompt, args.length, args.temperature, args.seed)
    except UserError as e:
        print("generate.py: error: %s" % e, file=sys.stderr)
        return 2
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

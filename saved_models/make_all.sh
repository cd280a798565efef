#!/usr/bin/env bash
# Regenerates every Keras artifact in saved_models/ from python-compat/train_keras.py.
# Seeded (keras.utils.set_random_seed) with TF op determinism on, so a rerun on the same
# versions (python-compat/requirements.txt) writes the same weights and expected.json numbers.
# Usage: saved_models/make_all.sh   (from any directory; PYTHON=... to use another interpreter)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-$("$here/../python-compat/ensure-venv.sh")}"
train() { "$python" "$here/../python-compat/train_keras.py" --seed 1 --out "$here" "$@"; }

rm -rf "$here"/keras2-* "$here"/keras3-* "$here/variants"

# Keras 3 export + .keras of the hello tutorial models (one-hot input, 100 epochs).
train --preset hello-lstm --format keras3-export,keras --name lstm-hello
train --preset hello-rnn --format keras3-export,keras --name simplernn-hello
# Keras 2 (tf_keras) SavedModel: Embedding(16) + LSTM(64), int32 id input; 200 epochs
# (the smaller model needs more to learn the text).
train --preset hello-lstm --embedding-dim 16 --units 64 --epochs 200 --format keras2-savedmodel \
  --name lstm-embedding
# Keras 3 export: Embedding(16) + 2 x LSTM(32) on a different text (its own vocabulary),
# trained briefly (40 epochs).
train --preset hello-lstm --corpus two-cities --embedding-dim 16 --layers 2 --units 32 \
  --epochs 40 --format keras3-export --name 2xlstm-embedding
# The same models as Keras users also write them: a Functional 2 x LSTM(32) with Dropout and a
# linear (logits) head on the two-cities text, and a SimpleRNN(64) built for any window length.
train --preset hello-lstm --corpus two-cities --layers 2 --units 32 --dropout 0.1 --api functional \
  --head logits --epochs 60 --format keras3-export,keras --name functional-2xlstm-logits
train --preset hello-rnn --units 64 --any-length --epochs 100 --format keras3-export,keras \
  --name simplernn-anylength
# Keras 3 export of the regression tutorial: LSTM(20) + Dense(1) on 5 floats.
train --preset sum-lstm --format keras3-export --name sum-lstm

# The char models Keras users write (issue 15): Dropout anywhere, noise layers, the cells' own
# dropout, TimeDistributed(Dense), GRU, mixed cells, and models rnnlab must refuse; 16 units on
# a short German text, 40 epochs each (~3 min on 2 cores). See python-compat/train_variants.py.
"$python" "$here/../python-compat/train_variants.py" --seed 1 --out "$here/variants"

du -sh "$here"

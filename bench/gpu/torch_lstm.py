#!/usr/bin/env python3
"""PyTorch's half of bench/gpu/run.sh: the models of bench/run's cases, trained with cuDNN on the
GPU, one measurement per process, printed as one JSON line with the field names of rnnlab's half
(src/test/java/io/rnnlab/bench/KerasSideBySide.java).

    torch_lstm.py --case lstm256-all --cell lstm --units 256 --layers 1 --embedding 0 --dropout 0
                  --loss-on all --seq 100 --batch 64 --vocab 65 --warmup 10 --steps 100

The model is the Keras tutorials' model, written with torch.nn: one-hot float input (embedding 0)
or nn.Embedding, nn.LSTM / nn.RNN(tanh) (cuDNN runs each layer's whole sequence as one kernel),
Dropout after every recurrent layer when --dropout > 0, a Dense (nn.Linear) head on the last step
(--loss-on last) or on every step (all), cross-entropy, Adam (lr 1e-3, Keras's betas and epsilon).
Inputs are seeded random ids: throughput does not depend on the text. Timed steps are bracketed by
torch.cuda.synchronize(). Not a test.
"""
import argparse
import json
import platform
import sys
import time

import torch
from torch import nn


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--case", default="")
    p.add_argument("--cell", default="lstm", choices=["lstm", "simple_rnn"])
    p.add_argument("--units", type=int, default=256)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--embedding", type=int, default=0)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--loss-on", default="last", choices=["last", "all"])
    p.add_argument("--seq", type=int, default=100)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--vocab", type=int, default=65)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--device", default="cuda")
    return p.parse_args()


class CharModel(nn.Module):
    def __init__(self, a):
        super().__init__()
        self.a = a
        self.embed = nn.Embedding(a.vocab, a.embedding) if a.embedding > 0 else None
        rnn = nn.LSTM if a.cell == "lstm" else (lambda *x, **k: nn.RNN(*x, nonlinearity="tanh", **k))
        width = a.embedding if a.embedding > 0 else a.vocab
        # One module per layer, as Keras has one layer each, with Dropout between them and after the last.
        self.layers = nn.ModuleList(
            [rnn(width if i == 0 else a.units, a.units, batch_first=True) for i in range(a.layers)])
        self.drop = nn.Dropout(a.dropout) if a.dropout > 0 else nn.Identity()
        self.head = nn.Linear(a.units, a.vocab)

    def forward(self, ids):
        x = self.embed(ids) if self.embed is not None else nn.functional.one_hot(ids, self.a.vocab).float()
        for layer in self.layers:
            x, _ = layer(x)
            x = self.drop(x)
        if self.a.loss_on == "last":
            x = x[:, -1, :]
        return self.head(x)


def main():
    a = parse()
    dev = torch.device(a.device)
    torch.manual_seed(7)
    torch.backends.cudnn.benchmark = True
    model = CharModel(a).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator(device="cpu").manual_seed(7)
    ids = torch.randint(0, a.vocab, (a.batch, a.seq), generator=g).to(dev)
    targets = torch.randint(0, a.vocab, (a.batch,) if a.loss_on == "last" else (a.batch, a.seq), generator=g).to(dev)

    def step():
        opt.zero_grad(set_to_none=True)
        out = model(ids)
        loss = loss_fn(out.reshape(-1, a.vocab), targets.reshape(-1))
        loss.backward()
        opt.step()
        return loss

    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    t0 = time.perf_counter()
    step()
    sync()
    t1 = time.perf_counter()
    for _ in range(a.warmup):
        step()
    sync()
    each = []
    t2 = time.perf_counter()
    for _ in range(a.steps):
        s = time.perf_counter()
        step()
        sync()
        each.append(time.perf_counter() - s)
    t3 = time.perf_counter()
    each.sort()
    step_s = (t3 - t2) / a.steps
    out = {"side": "pytorch", "mode": "train", "case": a.case, "batch": a.batch,
           "first_step_s": t1 - t0, "step_ms": step_s * 1e3, "step_ms_min": each[0] * 1e3,
           "step_ms_median": each[len(each) // 2] * 1e3, "train_chars_per_s": a.batch * a.seq / step_s,
           "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
           "torch": torch.__version__, "cudnn": torch.backends.cudnn.version(),
           "python": platform.python_version()}
    if dev.type == "cuda":
        out["peak_gpu_mb"] = torch.cuda.max_memory_allocated(dev) / 2**20
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Turns bench results (JSON lines from KerasSideBySide.java / keras_side_by_side.py, or from the
quality-per-time runs) into the Markdown tables of docs/BENCHMARKS.md, and with --record appends
them, dated, to their section of that file (older runs stay: one table per run).

    report.py side-by-side --results FILE.jsonl --start-load "a b c" --end-load "a b c"
                           --command "bench/run ..." [--record docs/BENCHMARKS.md]
    report.py quality --results FILE.jsonl --command "bench/quality-per-time ..." [--record ...]
"""
import argparse
import datetime
import json
import os
import platform
import re
import sys

SECTIONS = ["Training", "Keras side by side", "Quality per time", "Generation"]
SKELETON = """# Benchmarks

Numbers measured on this project's machines. Every table says when, where and how it was
measured; older tables stay below newer ones so changes can be traced.

## Training

## Keras side by side

## Quality per time

## Generation
"""


def machine():
    model, family, flags = "unknown CPU", "?", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "unknown CPU":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("cpu family") and family == "?":
                    family = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    ram = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
            ram = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, AttributeError):
        pass
    # TF's CPU kernels (oneDNN, Eigen) pick their code by these: the AVX-512 machines and the AVX2-only
    # ones differ by several times (docs/BENCHMARKS.md).
    simd = [f for f in ("avx", "avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile") if f in flags]
    return (f"{model} (family {family}), nproc {os.cpu_count()}, {ram} RAM, {platform.system()} {platform.release()}, "
            f"SIMD: {' '.join(simd) or 'unknown'}{'' if 'avx512f' in flags else ' (no AVX-512)'}")


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def fmt(x, digits=0):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def ratio(a, b):
    return "n/a" if not a or not b else f"**{a / b:.2f}×**"


def median_runs(rows):
    """(side, mode, case) -> the run with the median throughput of its repeats, and how many."""
    groups = {}
    for r in rows:
        groups.setdefault((r["side"], r["mode"], r["case"]), []).append(r)
    out = {}
    for key, runs in groups.items():
        metric = "train_chars_per_s" if key[1] == "train" else "stateful_chars_per_s"
        runs = sorted(runs, key=lambda r: r[metric])
        out[key] = dict(runs[(len(runs) - 1) // 2], repeats=len(runs),
                        spread=(runs[0][metric], runs[-1][metric]))
    return out


def side_by_side(rows, a):
    by = median_runs(rows)
    cases = list(dict.fromkeys(r["case"] for r in rows if r["mode"] == "train"))
    any_r = next(r for r in rows if r["side"] == "rnnlab")
    any_k = next(r for r in rows if r["side"] == "keras")
    tr = next((r for r in rows if r["mode"] == "train"), any_r)
    gen = next((r for r in rows if r["mode"] == "generate"), None)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"### {now}: `{a.command}`", ""]
    out.append(f"Machine: {machine()}. rnnlab: TF Java 1.1.0 (TF {any_r.get('tf')}), Java "
               f"{any_r.get('java', '?')}; Keras {any_k.get('keras')} on TF {any_k.get('tf')}, Python "
               f"{any_k.get('python', platform.python_version())}. Threads: training intra-op {tr['intra']} / "
               f"inter-op {tr['inter']} on both sides"
               + (f"; generation {gen['intra']} / {gen['inter']}" if gen else "") + ". "
               f"Load average at start {a.start_load}, at end {a.end_load}.")
    out.append("")
    out.append("Training, batch 64, seq 100, seeded random ids (throughput does not depend on the text); "
               "steady state = mean of the timed steps after the warm-up. rnnlab: `TrainingGraph.trainStep`; "
               "Keras: `model.fit` on in-memory arrays (one-hot float inputs, one-hot targets, "
               "`categorical_crossentropy`, as the tutorials), per-batch times from a callback. "
               "Build = rnnlab graph construction + session / Keras model build + compile; first step = "
               "rnnlab's first `Session.run` (TF graph optimisation) / Keras's first batch (tf.function tracing).")
    out.append("")
    reps = max(r["repeats"] for r in by.values())
    if reps > 1:
        out.append(f"Each case ran {reps} times per side, alternating; shown: the run with the median "
                   "chars/s of each side, with the range over the runs in brackets.")
        out.append("")
    out.append("| model | rnnlab chars/s | Keras chars/s | rnnlab / Keras | step ms rnnlab (mean; median, min of steps) "
               "| step ms Keras (mean; median, min) | build + first step s, rnnlab | build + first step s, Keras "
               "| peak RSS MB rnnlab / Keras | load before (r / K) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for c in cases:
        r = by.get(("rnnlab", "train", c))
        k = by.get(("keras", "train", c))
        if not r or not k:
            continue
        def cps(x):
            lo, hi = x["spread"]
            return fmt(x["train_chars_per_s"]) + (f" ({fmt(lo)}–{fmt(hi)})" if x["repeats"] > 1 else "")
        out.append(
            f"| {c} | {cps(r)} | {cps(k)} "
            f"| {ratio(r['train_chars_per_s'], k['train_chars_per_s'])} "
            f"| {fmt(r['step_ms'], 1)}; {fmt(r['step_ms_median'], 1)}, {fmt(r['step_ms_min'], 1)} "
            f"| {fmt(k['step_ms'], 1)}; {fmt(k['step_ms_median'], 1)}, {fmt(k['step_ms_min'], 1)} "
            f"| {r['build_s']:.1f} + {r['first_step_s']:.1f} | {k['build_s']:.1f} + {k['first_step_s']:.1f} "
            f"| {fmt(r['peak_rss_mb'])} / {fmt(k['peak_rss_mb'])} | {r['load_before']} / {k['load_before']} |")
    r = by.get(("rnnlab", "generate", "lstm256-last"))
    k = by.get(("keras", "generate", "lstm256-last"))
    if r and k:
        out += ["", "Generation at batch 1, lstm256 shape, random weights, temperature 0.8, prompt excluded. "
                "rnnlab: `Generator` (the CLI's path) from a SavedModel; Keras: window = `model.predict` on the "
                "last 100 chars per new char (the tutorials' loop), stateful = a `stateful=True` batch-1 copy with "
                "the same weights called as `model(x, training=False)` per char.", "",
                "| mode | rnnlab chars/s | Keras chars/s | rnnlab / Keras |", "|---|---|---|---|"]
        for mode in ("window", "stateful"):
            key = f"{mode}_chars_per_s"
            out.append(f"| {mode} | {fmt(r[key])} | {fmt(k[key])} | {ratio(r[key], k[key])} |")
        out.append(f"| peak RSS MB | {fmt(r['peak_rss_mb'])} | {fmt(k['peak_rss_mb'])} | |")
    out.append("")
    return "\n".join(out)


def quality(rows, a):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [f"### {now}: `{a.command}`", "", f"Machine: {machine()}. Load average at start {a.start_load}, "
           f"at end {a.end_load}.", ""]
    out.append("| side | recipe | budget min | steps | chars trained | val loss (nats/char) | val accuracy "
               "| train chars/s | peak RSS MB | threads (intra/inter) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        out.append(f"| {r['side']} | {r['recipe']} | {r['minutes']:g} | {fmt(r['steps'])} | {fmt(r['chars'])} "
                   f"| {r['val_loss']:.4f} | {r['val_accuracy']:.4f} | {fmt(r['train_chars_per_s'])} "
                   f"| {fmt(r['peak_rss_mb'])} | {r['intra']}/{r['inter']} |")
    out.append("")
    return "\n".join(out)


def ab(rows, a):
    """bench/training-ab: an older revision against the working tree, per case."""
    by = median_runs(rows)
    sides = list(dict.fromkeys(r["side"] for r in rows))
    old, new = sides[0], sides[1]
    cases = list(dict.fromkeys(r["case"] for r in rows))
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    r0 = rows[0]
    out = [f"### {now}: `{a.command}`", "",
           f"Machine: {machine()}. Threads intra {r0['intra']} / inter {r0['inter']}. Load average at start "
           f"{a.start_load}, at end {a.end_load}. Median run of each side shown, range in brackets; the "
           "best run is the better estimate when other work shared the machine (it only ever slows a run).", "",
           f"| model | {old} chars/s | now chars/s | now / {old} | step ms {old} → now | CPU ms per step {old} → now "
           f"| peak RSS MB {old} → now | best run: now / {old} |", "|---|---|---|---|---|---|---|---|"]
    for c in cases:
        o, n = by.get((old, "train", c)), by.get((new, "train", c))
        if not o or not n:
            continue
        rng = lambda x: f"{fmt(x['train_chars_per_s'])} ({fmt(x['spread'][0])}–{fmt(x['spread'][1])})"
        out.append(f"| {c} | {rng(o)} | {rng(n)} | {ratio(n['train_chars_per_s'], o['train_chars_per_s'])} "
                   f"| {fmt(o['step_ms'], 1)} → {fmt(n['step_ms'], 1)} "
                   f"| {fmt(o.get('cpu_ms_per_step'), 1)} → {fmt(n.get('cpu_ms_per_step'), 1)} "
                   f"| {fmt(o['peak_rss_mb'])} → {fmt(n['peak_rss_mb'])} "
                   f"| {ratio(n['spread'][1], o['spread'][1])} |")
    out.append("")
    return "\n".join(out)


def record(path, section, text):
    """Appends text at the end of `## section`, creating the file or the section if missing."""
    doc = open(path).read() if os.path.exists(path) else SKELETON
    head = f"## {section}\n"
    if head not in doc:
        # Sections keep SKELETON's order: a missing one goes before the first that follows it.
        later = [f"## {s}\n" for s in SECTIONS[SECTIONS.index(section) + 1:] if f"## {s}\n" in doc]
        at = doc.index(later[0]) if later else len(doc)
        doc = doc[:at].rstrip("\n") + "\n\n" + head + "\n" + doc[at:]
    start = doc.index(head) + len(head)
    nxt = re.search(r"^## ", doc[start:], re.M)
    end = start + nxt.start() if nxt else len(doc)
    body = doc[start:end].rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(doc[:start] + body + doc[end:].lstrip("\n"))
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["side-by-side", "quality", "ab"])
    p.add_argument("--results", required=True)
    p.add_argument("--start-load", default="?")
    p.add_argument("--end-load", default="?")
    p.add_argument("--command", default="bench/run")
    p.add_argument("--record")
    a = p.parse_args()
    rows = load(a.results)
    text = {"side-by-side": side_by_side, "quality": quality, "ab": ab}[a.kind](rows, a)
    print(text)
    if a.record:
        section = {"side-by-side": "Keras side by side", "quality": "Quality per time", "ab": "Training"}[a.kind]
        record(a.record, section, text)
        print(f"(appended to {a.record})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

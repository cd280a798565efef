"""The rnnlab command line, many calls per JVM, for tests that run dozens of commands.

`batch(commands)` runs each argument list through the launcher jar's own entry point
(`Main.run(args, out, err)`: the same parsing, commands, exit codes and one-line errors as
`./rnnlab ...`) in one JVM (RnnlabCliBatch.java, a single-file Java program), instead of paying a
JVM and TensorFlow start (about 5 s) per call. `launcher(*args)` runs the real `./rnnlab` once,
for the checks that need the process itself (its stderr, its exit status).
"""
import json
import os
import subprocess
import tempfile
from collections import namedtuple
from pathlib import Path

import keras_parity

COMPAT = Path(__file__).resolve().parent
REPO = COMPAT.parent
BATCH_SOURCE = COMPAT / "RnnlabCliBatch.java"

Result = namedtuple("Result", "rc stdout stderr seconds")


def _env():
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")


def batch(commands, timeout=1800):
    """[[arg, ...], ...] -> [Result, ...] in the same order; paths are best given absolute."""
    commands = [[str(a) for a in c] for c in commands]
    jar = keras_parity.rnnlab_jar()  # builds target/rnnlab.jar when the sources changed
    with tempfile.TemporaryDirectory(prefix="rnnlab-cli-") as tmp:
        requests, results = Path(tmp) / "requests.json", Path(tmp) / "results.json"
        requests.write_text(json.dumps(commands, ensure_ascii=False), encoding="utf-8")
        run = subprocess.run(["java", "-Xmx2g", "-cp", str(jar), str(BATCH_SOURCE), str(jar), str(requests),
                              str(results)], cwd=REPO, env=_env(), capture_output=True, text=True,
                             timeout=timeout)
        if run.returncode != 0 or not results.exists():
            raise AssertionError("RnnlabCliBatch failed (%d): %s" % (run.returncode, run.stderr[-3000:]))
        answers = json.loads(results.read_text(encoding="utf-8"))
    assert len(answers) == len(commands)
    return [Result(a["rc"], a["stdout"], a["stderr"], a["seconds"]) for a in answers]


def launcher(*args, timeout=600):
    """One real `./rnnlab ARGS` process."""
    run = subprocess.run([str(REPO / "rnnlab"), *map(str, args)], cwd=REPO, env=_env(), capture_output=True,
                         text=True, timeout=timeout)
    return Result(run.returncode, run.stdout, run.stderr, None)


def describe(command, result):
    """One readable line for an assertion message: the command, its exit code and stderr."""
    return "rnnlab %s -> exit %s: %s" % (" ".join(map(str, command)), result.rc,
                                          (result.stderr or "").strip() or "(no stderr)")

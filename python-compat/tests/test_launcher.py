"""The ./rnnlab launcher's build: one plain line on stderr while Maven builds, no terminal escape
codes (Maven 3.8 prints colour resets even in batch mode), and Maven's log, cleaned, only when the
build fails. Runs a copy of the launcher against a stand-in `mvn` that behaves as Maven does."""
import os
import shutil
import stat
import subprocess

from conftest import REPO

FAKE_MVN = r"""#!/usr/bin/env bash
printf '\033[0m\033[0m'
if [[ -n "${FAIL_BUILD:-}" ]]; then
  printf '[\033[1;31mERROR\033[m] COMPILATION ERROR\n'
  exit 1
fi
mkdir -p target
cp "$REAL_JAR" target/rnnlab.jar
ln -sfn "$REAL_LIB" target/lib
printf '\033[0m\033[0m'
"""


def launcher_copy(tmp_path):
    root = tmp_path / "repo"
    (root / "src" / "main").mkdir(parents=True)
    (root / "src" / "main" / "Source.java").write_text("// changes make the jar stale\n")
    (root / "pom.xml").write_text("<project/>\n")
    shutil.copy(REPO / "rnnlab", root / "rnnlab")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    mvn = bin_dir / "mvn"
    mvn.write_text(FAKE_MVN)
    mvn.chmod(mvn.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, PATH="%s:%s" % (bin_dir, os.environ["PATH"]),
               REAL_JAR=str(REPO / "target" / "rnnlab.jar"), REAL_LIB=str(REPO / "target" / "lib"))
    return root, env


def test_first_build_prints_one_plain_line(tmp_path):
    root, env = launcher_copy(tmp_path)
    r = subprocess.run([str(root / "rnnlab"), "--version"], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert "rnnlab 0.1.0" in r.stdout
    assert "\x1b" not in r.stderr + r.stdout
    assert r.stderr.splitlines() == [
        "rnnlab: building target/rnnlab.jar (mvn package, tests skipped;"
        " the first build downloads ~200 MB)..."]
    again = subprocess.run([str(root / "rnnlab"), "--version"], capture_output=True, text=True, env=env,
                           timeout=300)
    assert again.returncode == 0 and again.stderr == "", again.stderr


def test_a_failed_build_shows_mavens_log_without_escape_codes(tmp_path):
    root, env = launcher_copy(tmp_path)
    env["FAIL_BUILD"] = "1"
    r = subprocess.run([str(root / "rnnlab"), "--version"], capture_output=True, text=True, env=env,
                       timeout=300)
    assert r.returncode == 1
    assert "\x1b" not in r.stderr
    assert r.stderr.splitlines()[1:] == [
        "[ERROR] COMPILATION ERROR",
        "rnnlab: the build failed (above); fix it or run: mvn -DskipTests package"]
    assert r.stdout == ""

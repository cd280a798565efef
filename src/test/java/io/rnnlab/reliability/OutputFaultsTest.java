package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.rnnlab.cli.Main;
import io.rnnlab.model.HostTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Output that cannot be written: a path under a regular file (ENOTDIR), {@code /proc}, a
 * read-only file system and a full disk (both in a private mount namespace). Each is one clear
 * line — exit 2 where the user chose the place, exit 1 where the disk ran out under a running
 * job — and the checkpoints already written stay intact and resumable.
 */
class OutputFaultsTest {
  /** hello corpus, 6 steps per epoch: 4 epochs = 24 steps; a run stopped at step 10 has ckpt 6, 8, 10. */
  static final int EPOCHS = 4;
  static final long STOP_AT = 10;

  @TempDir static Path shared;
  static Path partial;
  static Map<String, HostTensor> referenceFinal;

  static List<String> trainArgs(Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "--preset", "hello-lstm", "--units", "16", "--epochs",
        Integer.toString(EPOCHS), "--seed", "5", "--checkpoint-every", "2", "--device", "cpu", "--sample-length", "0",
        "--out", out.toString()));
    a.addAll(List.of(more));
    return a;
  }

  @BeforeAll
  static void runs() throws IOException {
    Path reference = shared.resolve("reference");
    Cli whole = Cli.run(trainArgs(reference));
    assertThat(whole.code()).as(whole.toString()).isZero();
    referenceFinal = RunDirs.tensors(reference, EPOCHS * 6L);
    partial = shared.resolve("partial");
    Cli part = Cli.run(trainArgs(partial, "--max-steps", Long.toString(STOP_AT)));
    assertThat(part.code()).as(part.toString()).isZero();
    assertThat(RunDirs.assertAllReadable(partial)).isEqualTo(STOP_AT);
  }

  private static void assertOneLine(Cli r, int code, String... fragments) {
    assertThat(r.code()).as(r.toString()).isEqualTo(code);
    assertThat(r.errLines()).as(r.toString()).singleElement().asString()
        .startsWith(code == Main.USAGE ? "rnnlab: error: " : "rnnlab: failed: ")
        .contains(fragments)
        .doesNotContain("Exception", "\tat ");
  }

  @ParameterizedTest
  @ValueSource(strings = {"train", "experiment"})
  void aRunDirectoryUnderARegularFileIsExit2(String command, @TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "not a directory");
    Path out = file.resolve("run");
    Cli r = command.equals("train")
        ? Cli.run(trainArgs(out))
        : Cli.run("experiment", "rnn-vs-lstm", "--task", "hello", "--max-steps", "1", "--length", "0",
            "--out", out.toString());
    assertOneLine(r, Main.USAGE, out.toString(), "Not a directory");
    assertThat(Files.readString(file)).isEqualTo("not a directory");
  }

  @Test
  void aRunDirectoryInProcIsExit2() {
    Path out = Path.of("/proc/rnnlab-" + ProcessHandle.current().pid(), "run");
    Cli r = Cli.run(trainArgs(out));
    assertOneLine(r, Main.USAGE, "/proc/rnnlab-");
  }

  @Test
  void exportAndCompareTargetsUnderARegularFileAreExit2AndWriteNothing(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("notes.txt"), "not a directory");
    assertOneLine(Cli.run("export", "--run", partial.toString(), "--out", file.resolve("sm").toString()),
        Main.USAGE, file.resolve("sm").toString());
    assertOneLine(Cli.run("export", "--run", partial.toString(), "--keras", file.resolve("m.keras").toString()),
        Main.USAGE, file.resolve("m.keras").toString());
    assertOneLine(Cli.run("compare", partial.toString(), "--length", "0", "--out", file.resolve("report").toString()),
        Main.USAGE, file.resolve("report").toString());
    assertThat(Files.readString(file)).isEqualTo("not a directory");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.toList()).containsExactly(file);
    }
  }

  /** A resumed run on a read-only file system: refused at once, nothing touched. */
  @Test
  void readOnlyRunDirectoryIsExit2AndLeavesTheCheckpointsAlone(@TempDir Path tmp) throws Exception {
    assumeTrue(MountNamespace.available(), MountNamespace.unavailableReason());
    Path run = tmp.resolve("run");
    RunDirs.copyTree(partial, run);
    Map<String, String> before = fingerprint(run);
    List<String> cmd = MountNamespace.shell("mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\"",
        concat(List.of(run.toString()), ChildJvm.javaCommand("io.rnnlab.cli.Main",
            trainArgs(run, "--resume").toArray(String[]::new))));
    try (ChildJvm c = ChildJvm.start(cmd)) {
      assertThat(c.finish(Duration.ofSeconds(60))).as(c.err()).isEqualTo(Main.USAGE);
      assertThat(c.rnnlabErrLines()).singleElement().asString()
          .startsWith("rnnlab: error: ").contains(run.toString(), "Read-only file system").doesNotContain("Exception");
    }
    assertThat(fingerprint(run)).isEqualTo(before);
  }

  /**
   * The disk fills while a resumed run trains: the checkpoint that does not fit fails the run with
   * one line (exit 1), the staged half of it is cleared, and the earlier checkpoints stay valid.
   * With space again, --resume finishes with the weights of a run that never failed.
   */
  @Test
  void fullDiskFailsTheRunCleanlyAndTheRunResumesExactly(@TempDir Path tmp) throws Exception {
    assumeTrue(MountNamespace.available(), MountNamespace.unavailableReason());
    Path mnt = Files.createDirectories(tmp.resolve("small-disk"));
    Path after = tmp.resolve("after");
    // Copy the stopped run onto a 1 MB tmpfs, fill it to 16 KB short of full (less than one
    // 35 KB checkpoint), resume there, then copy what is left back out for inspection.
    String script = String.join("\n",
        "set -e",
        "mnt=$1; src=$2; after=$3; shift 3",
        "mount -t tmpfs -o size=1m tmpfs \"$mnt\"",
        "cp -a \"$src\" \"$mnt/run\"",
        "dd if=/dev/zero of=\"$mnt/headroom\" bs=16k count=1 2>/dev/null",
        "dd if=/dev/zero of=\"$mnt/fill\" bs=4k 2>/dev/null || true",
        "rm \"$mnt/headroom\"",
        "set +e",
        "\"$@\"",
        "rc=$?",
        "cp -a \"$mnt/run\" \"$after\"",
        "exit $rc");
    List<String> java = ChildJvm.javaCommand("io.rnnlab.cli.Main",
        trainArgs(mnt.resolve("run"), "--resume").toArray(String[]::new));
    List<String> cmd = MountNamespace.shell(script,
        concat(List.of(mnt.toString(), partial.toString(), after.toString()), java));
    try (ChildJvm c = ChildJvm.start(cmd)) {
      assertThat(c.finish(Duration.ofSeconds(90))).as(c.out() + "\n" + c.err()).isEqualTo(Main.FAILURE);
      assertThat(c.rnnlabErrLines()).as(c.err()).singleElement().asString()
          .startsWith("rnnlab: failed: ")
          .contains("No space left on device", "--resume")
          .doesNotContain("Exception");
    }
    assertThat(RunDirs.assertAllReadable(after)).isEqualTo(STOP_AT);
    assertThat(RunDirs.leftovers(after)).isEmpty();

    Cli resumed = Cli.run(trainArgs(after, "--resume"));
    assertThat(resumed.code()).as(resumed.toString()).isZero();
    assertThat(RunDirs.maxAbsDiff(RunDirs.tensors(after, EPOCHS * 6L), referenceFinal)).isLessThanOrEqualTo(1e-6);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** Path → SHA-256 of every file under {@code dir}, to prove nothing changed. */
  private static Map<String, String> fingerprint(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(dir.relativize(p).toString(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }
}

package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.cli.Main;
import io.rnnlab.model.HostTensor;
import io.rnnlab.train.TrainJob;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A seeded {@code rnnlab train} in a real child JVM, stopped the hard ways — SIGKILL at random
 * steps and inside a checkpoint write, SIGINT, a second process on the same directory, checkpoints
 * corrupted on disk — and resumed: it must end with the weights of a run that never stopped, lose
 * at most one checkpoint interval per kill, and never publish a checkpoint that does not load.
 */
class TrainingInterruptionTest {
  static final int CHECKPOINT_EVERY = 2;
  /** hello corpus: 6 batches of 16 per epoch, so 100 epochs are 600 steps (2–20 s on 2 cores). */
  static final int EPOCHS = 100;

  static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  @TempDir static Path shared;
  static Path reference;
  static long finalStep;
  static Map<String, HostTensor> referenceFinal;

  static List<String> trainArgs(Path out, boolean resume) {
    List<String> a = new ArrayList<>(List.of("train", "--preset", "hello-lstm", "--units", "16",
        "--epochs", Integer.toString(EPOCHS), "--seed", "11", "--checkpoint-every", Integer.toString(CHECKPOINT_EVERY),
        "--keep-checkpoints", "3", "--device", "cpu", "--sample-length", "0", "--out", out.toString()));
    if (resume) {
      a.add("--resume");
    }
    return a;
  }

  static ChildJvm train(Path out, boolean resume) throws IOException {
    return ChildJvm.rnnlab(trainArgs(out, resume).toArray(String[]::new));
  }

  @BeforeAll
  static void uninterruptedRun() throws Exception {
    reference = shared.resolve("reference");
    try (ChildJvm c = train(reference, false)) {
      assertThat(c.finish(RUN_TIMEOUT)).as(c.err()).isZero();
      finalStep = c.lastStep();
    }
    assertThat(finalStep).isEqualTo(EPOCHS * 6L);
    assertThat(RunDirs.assertAllReadable(reference)).isEqualTo(finalStep);
    referenceFinal = RunDirs.tensors(reference, finalStep);
  }

  /** The run ended where the reference ended, with the same weights and Adam slots. */
  static void assertSameAsReference(Path run) throws IOException {
    assertThat(RunDirs.assertAllReadable(run)).isEqualTo(finalStep);
    assertThat(RunDirs.maxAbsDiff(RunDirs.tensors(run, finalStep), referenceFinal)).isLessThanOrEqualTo(1e-6);
    List<String> history = Files.readAllLines(run.resolve(TrainJob.HISTORY));
    List<String> expected = Files.readAllLines(reference.resolve(TrainJob.HISTORY));
    assertThat(history).hasSameSizeAs(expected).hasSize(EPOCHS + 1);
    for (int i = 1; i < history.size(); i++) {
      double[] got = numbers(history.get(i));
      double[] want = numbers(expected.get(i));
      for (int k = 0; k < got.length; k++) {
        if (Double.isNaN(want[k])) {
          assertThat(got[k]).as("history.csv row %d", i).isNaN();
        } else {
          assertThat(got[k]).as("history.csv row %d", i).isCloseTo(want[k], org.assertj.core.data.Offset.offset(1e-5));
        }
      }
    }
  }

  private static double[] numbers(String csvRow) {
    // History.write spells a missing value (a diverged loss) as Python's "nan"
    return java.util.Arrays.stream(csvRow.split(",")).mapToDouble(v -> v.equals("nan") ? Double.NaN : Double.parseDouble(v))
        .toArray();
  }

  /**
   * After a kill: every published checkpoint loads, and the newest is at most one checkpoint
   * interval behind the last step the child reported.
   */
  private static long assertLostAtMostOneInterval(Path run, long reported) throws IOException {
    long newest = RunDirs.assertAllReadable(run);
    assertThat(newest).as("newest checkpoint after a kill at step %d", reported).isGreaterThan(0);
    assertThat(reported - newest).as("steps lost by a kill at step %d", reported).isLessThanOrEqualTo(CHECKPOINT_EVERY);
    return newest;
  }

  @Test
  void sigkillAtRandomStepsAndInsideACheckpointWriteLosesAtMostOneInterval(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("killed");
    Random random = new Random(20261123);
    long newest = 0;
    boolean resume = false;
    // Two kills at random steps, spread over the run.
    for (int k = 0; k < 2; k++) {
      long at = newest + 8 + random.nextInt(150);
      try (ChildJvm c = train(run, resume)) {
        assertThat(c.await(() -> c.lastStep() >= at, RUN_TIMEOUT)).as(c.err()).isTrue();
        c.kill();
        long reported = c.lastStep(); // read after the kill: every line the child printed is counted
        newest = assertLostAtMostOneInterval(run, reported);
      }
      resume = true;
    }
    // Kills the moment a checkpoint's staging directory appears, until one lands inside the write
    // (the staging directory is still there after the process died).
    int landed = 0;
    for (int attempt = 0; attempt < 8 && landed == 0; attempt++) {
      try (ChildJvm c = train(run, true)) {
        long after = newest;
        assertThat(c.await(() -> c.lastStep() > after && RunDirs.writingCheckpoint(run), RUN_TIMEOUT, 0))
            .as(c.err()).isTrue();
        c.kill();
        long reported = c.lastStep();
        if (RunDirs.leftovers(run).stream().anyMatch(p -> p.getFileName().toString().contains(".tmp-"))) {
          landed++;
        }
        newest = assertLostAtMostOneInterval(run, reported);
      }
    }
    assertThat(landed).as("a SIGKILL landed inside a checkpoint write").isPositive();
    try (ChildJvm c = train(run, true)) {
      assertThat(c.finish(RUN_TIMEOUT)).as(c.err()).isZero();
      assertThat(c.out()).contains("resumed from ckpt-" + String.format("%09d", newest));
    }
    assertThat(RunDirs.leftovers(run)).as("staging left by the kills is cleared").isEmpty();
    assertSameAsReference(run);
  }

  @Test
  void ctrlCSavesACheckpointExitsWith130AndResumesExactly(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("interrupted");
    long at = 30 + new Random(7).nextInt(300);
    try (ChildJvm c = train(run, false)) {
      assertThat(c.await(() -> c.lastStep() >= at, RUN_TIMEOUT)).as(c.err()).isTrue();
      long reported = c.lastStep();
      c.interrupt();
      assertThat(c.finish(Duration.ofSeconds(60))).as(c.err()).isEqualTo(130);
      long newest = RunDirs.assertAllReadable(run);
      assertThat(newest).as("Ctrl-C saves the step it stopped at").isGreaterThanOrEqualTo(reported).isLessThan(finalStep);
      assertThat(c.rnnlabErrLines()).isEmpty();
    }
    try (ChildJvm c = train(run, true)) {
      assertThat(c.finish(RUN_TIMEOUT)).as(c.err()).isZero();
    }
    assertSameAsReference(run);
  }

  /**
   * Ctrl-C while the graph is still being built (a 400-step unroll takes tens of seconds) has no
   * checkpoint to wait for: the process ends at once instead of finishing the build first.
   */
  @Test
  void ctrlCBeforeTrainingStartsEndsPromptly(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("early");
    try (ChildJvm c = ChildJvm.rnnlab("train", "--preset", "sum-lstm", "--seq-len", "400", "--max-steps", "1",
        "--device", "cpu", "--out", run.toString())) {
      assertThat(c.await(() -> c.out().contains("parameters -> "), RUN_TIMEOUT)).as(c.err()).isTrue();
      Thread.sleep(500); // inside TrainJob: directory locked, graph under construction
      long t0 = System.nanoTime();
      c.interrupt();
      assertThat(c.finish(Duration.ofSeconds(30))).as(c.err()).isEqualTo(130);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
      assertThat(c.out()).doesNotContain("Epoch 1/");
    }
    assertThat(run.resolve("checkpoints")).doesNotExist();
  }

  @Test
  void aSecondProcessOnTheSameRunIsRefusedAndTheFirstFinishesUntouched(@TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("shared");
    try (ChildJvm first = train(run, false)) {
      assertThat(first.await(() -> first.lastStep() >= 5, RUN_TIMEOUT)).as(first.err()).isTrue();
      // Frozen mid-run, lock held, so the intruders cannot come too late, however fast it trains.
      first.pause();
      for (boolean resume : new boolean[] {false, true}) {
        try (ChildJvm second = train(run, resume)) {
          assertThat(second.finish(RUN_TIMEOUT)).as(second.err()).isEqualTo(Main.USAGE);
          assertThat(second.rnnlabErrLines()).singleElement().asString()
              .isEqualTo("rnnlab: error: " + run + " is in use by another rnnlab process; wait for it or choose another --out");
        }
      }
      first.resume();
      assertThat(first.finish(RUN_TIMEOUT)).as(first.err()).isZero();
    }
    assertSameAsReference(run);
  }

  /**
   * The two newest checkpoints of a finished run are damaged; {@code --resume} skips both with a
   * warning, continues from the third, redoes the last steps and republishes the final one.
   */
  @ParameterizedTest
  @ValueSource(strings = {"truncate-tensors", "flip-tensor-byte", "garbage-manifest", "empty-manifest"})
  void corruptCheckpointsAreSkippedWithAWarning(String damage, @TempDir Path tmp) throws Exception {
    Path run = tmp.resolve("run");
    RunDirs.copyTree(reference, run);
    List<Path> ckpts = RunDirs.published(run);
    assertThat(ckpts).hasSize(3);
    damage(ckpts.get(2), damage);
    damage(ckpts.get(1), "flip-tensor-byte");

    Cli r = Cli.run(trainArgs(run, true));
    assertThat(r.code()).as(r.toString()).isZero();
    assertThat(r.out())
        .contains("warning: skipping checkpoint " + ckpts.get(2).getFileName() + ": ")
        .contains("warning: skipping checkpoint " + ckpts.get(1).getFileName() + ": tensors.bin fails its SHA-256 check")
        .contains("resumed from " + ckpts.get(0).getFileName());
    assertSameAsReference(run);
  }

  private static void damage(Path ckpt, String how) throws IOException {
    Path tensors = ckpt.resolve("tensors.bin");
    Path manifest = ckpt.resolve("checkpoint.json");
    switch (how) {
      case "truncate-tensors" -> {
        try (FileChannel ch = FileChannel.open(tensors, StandardOpenOption.WRITE)) {
          ch.truncate(ch.size() / 2);
        }
      }
      case "flip-tensor-byte" -> {
        byte[] b = Files.readAllBytes(tensors);
        b[b.length / 3] ^= 0x40;
        Files.write(tensors, b);
      }
      case "garbage-manifest" -> {
        byte[] b = Files.readAllBytes(manifest);
        for (int i = 0; i < b.length; i += 7) {
          b[i] = (byte) (b[i] * 31 + 5);
        }
        Files.write(manifest, b);
      }
      case "empty-manifest" -> Files.write(manifest, new byte[0]);
      default -> throw new IllegalArgumentException(how);
    }
  }
}

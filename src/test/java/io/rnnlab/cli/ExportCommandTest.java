package io.rnnlab.cli;

import static io.rnnlab.cli.InspectCommandTest.copyTree;
import static io.rnnlab.cli.InspectCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.rnnlab.cli.InspectCommandTest.Run;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.keras.KerasArchive;
import io.rnnlab.model.HostTensor;
import io.rnnlab.train.Checkpoints;
import io.rnnlab.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code rnnlab export} on a real run: a tiny LSTM trained two epochs on the hello corpus, which
 * leaves checkpoints after step 6 and step 12 and, from the final weights, {@code saved_model/}.
 */
class ExportCommandTest {
  private static final String FIRST = "ckpt-000000006";
  private static final String LAST = "ckpt-000000012";

  @TempDir static Path shared;
  static Path trained;

  @TempDir Path tmp;

  @BeforeAll
  static void train() {
    trained = shared.resolve("run");
    Run r = run("train", "--preset", "hello-lstm", "--units", "8", "--epochs", "2", "--seed", "1",
        "--device", "cpu", "--out", trained.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(trained.resolve("checkpoints").toFile().list()).containsExactlyInAnyOrder(FIRST, LAST);
  }

  private Path runCopy() throws IOException {
    return copyTree(trained, tmp.resolve("run"));
  }

  private static String referenceIo(Path savedModel) throws IOException {
    return Files.readString(savedModel.resolve("assets/reference_io.json"));
  }

  @Test
  void newestCheckpointReproducesTheSavedModelTrainingWrote() throws IOException {
    Path out = tmp.resolve("exported");
    Run r = run("export", "--run", trained.toString(), "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).isEqualTo("exported 1x lstm(8) one-hot vocab 22 seq 10 loss on last from " + LAST
        + " (step 12) -> " + out + System.lineSeparator());
    Path trainedModel = trained.resolve("saved_model");
    // reference_io.json holds both signatures' outputs on fixed inputs: equal files, equal models
    for (String asset : new String[] {"reference_io.json", "spec.json", "vocab.json"}) {
      assertThat(Files.readString(out.resolve("assets").resolve(asset)))
          .as(asset).isEqualTo(Files.readString(trainedModel.resolve("assets").resolve(asset)));
    }
    Run inspect = run("inspect", "--check", out.toString());
    assertThat(inspect.code()).isZero();
    assertThat(inspect.out()).contains("signature serving_default", "signature step", "check: ok");
  }

  @Test
  void checkpointOptionPicksThatCheckpoint() throws IOException {
    Path byName = tmp.resolve("by-name");
    assertThat(run("export", "--run", trained.toString(), "--checkpoint", FIRST, "--out", byName.toString()).code())
        .isZero();
    Path byPath = tmp.resolve("by-path");
    Run r = run("export", "--run", trained.toString(), "--checkpoint",
        trained.resolve("checkpoints").resolve(FIRST).toString(), "--out", byPath.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("from " + FIRST + " (step 6)");
    // the same weights as a run whose newest checkpoint is the first one, and not the final weights
    Path older = runCopy();
    io.rnnlab.AtomicFiles.deleteTree(older.resolve("checkpoints").resolve(LAST));
    Path fromOlder = tmp.resolve("from-older");
    assertThat(run("export", "--run", older.toString(), "--out", fromOlder.toString()).code()).isZero();
    assertThat(referenceIo(byName)).isEqualTo(referenceIo(fromOlder)).isEqualTo(referenceIo(byPath))
        .isNotEqualTo(referenceIo(trained.resolve("saved_model")));
  }

  @Test
  void corruptNewestCheckpointFallsBackToTheOneBefore() throws IOException {
    Path run = runCopy();
    Path tensors = run.resolve("checkpoints").resolve(LAST).resolve("tensors.bin");
    Files.write(tensors, Arrays.copyOf(Files.readAllBytes(tensors), 100));
    Path out = tmp.resolve("out");
    Run r = run("export", "--run", run.toString(), "--out", out.toString());
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEqualTo("warning: skipping checkpoint " + LAST
        + ": tensors.bin fails its SHA-256 check (truncated or modified)" + System.lineSeparator());
    assertThat(r.out()).contains("from " + FIRST);
    Path first = tmp.resolve("first");
    run("export", "--run", trained.toString(), "--checkpoint", FIRST, "--out", first.toString());
    assertThat(referenceIo(out)).isEqualTo(referenceIo(first));
  }

  @Test
  void anExistingSavedModelIsReplaced() throws IOException {
    Path out = tmp.resolve("out");
    assertThat(run("export", "--run", trained.toString(), "--checkpoint", FIRST, "--out", out.toString()).code())
        .isZero();
    assertThat(run("export", "--run", trained.toString(), "--out", out.toString()).code()).isZero();
    assertThat(referenceIo(out)).isEqualTo(referenceIo(trained.resolve("saved_model")));
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("out");
    }
  }

  /** How to break a copy of the run, extra flags, and what the one-line error must say. */
  static Stream<Arguments> badRuns() {
    return Stream.of(
        bad("missing run directory", r -> io(() -> io.rnnlab.AtomicFiles.deleteTree(r)), "does not exist"),
        bad("no spec.json", r -> io(() -> Files.delete(r.resolve("spec.json"))),
            "has no spec.json: not an rnnlab run directory"),
        bad("no checkpoints", r -> io(() -> io.rnnlab.AtomicFiles.deleteTree(r.resolve("checkpoints"))),
            "no valid checkpoint in "),
        bad("no vocab.json", r -> io(() -> Files.delete(r.resolve("vocab.json"))),
            "has no vocab.json, which a char model needs"),
        bad("vocab.json of another size", r -> io(() -> Files.writeString(r.resolve("vocab.json"), "[\"a\", \"b\"]")),
            "vocab.json has 2 symbols, the model's output has 22"),
        bad("spec.json of another model", r -> io(() -> Files.writeString(r.resolve("spec.json"),
            Files.readString(r.resolve("spec.json")).replace("\"units\" : 8", "\"units\" : 9"))),
            "holds 1x lstm(8) one-hot vocab 22 seq 10 loss on last but "),
        bad("--checkpoint that does not exist", r -> { }, "checkpoint ckpt-000000999 does not exist", "--checkpoint",
            "ckpt-000000999"),
        bad("--checkpoint that is corrupt", r -> io(() -> Files.writeString(
            r.resolve("checkpoints").resolve(FIRST).resolve("tensors.bin"), "x")),
            "tensors.bin fails its SHA-256 check", "--checkpoint", FIRST),
        bad("--out holding other files", r -> io(() -> Files.writeString(r.resolveSibling("out").resolve("notes.txt"), "")),
            "holds notes.txt, which is not part of an rnnlab SavedModel; choose a new directory"));
  }

  private static Arguments bad(String name, Consumer<Path> breakIt, String message, String... extra) {
    return Arguments.of(name, breakIt, message, extra);
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void io(IoAction a) {
    try {
      a.run();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRuns")
  void badRunIsOneLineAndExitCode2(String name, Consumer<Path> breakIt, String message, String[] extra)
      throws IOException {
    Path run = runCopy();
    Path out = tmp.resolve("out");
    boolean outPreexists = name.startsWith("--out");
    if (outPreexists) {
      Files.createDirectories(out);
    }
    breakIt.accept(run);
    String[] args = Stream.concat(Stream.of("export", "--run", run.toString(), "--out", out.toString()),
        Arrays.stream(extra)).toArray(String[]::new);
    Run r = run(args);
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("rnnlab: error: ").contains(message).endsWith(System.lineSeparator());
    assertThat(r.err().lines()).hasSize(1);
    // nothing half-written: --out is as it was
    if (outPreexists) {
      try (Stream<Path> s = Files.list(out)) {
        assertThat(s.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
      }
    } else {
      assertThat(out).doesNotExist();
    }
  }

  @Test
  void everyCheckpointCorruptIsAnErrorAfterTheWarnings() throws IOException {
    Path run = runCopy();
    for (String c : new String[] {FIRST, LAST}) {
      Files.writeString(run.resolve("checkpoints").resolve(c).resolve("checkpoint.json"), "{");
    }
    Run r = run("export", "--run", run.toString(), "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err().lines().toList()).containsExactly(
        "warning: skipping checkpoint " + LAST + ": checkpoint.json is unreadable (JsonEOFException)",
        "warning: skipping checkpoint " + FIRST + ": checkpoint.json is unreadable (JsonEOFException)",
        "rnnlab: error: no valid checkpoint in " + run.resolve("checkpoints")
            + "; train (or --resume) the run until it saves one");
  }

  @Test
  void kerasFileHoldsTheCheckpointsWeights() throws IOException {
    Path keras = tmp.resolve("model.keras");
    Path out = tmp.resolve("sm");
    Run r = run("export", "--run", trained.toString(), "--checkpoint", FIRST, "--keras", keras.toString(),
        "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out().lines()).containsExactly(
        "exported 1x lstm(8) one-hot vocab 22 seq 10 loss on last from " + FIRST + " (step 6) -> " + keras,
        "exported 1x lstm(8) one-hot vocab 22 seq 10 loss on last from " + FIRST + " (step 6) -> " + out);
    KerasArchive.Model m = KerasArchive.read(keras);
    Checkpoints.Checkpoint c = Checkpoints.load(trained.resolve("checkpoints").resolve(FIRST));
    assertThat(m.spec()).isEqualTo(c.spec());
    assertThat(m.vocab()).isEqualTo(Vocabulary.read(trained.resolve("vocab.json")));
    for (var e : m.weights().asMap().entrySet()) {
      assertThat(e.getValue().maxAbsDiff(c.snapshot().tensors().get(e.getKey()))).as(e.getKey()).isZero();
    }
    assertThat(m.weights().asMap()).hasSize(c.spec().weights().size());

    // Adam travels too: the run's learning rate (train.json) and its state at the checkpoint.
    TrainConfig config = TrainConfig.read(trained.resolve("train.json"));
    Path h5 = tmp.resolve("weights.h5");
    try (ZipFile zip = new ZipFile(keras.toFile())) {
      Files.copy(zip.getInputStream(zip.getEntry("model.weights.h5")), h5);
      JsonNode compile = new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json")))
          .path("compile_config").path("optimizer").path("config");
      assertThat(compile.path("learning_rate").asDouble()).isEqualTo((double) (float) config.adam().learningRate());
    }
    try (HdfFile file = new HdfFile(h5)) {
      assertThat(((Dataset) file.getByPath("optimizer/vars/0")).getData()).isEqualTo(c.snapshot().iterations());
      assertThat(c.snapshot().iterations()).isEqualTo(6);
      float[][] m0 = (float[][]) ((Dataset) file.getByPath("optimizer/vars/2")).getData(); // lstm/kernel's momentum
      HostTensor javaM = c.snapshot().tensors().get("adam/lstm/kernel_m");
      assertThat(m0.length * m0[0].length).isEqualTo(javaM.data().length);
      assertThat(m0[1][2]).isEqualTo(javaM.data()[m0[0].length + 2]).isNotZero();
    }
  }

  @Test
  void badKerasNameWritesNothing() {
    Path out = tmp.resolve("sm");
    Run r = run("export", "--run", trained.toString(), "--keras", tmp.resolve("model.h5").toString(),
        "--out", out.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).isEqualTo("rnnlab: error: a Keras model file must end in .keras (Keras's load_model "
        + "insists), got " + tmp.resolve("model.h5") + System.lineSeparator());
    assertThat(tmp.toFile().list()).isEmpty();
  }

  @Test
  void somethingToWriteIsRequired() {
    Run r = run("export", "--run", trained.toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).isEqualTo("rnnlab: error: nothing to write: give --out DIR (SavedModel), --keras "
        + "FILE.keras, or both" + System.lineSeparator());
  }

  @Test
  void runAndOutAreRequired() {
    Run r = run("export", "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(Main.USAGE);
    assertThat(r.err()).isEqualTo("rnnlab: error: Missing required option: '--run=DIR' (see 'export --help')"
        + System.lineSeparator());
  }
}

package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input to every command: each case exits 2 with exactly one line on stderr that names the
 * problem (no stack trace, no exception class), the JVM survives, and nothing is written outside
 * the case's output directory. Cases run in this JVM through {@link Main#run}, except those that
 * feed TensorFlow's native code or stress memory, which run in a child JVM where a crash shows
 * as one.
 */
class BadInputTest {
  /** A Keras-trained regression model (5 floats → 1): a SavedModel with the wrong signature shapes. */
  static final Path SUM_SAVED_MODEL = Path.of("saved_models", "keras3-sum-lstm");

  /** A Keras 3 archive trained in Python: LSTM(128) on the hello corpus, vocabulary beside it. */
  static final Path KERAS_HELLO = Path.of("saved_models", "keras3-lstm-hello.keras");

  @TempDir static Path shared;
  /** A finished tiny run: run/saved_model, run/checkpoints, spec.json, vocab.json. */
  static Path run;

  @BeforeAll
  static void trainTinyRun() {
    run = shared.resolve("run");
    Cli r = Cli.run("train", "--preset", "hello-lstm", "--units", "8", "--epochs", "1", "--seed", "1",
        "--device", "cpu", "--sample-length", "0", "--out", run.toString());
    assertThat(r.code()).as(r.toString()).isZero();
  }

  /** Makes a case's input files under {@code in} and returns its command line; {@code out} is its output place. */
  interface Setup {
    List<String> args(Path in, Path out) throws IOException, InterruptedException;
  }

  record Case(String name, Setup setup, String message, boolean childJvm) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Arguments inProcess(String name, String message, Setup setup) {
    return Arguments.of(new Case(name, setup, message, false));
  }

  static Arguments inChild(String name, String message, Setup setup) {
    return Arguments.of(new Case(name, setup, message, true));
  }

  static List<String> train(Path out, String... flags) {
    return with(List.of("train", "--preset", "hello-lstm", "--units", "8", "--epochs", "1", "--device", "cpu",
        "--sample-length", "0", "--out", out.toString()), flags);
  }

  static List<String> generate(String... flags) {
    return with(List.of("generate", "--model", run.toString(), "--prompt", "hello", "--length", "20", "--seed", "3"),
        flags);
  }

  /** {@code base} with each "--flag value" pair of {@code flags} replacing or adding that flag. */
  static List<String> with(List<String> base, String... flags) {
    List<String> a = new ArrayList<>(base);
    for (int i = 0; i < flags.length; i++) {
      boolean valued = i + 1 < flags.length && !flags[i + 1].startsWith("--");
      int at = a.indexOf(flags[i]);
      if (at >= 0 && valued) {
        a.set(at + 1, flags[++i]);
      } else {
        a.add(flags[i]);
        if (valued) {
          a.add(flags[++i]);
        }
      }
    }
    return a;
  }

  static List<String> args(String... a) {
    return List.of(a);
  }

  static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  static Path write(Path file, String text) throws IOException {
    return write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** A copy of the tiny run's SavedModel with one file replaced by {@code bytes} (null: deleted). */
  static Path brokenSavedModel(Path in, String file, byte[] bytes) throws IOException {
    Path sm = RunDirs.copyTree(run.resolve("saved_model"), in.resolve("sm"));
    if (bytes == null) {
      Files.delete(sm.resolve(file));
    } else {
      Files.write(sm.resolve(file), bytes);
    }
    return sm;
  }

  static byte[] kerasEntry(String name) throws IOException {
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(KERAS_HELLO.toFile())) {
      return z.getInputStream(z.getEntry(name)).readAllBytes();
    }
  }

  /** A zip of {@code entries} (in name order), deflated or stored. */
  static Path zip(Path file, Map<String, byte[]> entries, boolean deflate) throws IOException {
    Files.createDirectories(file.getParent());
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(file))) {
      for (var e : new TreeMap<>(entries).entrySet()) {
        java.util.zip.ZipEntry entry = new java.util.zip.ZipEntry(e.getKey());
        if (!deflate) {
          java.util.zip.CRC32 crc = new java.util.zip.CRC32();
          crc.update(e.getValue());
          entry.setMethod(java.util.zip.ZipEntry.STORED);
          entry.setSize(e.getValue().length);
          entry.setCrc(crc.getValue());
        }
        z.putNextEntry(entry);
        z.write(e.getValue());
        z.closeEntry();
      }
    }
    return file;
  }

  static Path fifo(Path file) throws IOException, InterruptedException {
    Files.createDirectories(file.getParent());
    Process p = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("mkfifo").isZero();
    return file;
  }

  /** A file of {@code size} bytes that takes no disk space. */
  static Path sparse(Path file, long size) throws IOException {
    Files.createDirectories(file.getParent());
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
    return file;
  }

  static Path runCopy(Path in) throws IOException {
    return RunDirs.copyTree(run, in.resolve("run"));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // train: corpora
        inProcess("train: empty corpus", "is empty", (in, out) ->
            train(out, "--data", write(in.resolve("empty.txt"), new byte[0]).toString())),
        inProcess("train: binary corpus", "is not valid UTF-8", (in, out) ->
            train(out, "--data", write(in.resolve("noise.bin"), randomBytes(4096, 1)).toString())),
        inProcess("train: Latin-1 corpus", "is not valid UTF-8 (byte offset 3)", (in, out) ->
            train(out, "--data", write(in.resolve("latin1.txt"), "caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1)).toString())),
        inProcess("train: corpus shorter than seq_len", "seq_len", (in, out) ->
            train(out, "--data", write(in.resolve("short.txt"), "abcab").toString())),
        inChild("train: a single 5 MB line, seq_len 20000", "seq_len must be in [1, 1000], got 20000", (in, out) ->
            train(out, "--data", write(in.resolve("line.txt"), "abcdefghij".repeat(500_000)).toString(), "--seq-len", "20000")),
        inProcess("train: corpus is a directory", "is a directory", (in, out) ->
            train(out, "--data", Files.createDirectories(in.resolve("dir")).toString())),
        inProcess("train: corpus does not exist", "does not exist", (in, out) ->
            train(out, "--data", in.resolve("missing.txt").toString())),
        inProcess("train: two corpus sources", "give only one corpus source", (in, out) ->
            train(out, "--corpus", "hello", "--data", write(in.resolve("c.txt"), "some text here").toString())),
        inProcess("train: unknown built-in corpus", "unknown built-in corpus \"bye\"", (in, out) ->
            train(out, "--corpus", "bye")),
        inProcess("train: corpus is a FIFO (would block forever)", "is not a regular file", (in, out) ->
            train(out, "--data", fifo(in.resolve("pipe")).toString())),
        inProcess("train: corpus is /dev/zero (would never end)", "is not a regular file", (in, out) ->
            train(out, "--data", "/dev/zero")),
        inProcess("train: a 200 MB corpus (sparse)", "bytes, over the 134,217,728 rnnlab reads for it", (in, out) ->
            train(out, "--data", sparse(in.resolve("huge.txt"), 200L << 20).toString())),
        inProcess("train: an @-file argument is an argument, not a file to expand", "Unmatched argument", (in, out) ->
            with(train(out), "@" + in)),
        inProcess("train: a model too large for the heap", "parameters, over the 50,000,000 rnnlab trains", (in, out) ->
            train(out, "--units", "8192")),
        inChild("train: --threads -1 (TF would abort the JVM)", "--threads must be in [0, 1024]", (in, out) ->
            train(out, "--threads", "-1")),
        inProcess("train: --epochs past the limit names it", "--epochs must be in [1, 1000000], got 2147483647", (in, out) ->
            train(out, "--epochs", "2147483647")),
        inProcess("train: --out empty", "--out must name a directory, got an empty path", (in, out) ->
            with(train(out), "--out", "")),
        inProcess("train: checkpoints/ is a file", "is a file, where the run writes its checkpoints/ directory", (in, out) -> {
          write(out.resolve("checkpoints"), "not a directory");
          return train(out);
        }),
        inProcess("train: history.csv is a directory", "is not a regular file, where the run writes its history.csv", (in, out) -> {
          Files.createDirectories(out.resolve("history.csv"));
          return train(out);
        }),
        // train: absurd flags
        inProcess("train: negative units", "units must be in [1, 8192], got -3", (in, out) -> train(out, "--units", "-3")),
        inProcess("train: zero units", "units must be in [1, 8192], got 0", (in, out) -> train(out, "--units", "0")),
        inProcess("train: seq_len 0", "seq_len", (in, out) -> train(out, "--seq-len", "0")),
        inProcess("train: batch 0", "--batch-size must be in [1, 65536], got 0", (in, out) -> train(out, "--batch-size", "0")),
        inProcess("train: dropout 1.5", "dropout must be in [0, 1), got 1.5", (in, out) -> train(out, "--dropout", "1.5")),
        inProcess("train: lr NaN", "learning rate must be a positive number below 10, got NaN", (in, out) ->
            train(out, "--lr", "NaN")),
        inProcess("train: lr negative", "learning rate must be a positive number below 10, got -0.1", (in, out) ->
            train(out, "--lr", "-0.1")),
        inProcess("train: sample temperature -1", "temperature", (in, out) -> train(out, "--temperature", "-1")),
        inProcess("train: 1000 layers", "layers must be in [1, 16], got 1000", (in, out) -> train(out, "--layers", "1000")),
        inProcess("train: 0 epochs", "--epochs must be in [1, 1000000], got 0", (in, out) -> train(out, "--epochs", "0")),
        inProcess("train: val fraction 1.5", "1.5", (in, out) -> train(out, "--val-fraction", "1.5")),
        inProcess("train: negative checkpoint minutes", "--checkpoint-every-minutes must be in [0, 1000000]",
            (in, out) -> train(out, "--checkpoint-every-minutes", "-1")),
        inProcess("train: unknown preset", "unknown preset 'tiny-gpt'", (in, out) -> train(out, "--preset", "tiny-gpt")),
        inProcess("train: unknown cell", "unknown cell 'conv_lstm' (expected one of [simple_rnn, lstm, gru])", (in, out) ->
            train(out, "--cell", "conv_lstm")),
        inProcess("train: units not a number", "Invalid value for option '--units'", (in, out) -> train(out, "--units", "many")),
        inProcess("train: unknown option", "Unknown option: '--frobnicate'", (in, out) -> train(out, "--frobnicate")),
        inProcess("train: --resume with no run", "--resume: no checkpoints in", (in, out) -> train(out, "--resume")),
        inProcess("train: --resume with other flags", "--resume: the run in", (in, out) ->
            args("train", "--preset", "hello-lstm", "--units", "9", "--epochs", "2", "--device", "cpu",
                "--sample-length", "0", "--resume", "--out", runCopy(in).toString())),
        // train --init-from: Keras files
        inProcess("train --init-from: random bytes", "is neither a .keras archive nor a Keras .h5 weights file", (in, out) ->
            train(out, "--init-from", write(in.resolve("m.keras"), randomBytes(2048, 5)).toString())),
        inChild("train --init-from: truncated .keras", "not a valid .keras archive", (in, out) -> {
          byte[] whole = Files.readAllBytes(KERAS_HELLO);
          return train(out, "--units", "128", "--init-from",
              write(in.resolve("m.keras"), java.util.Arrays.copyOf(whole, whole.length * 3 / 5)).toString());
        }),
        inProcess("train --init-from: entry escaping its directory", "unsafe entry name '../x'", (in, out) ->
            train(out, "--units", "128", "--init-from", zip(in.resolve("m.keras"), Map.of(
                "metadata.json", "{}".getBytes(StandardCharsets.UTF_8), "config.json", kerasEntry("config.json"),
                "../x", "boo".getBytes(StandardCharsets.UTF_8)), false).toString())),
        inChild("train --init-from: zip bomb as model.weights.h5", "refusing a possible zip bomb", (in, out) ->
            train(out, "--units", "128", "--init-from", zip(in.resolve("m.keras"), Map.of(
                "metadata.json", "{}".getBytes(StandardCharsets.UTF_8), "config.json", kerasEntry("config.json"),
                "model.weights.h5", new byte[64 << 20]), true).toString())),
        inChild("train --init-from: model.weights.h5 of random bytes", "model.weights.h5", (in, out) -> {
          byte[] h5 = randomBytes(200_000, 6);
          System.arraycopy(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}, 0, h5, 0, 8);
          return train(out, "--units", "128", "--init-from", zip(in.resolve("m.keras"), Map.of(
              "metadata.json", kerasEntry("metadata.json"), "config.json", kerasEntry("config.json"),
              "model.weights.h5", h5), false).toString());
        }),
        inProcess("train --init-from: a Keras model of other layers", "128", (in, out) ->
            train(out, "--units", "8", "--init-from", KERAS_HELLO.toString())),
        // generate
        inProcess("generate: temperature -1", "temperature", (in, out) -> generate("--temperature", "-1")),
        inProcess("generate: length -5", "--length must be >= 0, got -5", (in, out) -> generate("--length", "-5")),
        inProcess("generate: length 10^9 without --allow-long", "add --allow-long if you mean it", (in, out) ->
            generate("--length", "1000000000")),
        inProcess("generate: top-k 0", "--top-k must be >= 1, got 0", (in, out) -> generate("--top-k", "0")),
        inProcess("generate: unknown mode", "sideways", (in, out) -> generate("--mode", "sideways")),
        inProcess("generate: empty prompt", "prompt", (in, out) -> generate("--prompt", "")),
        inProcess("generate: 5 MB prompt of unknown characters", "not in the vocabulary", (in, out) ->
            generate("--prompt", "\u00e9\u00e8\u00ea\u00eb\u00ff".repeat(1_000_000))),
        inProcess("generate: vocab JSON malformed", "not valid JSON", (in, out) ->
            generate("--vocab", write(in.resolve("v.json"), "{\"chars\": [\"a\", \"b\"").toString())),
        inProcess("generate: vocab of the wrong size", "3", (in, out) ->
            generate("--vocab", write(in.resolve("v.json"), "{\"chars\": [\"a\", \"b\", \"c\"]}").toString())),
        inProcess("generate: vocab with a duplicate", "duplicate", (in, out) ->
            generate("--vocab", write(in.resolve("v.json"), "[\"a\", \"b\", \"a\"]").toString())),
        inProcess("generate: vocab is a FIFO", "is not a regular file", (in, out) ->
            generate("--vocab", fifo(in.resolve("v.json")).toString())),
        inProcess("generate: samples × length too large to hold", "over the 100,000,000 held at once", (in, out) ->
            generate("--samples", "4096", "--length", "1000000")),
        inProcess("generate: model does not exist", "does not exist", (in, out) ->
            args("generate", "--model", in.resolve("nothing").toString(), "--prompt", "h", "--length", "3")),
        inProcess("generate: SavedModel without saved_model.pb", "saved_model.pb", (in, out) ->
            args("generate", "--model", brokenSavedModel(in, "saved_model.pb", null).toString(), "--prompt", "hello",
                "--length", "3")),
        inChild("generate: saved_model.pb of random bytes", "saved_model.pb", (in, out) ->
            args("generate", "--model", brokenSavedModel(in, "saved_model.pb", randomBytes(3000, 2)).toString(),
                "--prompt", "hello", "--length", "3")),
        inChild("generate: variables of random bytes", "variables", (in, out) ->
            args("generate", "--model", brokenSavedModel(in, "variables/variables.data-00000-of-00001",
                randomBytes(3000, 3)).toString(), "--prompt", "hello", "--length", "3")),
        inChild("generate: spec.json asset that does not match the graph", "the spec does not belong to this SavedModel", (in, out) -> {
          Path sm = RunDirs.copyTree(run.resolve("saved_model"), in.resolve("sm"));
          Path spec = sm.resolve("assets/spec.json");
          Files.writeString(spec, Files.readString(spec).replace("\"seq_len\" : 10", "\"seq_len\" : 7"));
          return args("generate", "--model", sm.toString(), "--prompt", "hello", "--length", "3");
        }),
        inChild("generate: a regression SavedModel (wrong signature shapes)", "not a char model", (in, out) ->
            args("generate", "--model", SUM_SAVED_MODEL.toString(), "--prompt", "hello", "--length", "3")),
        // export
        inProcess("export: an empty directory as the run", "has no spec.json", (in, out) ->
            args("export", "--run", Files.createDirectories(in.resolve("empty")).toString(), "--out", out.toString())),
        inProcess("export: spec.json malformed", "model spec", (in, out) -> {
          Path r = runCopy(in);
          Files.writeString(r.resolve("spec.json"), "{\"cell\": \"lstm\", \"units\": ");
          return args("export", "--run", r.toString(), "--out", out.toString());
        }),
        inProcess("export: vocab.json of the wrong size", "symbols", (in, out) -> {
          Path r = runCopy(in);
          Files.writeString(r.resolve("vocab.json"), "{\"chars\": [\"x\", \"y\"]}");
          return args("export", "--run", r.toString(), "--out", out.toString());
        }),
        inProcess("export: --checkpoint that does not exist", "does not exist", (in, out) ->
            args("export", "--run", run.toString(), "--checkpoint", "ckpt-000000999", "--out", out.toString())),
        inProcess("export: chosen checkpoint truncated", "fails its SHA-256 check", (in, out) -> {
          Path r = runCopy(in);
          Path ckpt = RunDirs.published(r).get(0);
          Path tensors = ckpt.resolve("tensors.bin");
          Files.write(tensors, java.util.Arrays.copyOf(Files.readAllBytes(tensors), 100));
          return args("export", "--run", r.toString(), "--checkpoint", ckpt.toString(), "--out", out.toString());
        }),
        inProcess("export: .keras name without .keras", "must end in .keras", (in, out) ->
            args("export", "--run", run.toString(), "--keras", out.resolve("model.zip").toString())),
        inProcess("export: --keras inside --out", "lies in --out", (in, out) ->
            args("export", "--run", run.toString(), "--out", out.toString(), "--keras", out.resolve("m.keras").toString())),
        inProcess("export: --keras the same path as --out", "lies in --out", (in, out) ->
            args("export", "--run", run.toString(), "--out", out.resolve("m.keras").toString(), "--keras",
                out.resolve("m.keras").toString())),
        inProcess("export: --keras names a directory", "is a directory; a .keras file", (in, out) ->
            args("export", "--run", run.toString(), "--keras", Files.createDirectories(out.resolve("m.keras")).toString())),
        inProcess("export: --out holds a SavedModel and a file of the user's", "holds thesis.tex, which is not part of", (in, out) -> {
          RunDirs.copyTree(run.resolve("saved_model"), out);
          write(out.resolve("thesis.tex"), "precious");
          return args("export", "--run", run.toString(), "--out", out.toString());
        }),
        // inspect
        inProcess("inspect: path does not exist", "does not exist", (in, out) -> args("inspect", in.resolve("nope").toString())),
        inProcess("inspect: a regular file", "is a file, not a SavedModel directory", (in, out) ->
            args("inspect", write(in.resolve("model.txt"), "not a model").toString())),
        inChild("inspect: saved_model.pb of random bytes", "saved_model.pb", (in, out) ->
            args("inspect", brokenSavedModel(in, "saved_model.pb", randomBytes(5000, 4)).toString())),
        inChild("inspect: saved_model.pb truncated", "saved_model.pb", (in, out) -> {
          byte[] pb = Files.readAllBytes(run.resolve("saved_model/saved_model.pb"));
          return args("inspect", brokenSavedModel(in, "saved_model.pb", java.util.Arrays.copyOf(pb, pb.length / 2)).toString());
        }),
        inProcess("inspect --check: vocab malformed", "vocabulary", (in, out) ->
            args("inspect", "--check", run.resolve("saved_model").toString(), "--vocab",
                write(in.resolve("v.json"), "[1, 2, 3]").toString())),
        // compare
        inProcess("compare: report inside the run it compares", "would replace the run", (in, out) ->
            args("compare", run.toString(), "--length", "0", "--out", run.toString())),
        inProcess("compare: sample temperature -1", "temperature", (in, out) ->
            args("compare", run.toString(), "--temperature", "-1", "--out", out.toString())),
        inProcess("compare: unknown sample mode", "sideways", (in, out) ->
            args("compare", run.toString(), "--mode", "sideways", "--out", out.toString())),
        inProcess("compare: --out holds a summary.md and a file of the user's", "holds summary.md, which no rnnlab report wrote", (in, out) -> {
          write(out.resolve("summary.md"), "# my notes");
          write(out.resolve("thesis.tex"), "precious");
          return args("compare", run.toString(), "--length", "0", "--out", out.toString());
        }),
        // experiment
        inProcess("experiment: unknown experiment", "unknown experiment 'gru-vs-lstm'", (in, out) ->
            args("experiment", "gru-vs-lstm", "--out", out.toString())),
        inProcess("experiment: unknown task", "--task must be sum, hello or shakespeare, got 'poems'", (in, out) ->
            args("experiment", "rnn-vs-lstm", "--task", "poems", "--out", out.toString())),
        inProcess("experiment: sequence length 0", "--seq-lens values must be in [1, 1000], got 0", (in, out) ->
            args("experiment", "rnn-vs-lstm", "--task", "sum", "--seq-lens", "5,0", "--out", out.toString())),
        inProcess("experiment: --seq-lens for the hello task", "--seq-lens is for --task sum", (in, out) ->
            args("experiment", "rnn-vs-lstm", "--task", "hello", "--seq-lens", "5", "--out", out.toString())),
        inProcess("experiment: --out not empty", "is not empty", (in, out) -> {
          write(out.resolve("keep.txt"), "mine");
          return args("experiment", "rnn-vs-lstm", "--task", "hello", "--max-steps", "1", "--out", out.toString());
        }),
        inProcess("experiment: epochs 0", "--epochs must be in [1, 1000000], got 0", (in, out) ->
            args("experiment", "rnn-vs-lstm", "--task", "hello", "--epochs", "0", "--out", out.toString())),
        // no command at all, or an unknown one
        inProcess("no command", "missing command", (in, out) -> args()),
        inProcess("unknown command", "Unmatched argument", (in, out) -> args("fit", "--out", out.toString())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badInputExitsWith2AndOneLine(Case c, @TempDir Path tmp) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    Path privateTmp = Files.createDirectories(tmp.resolve("java-tmp"));
    List<String> args = c.setup().args(in, out);
    Map<String, String> inputsBefore = fingerprint(in);
    List<String> cwdBefore = listing(Path.of(""));

    int code;
    List<String> errLines;
    String all;
    if (c.childJvm()) {
      try (ChildJvm child = ChildJvm.start(ChildJvm.javaCommand(
          List.of("-Djava.io.tmpdir=" + privateTmp), "io.rnnlab.cli.Main", args.toArray(String[]::new)))) {
        code = child.finish(Duration.ofSeconds(120));
        errLines = child.rnnlabErrLines();
        all = "stderr:\n" + child.err() + "\nstdout:\n" + child.out();
      }
    } else {
      Cli r = Cli.run(args);
      code = r.code();
      errLines = r.errLines();
      all = r.toString();
    }

    assertThat(code).as("exit code; %s", all).isEqualTo(Main.USAGE);
    assertThat(errLines).as(all).hasSize(1);
    String line = errLines.get(0);
    assertThat(line).as(all).startsWith("rnnlab: error: ").contains(c.message())
        .doesNotContain("Exception", "\tat ", "java.", "Caused by");
    assertThat(line.length()).as("one readable line").isLessThan(600);
    // Nothing written beside the output directory: inputs untouched, nothing new in the working
    // directory or (child JVMs) in the temporary directory.
    assertThat(fingerprint(in)).isEqualTo(inputsBefore);
    assertThat(listing(Path.of(""))).isEqualTo(cwdBefore);
    assertThat(listing(privateTmp)).isEmpty();
  }

  /** Names in {@code dir}, leaving out build folders and dot files that parallel builds create. */
  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("target") && !n.startsWith("."))
          .sorted().toList();
    }
  }

  private static Map<String, String> fingerprint(Path dir) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        m.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir"
            : !Files.isRegularFile(p) ? "special" // a FIFO: reading it would block
            : Files.size(p) > 1 << 20 ? "size " + Files.size(p) // a sparse giant
            : HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    }
    return m;
  }
}

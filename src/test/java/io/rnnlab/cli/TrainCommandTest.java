package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.train.History;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tutorials' acceptance numbers through the real command line, and its user errors. */
class TrainCommandTest {
  record Run(int code, String out, String err) {}

  static Run train(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] full = new String[args.length + 1];
    full[0] = "train";
    System.arraycopy(args, 0, full, 1, args.length);
    int code = Main.run(full, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"hello-lstm", "hello-rnn"})
  void helloPresetsReachTheTutorialsAccuracy(String preset, @TempDir Path dir) throws Exception {
    Run r = train("--preset", preset, "--out", dir.toString(), "--sample-length", "40");
    assertThat(r.code()).as(r.err()).isZero();
    for (String f : List.of("spec.json", "vocab.json", "history.csv", "metrics.csv", "saved_model/saved_model.pb")) {
      assertThat(dir.resolve(f)).exists();
    }
    List<CSVRecord> history = History.read(dir.resolve("history.csv"));
    assertThat(history).hasSize(100);
    // No validation split in the hello presets: Keras's CSVLogger then writes no val_ columns.
    assertThat(history.get(0).toMap().keySet()).containsExactly("epoch", "accuracy", "loss");
    assertThat(Double.parseDouble(history.get(99).get("accuracy"))).isGreaterThanOrEqualTo(0.95);
    assertThat(Double.parseDouble(history.get(99).get("loss")))
        .isLessThan(Double.parseDouble(history.get(0).get("loss")) / 10);
    assertThat(r.out()).contains("No GPU found, training on CPU").contains("final: loss");
  }

  @ParameterizedTest
  @ValueSource(strings = {"sum-lstm", "sum-rnn"})
  void sumPresetsPrintATestMseBelowTheTarget(String preset, @TempDir Path dir) {
    Run r = train("--preset", preset, "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    String line = r.out().lines().filter(l -> l.startsWith("final: train MSE")).findFirst().orElseThrow();
    double testMse = Double.parseDouble(line.replaceAll(".*test MSE ([0-9.]+).*", "$1"));
    assertThat(testMse).isLessThan(0.05);
    assertThat(History.read(dir.resolve("history.csv")).get(0).toMap().keySet())
        .containsExactly("epoch", "loss", "val_loss");
  }

  /** The Keras-trained hello LSTM (saved_models/) already knows the sentence: training starts there. */
  @Test
  void initFromAKerasModelStartsFromItsWeights(@TempDir Path dir) {
    Path keras = Path.of("saved_models", "keras3-lstm-hello.keras");
    Run r = train("--preset", "hello-lstm", "--init-from", keras.toString(), "--epochs", "1",
        "--sample-length", "0", "--out", dir.resolve("run").toString());
    assertThat(r.code()).as(r.err()).isZero();
    CSVRecord first = History.read(dir.resolve("run").resolve("history.csv")).get(0);
    assertThat(Double.parseDouble(first.get("accuracy"))).isGreaterThanOrEqualTo(0.95);
    assertThat(Double.parseDouble(first.get("loss"))).isLessThan(0.2);

    Run mismatch = train("--preset", "hello-lstm", "--units", "64", "--init-from", keras.toString(),
        "--out", dir.resolve("other").toString());
    assertThat(mismatch.code()).isEqualTo(2);
    assertThat(mismatch.err()).contains("lstm(128)").contains("lstm(64)");
    assertThat(mismatch.err().strip().lines().count()).isEqualTo(1);
  }

  /** A --max-steps that ends exactly at an epoch's end leaves that epoch's row and no empty one after it. */
  @Test
  void maxStepsOnAnEpochBoundaryAddsNoEmptyEpoch(@TempDir Path dir) {
    // hello-lstm: 82 windows, batch 16 → 6 steps per epoch
    Run r = train("--preset", "hello-lstm", "--units", "8", "--max-steps", "6", "--sample-length", "0",
        "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    List<CSVRecord> history = History.read(dir.resolve("history.csv"));
    assertThat(history).hasSize(1);
    assertThat(Double.parseDouble(history.get(0).get("loss"))).isFinite();
    assertThat(r.out()).doesNotContain("NaN");
    Run again = train("--preset", "hello-lstm", "--units", "8", "--max-steps", "6", "--sample-length", "0",
        "--resume", "--out", dir.toString());
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(History.read(dir.resolve("history.csv"))).hasSize(1);
  }

  /** The GPU's speed options are accepted anywhere; a CPU unrolls and XLA leaves CPU graphs alone. */
  @Test
  void xlaAndUnrolledRecurrenceTrainOnTheCpuToo(@TempDir Path dir) {
    Run r = train("--preset", "hello-lstm", "--units", "8", "--max-steps", "3", "--sample-length", "0",
        "--device", "cpu", "--xla", "--recurrence", "unrolled", "--out", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(Double.parseDouble(History.read(dir.resolve("history.csv")).get(0).get("loss"))).isFinite();
  }

  @Test
  void userMistakesAreOneLineWithExitCode2(@TempDir Path dir) throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.txt"));
    Path binary = Files.write(dir.resolve("bin.txt"), new byte[] {(byte) 0xff, (byte) 0xfe, 0x41, (byte) 0xc3});
    Path shortText = Files.writeString(dir.resolve("short.txt"), "too short", StandardCharsets.UTF_8);
    String out = dir.resolve("run").toString();
    List<List<String>> cases = List.of(
        List.of("--data", empty.toString(), "--out", out),
        List.of("--data", binary.toString(), "--out", out),
        List.of("--data", shortText.toString(), "--seq-len", "100", "--out", out),
        List.of("--data", dir.resolve("missing.txt").toString(), "--out", out),
        List.of("--preset", "no-such-preset", "--out", out),
        List.of("--preset", "hello-lstm", "--units", "0", "--out", out),
        List.of("--preset", "hello-lstm", "--dropout", "1.5", "--out", out),
        List.of("--preset", "hello-lstm", "--dropouts", "0.1", "--out", out),
        List.of("--preset", "hello-lstm", "--dropout", "0.1", "--dropouts", "0,0.1", "--out", out),
        List.of("--preset", "hello-lstm", "--lr", "NaN", "--out", out),
        List.of("--preset", "hello-lstm", "--batch-size", "0", "--out", out),
        List.of("--preset", "hello-lstm", "--cell", "conv_lstm", "--out", out),
        List.of("--preset", "hello-lstm", "--device", "gpu", "--out", out),
        List.of("--preset", "hello-lstm", "--recurrence", "lstm", "--out", out),
        List.of("--preset", "hello-lstm", "--resume", "--out", out),
        List.of("--preset", "hello-lstm", "--no-such-flag"));
    for (List<String> args : cases) {
      Run r = train(args.toArray(String[]::new));
      assertThat(r.code()).as("%s -> %s", args, r.err()).isEqualTo(2);
      assertThat(r.err().strip().lines().count()).as("%s -> %s", args, r.err()).isEqualTo(1);
      assertThat(r.err()).startsWith("rnnlab: error: ").doesNotContain("Exception").doesNotContain("\tat ");
    }
    // refused before the run directory is made (a refused --resume included)
    assertThat(dir.resolve("run")).doesNotExist();
  }
}

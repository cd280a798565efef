package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.compare.SeqLenSweep;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExperimentCommandTest {
  @TempDir Path tmp;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void sumTaskTrainsBothCellsAndReportsTestMsePerSequenceLength() throws IOException {
    Path dir = tmp.resolve("exp");
    int code = run("experiment", "rnn-vs-lstm", "--task", "sum", "--seq-lens", "5", "--epochs", "2",
        "--threads", "2", "--out", dir.toString());

    assertThat(code).as(err.toString()).isEqualTo(Main.OK);
    Path report = dir.resolve("report");
    List<CSVRecord> summary = csv(report.resolve("summary.csv"));
    assertThat(summary).extracting(r -> r.get("run") + " " + r.get("cell") + " " + r.get("epochs"))
        .containsExactly("simple_rnn-seq5 simple_rnn 2", "lstm-seq5 lstm 2");
    List<CSVRecord> sweep = csv(report.resolve(SeqLenSweep.CSV));
    assertThat(sweep).hasSize(2);
    String md = Files.readString(report.resolve("summary.md"));
    for (CSVRecord point : sweep) {
      Path run = dir.resolve("runs").resolve(point.get("run"));
      List<CSVRecord> history = csv(run.resolve("history.csv"));
      CSVRecord last = history.get(history.size() - 1);
      assertThat(point.get("seq_len")).isEqualTo("5");
      assertThat(Double.parseDouble(point.get("test_mse"))).isEqualTo(Double.parseDouble(last.get("val_loss")));
      assertThat(Double.parseDouble(point.get("train_mse"))).isEqualTo(Double.parseDouble(last.get("loss")));
      // the same listeners as rnnlab train: TensorBoard events and an exported model
      assertThat(run.resolve("tensorboard/train")).isDirectory();
      assertThat(run.resolve("tensorboard/validation")).isDirectory();
      assertThat(run.resolve("saved_model/saved_model.pb")).exists();
    }
    String rnnMse = String.format(java.util.Locale.ROOT, "%.5f", Double.parseDouble(sweep.get(0).get("test_mse")));
    String lstmMse = String.format(java.util.Locale.ROOT, "%.5f", Double.parseDouble(sweep.get(1).get("test_mse")));
    assertThat(md).contains("| 5 | 0.4167 | " + rnnMse + " | " + lstmMse + " |");
    assertThat(report.resolve("loss_vs_epoch.png")).exists();
    assertThat(out.toString()).contains("== run 1/2: simple_rnn-seq5 ==", "== run 2/2: lstm-seq5 ==",
        "compared 2 of 2 run(s)");
  }

  @Test
  void mistakesAreRejectedBeforeAnyTraining() throws IOException {
    assertThat(run("experiment", "rnn-vs-gru", "--out", tmp.resolve("a").toString())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: unknown experiment 'rnn-vs-gru' (known: rnn-vs-lstm)\n");

    err.getBuffer().setLength(0);
    assertThat(run("experiment", "rnn-vs-lstm", "--task", "hello", "--seq-lens", "5,20", "--out",
        tmp.resolve("b").toString())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: --seq-lens is for --task sum; the hello runs use their "
        + "preset's sequence length\n");

    err.getBuffer().setLength(0);
    assertThat(run("experiment", "rnn-vs-lstm", "--task", "poetry", "--out", tmp.resolve("c").toString()))
        .isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: --task must be sum, hello or shakespeare, got 'poetry'\n");

    err.getBuffer().setLength(0);
    Path used = Files.createDirectories(tmp.resolve("used"));
    Files.writeString(used.resolve("x"), "");
    assertThat(run("experiment", "rnn-vs-lstm", "--task", "sum", "--out", used.toString())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: --out " + used
        + " is not empty; give a new directory for the experiment\n");

    err.getBuffer().setLength(0);
    assertThat(run("experiment", "rnn-vs-lstm", "--task", "sum", "--seq-lens", "5,5", "--out",
        tmp.resolve("d").toString())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: --seq-lens lists a length twice: [5, 5]\n");
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(tmp.resolve("d")).doesNotExist();
  }

  static List<CSVRecord> csv(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
    }
  }
}

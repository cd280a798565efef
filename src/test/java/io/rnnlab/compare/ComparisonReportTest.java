package io.rnnlab.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.train.EpochResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report over hand-written run directories: broken and mismatched runs, output safety. */
class ComparisonReportTest {
  static final Vocabulary ABC = Vocabulary.fromText("abc ");
  static final String HISTORY = """
      epoch,accuracy,loss,val_accuracy,val_loss
      0,0.25,1.5,0.2,1.75
      1,0.5,0.75,nan,nan
      """;
  static final String METRICS = """
      epoch,steps,wall_seconds,chars_per_second,partial
      0,10,2.0,100.0,false
      1,20,6.0,400.0,false
      """;

  @TempDir Path tmp;
  final List<String> warnings = new ArrayList<>();

  Comparison.Result compare(Path... runs) throws IOException {
    return new Comparison(null, warnings::add).run(List.of(runs), tmp.resolve("report"), null, List.of());
  }

  Path good(String name) throws IOException {
    return TestRuns.synthetic(tmp.resolve(name), TestRuns.charSpec(CellType.LSTM, 4, ABC.size()), ABC, HISTORY, METRICS);
  }

  @Test
  void summaryComputesFinalBestPerplexityAndThroughputFromTheFiles() throws IOException {
    compare(good("a"));
    CSVRecord row = ComparisonTest.csv(tmp.resolve("report/summary.csv")).get(0);
    assertThat(row.get("final_loss")).isEqualTo("0.75");
    assertThat(row.get("best_loss")).isEqualTo("0.75");
    assertThat(row.get("final_accuracy")).isEqualTo("0.5");
    assertThat(row.get("final_val_loss")).as("nan in history -> blank").isEmpty();
    assertThat(row.get("best_val_loss")).isEqualTo("1.75");
    assertThat(Double.parseDouble(row.get("perplexity"))).isEqualTo(Math.exp(0.75));
    // 100 chars/s for 2 s, then 400 chars/s for 4 s: 1800 chars in 6 s.
    assertThat(Double.parseDouble(row.get("chars_per_second"))).isEqualTo(300.0);
    assertThat(row.get("wall_seconds")).isEqualTo("6.0");
    assertThat(row.get("parameters")).isEqualTo(Long.toString(TestRuns.charSpec(CellType.LSTM, 4, 4).parameterCount()));
    assertThat(row.get("saved_model")).isEqualTo("false");
  }

  @Test
  void malformedHistoryStillWritesTheReportAndSaysWhy() throws IOException {
    Path bad = TestRuns.synthetic(tmp.resolve("bad"), TestRuns.charSpec(CellType.SIMPLE_RNN, 4, ABC.size()), ABC,
        "epoch,accuracy,loss\n0,0.5,abc\n1,0.5,\"unterminated\n", METRICS);
    Comparison.Result r = compare(good("good"), bad);

    assertThat(r.reported()).isEqualTo(1);
    assertThat(r.problems()).anySatisfy(p -> assertThat(p).startsWith("run bad: ").contains("history.csv"));
    assertThat(warnings).isEqualTo(r.problems());
    String md = Files.readString(tmp.resolve("report/summary.md"));
    assertThat(md).contains("## Problems", "run bad: ");
    assertThat(ComparisonTest.csv(tmp.resolve("report/summary.csv"))).extracting(c -> c.get("run") + ":" + c.get("epochs"))
        .containsExactly("good:2", "bad:0");
    assertThat(ImageIO.read(tmp.resolve("report/loss_vs_epoch.png").toFile())).isNotNull();
  }

  @Test
  void badRowsAreSkippedAndCounted() throws IOException {
    Path run = TestRuns.synthetic(tmp.resolve("r"), TestRuns.charSpec(CellType.LSTM, 4, ABC.size()), ABC,
        "epoch,accuracy,loss\n0,0.5,1.0\nx,0.5,0.9\n2,0.6,0.8\n", null);
    Comparison.Result r = compare(run);
    assertThat(r.runs().get(0).epochs()).extracting(EpochResult::loss).containsExactly(1.0, 0.8);
    assertThat(r.problems()).contains("run r: " + run.resolve("history.csv") + ": skipped 1 malformed row(s), first at line 3 (x,0.5,0.9)",
        "run r: no metrics.csv: wall time and chars/s unknown");
    assertThat(tmp.resolve("report/loss_vs_time.png")).as("no timing, no time chart").doesNotExist();
  }

  @Test
  void aFileThatIsNoKerasHistoryIsNamed() throws IOException {
    Path run = TestRuns.synthetic(tmp.resolve("r"), TestRuns.charSpec(CellType.LSTM, 4, ABC.size()), ABC,
        "step,value\n1,2\n", METRICS);
    Comparison.Result r = compare(run);
    assertThat(r.reported()).isZero();
    assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("is not a Keras history (needs epoch and loss columns)"));
    assertThat(tmp.resolve("report/summary.md")).exists();
  }

  @Test
  void differentTasksAreChartedApartWithAMessage() throws IOException {
    Path reg = TestRuns.synthetic(tmp.resolve("sum"), ModelSpec.regression(CellType.LSTM, 1, 4, 5, 1), null,
        "epoch,loss,val_loss\n0,2.0,2.5\n1,1.0,1.5\n", METRICS);
    Comparison.Result r = compare(good("chars"), reg);
    assertThat(r.problems()).singleElement().asString()
        .contains("different tasks (char: chars; regression: sum)", "charted separately");
    assertThat(tmp.resolve("report/loss_vs_epoch_char.png")).exists();
    assertThat(tmp.resolve("report/loss_vs_epoch_regression.png")).exists();
    assertThat(tmp.resolve("report/accuracy_vs_epoch_char.png")).exists();
    assertThat(tmp.resolve("report/accuracy_vs_epoch_regression.png")).doesNotExist();
    CSVRecord sum = ComparisonTest.csv(tmp.resolve("report/summary.csv")).get(1);
    assertThat(sum.get("task")).isEqualTo("regression");
    assertThat(sum.get("final_accuracy")).isEmpty();
    assertThat(sum.get("perplexity")).as("e^MSE means nothing").isEmpty();
  }

  @Test
  void differentVocabulariesAreFlagged() throws IOException {
    Vocabulary other = Vocabulary.fromText("xyz");
    Path b = TestRuns.synthetic(tmp.resolve("b"), TestRuns.charSpec(CellType.LSTM, 4, other.size()), other, HISTORY, METRICS);
    Comparison.Result r = compare(good("a"), b);
    assertThat(r.problems()).singleElement().asString()
        .contains("different vocabularies", "a: 4 symbols", "b: 3 symbols", "not comparable");
  }

  @Test
  void refusesToReplaceADirectoryThatIsNotAReport() throws IOException {
    Path run = good("a");
    Files.createDirectories(tmp.resolve("report"));
    Files.writeString(tmp.resolve("report/notes.txt"), "mine");
    assertThatThrownBy(() -> compare(run)).isInstanceOf(UserInputException.class)
        .hasMessageContaining("holds notes.txt, which no rnnlab report wrote");
    assertThat(tmp.resolve("report/notes.txt")).hasContent("mine");
    assertThatThrownBy(() -> new Comparison(null, null).run(List.of(run), tmp, null, List.of()))
        .isInstanceOf(UserInputException.class).hasMessageContaining("would replace the run");
  }

  @Test
  void rerunningReplacesAnEarlierReportWhole() throws IOException {
    Path a = good("a");
    Path reg = TestRuns.synthetic(tmp.resolve("sum"), ModelSpec.regression(CellType.LSTM, 1, 4, 5, 1), null,
        "epoch,loss,val_loss\n0,2.0,2.5\n", METRICS);
    compare(a, reg);
    assertThat(tmp.resolve("report/loss_vs_epoch_char.png")).exists();
    compare(a);
    assertThat(tmp.resolve("report/loss_vs_epoch_char.png")).as("stale chart gone").doesNotExist();
    assertThat(tmp.resolve("report/loss_vs_epoch.png")).exists();
    try (var s = Files.list(tmp)) {
      assertThat(s.map(p -> p.getFileName().toString())).as("no staging left behind").containsExactlyInAnyOrder("a", "sum", "report");
    }
  }

  @Test
  void runsWithTheSameDirectoryNameAreToldApart() {
    assertThat(Comparison.names(List.of(Path.of("x/run"), Path.of("y/run"), Path.of("other"))))
        .containsExactly("x/run", "y/run", "other");
    assertThat(Comparison.names(List.of(Path.of("x/run"), Path.of("x/run")))).containsExactly("x/run", "x/run#2");
  }

  @Test
  void samplesThatFailBecomeMessagesAndOthersStay() throws IOException {
    Path a = good("a");
    Path b = good("b");
    Comparison.SampleSource source = (run, req) -> {
      if (run.name().equals("b")) {
        throw new UserInputException("prompt: 'q' is not in the vocabulary");
      }
      return new Comparison.Sample("window", req.prompt() + "|`x");
    };
    Comparison.Result r = new Comparison(source, warnings::add)
        .run(List.of(a, b), tmp.resolve("report"), new SampleRequest("ab", 1.0, 1, 5, null), List.of());
    assertThat(r.problems()).containsExactly("run b: no sample: prompt: 'q' is not in the vocabulary");
    assertThat(Files.readString(tmp.resolve("report/summary.md"))).contains("| a | window | `` ab\\|`x `` |");
  }

  @Test
  void extraPartsAreWrittenIntoTheReport() throws IOException {
    SeqLenSweep sweep = new SeqLenSweep(List.of(
        new SeqLenSweep.Point("simple_rnn", 5, "simple_rnn-seq5", 0.02, 0.025),
        new SeqLenSweep.Point("lstm", 5, "lstm-seq5", 0.01, 0.0125),
        new SeqLenSweep.Point("simple_rnn", 20, "simple_rnn-seq20", 0.5, Double.NaN),
        new SeqLenSweep.Point("lstm", 20, "lstm-seq20", 0.1, 0.2)));
    new Comparison(null, null).run(List.of(good("a")), tmp.resolve("report"), null, List.of(sweep));
    String md = Files.readString(tmp.resolve("report/summary.md"));
    assertThat(md).contains("## Sequence-length sweep (sum task): test MSE",
        "| seq_len | Var(target) | simple_rnn test MSE | lstm test MSE | simple_rnn MSE / Var | lstm MSE / Var |",
        "| 5 | 0.4167 | 0.02500 | 0.01250 | 0.06000 | 0.03000 |",
        "| 20 | 1.6667 | — | 0.20000 | — | 0.12000 |");
    assertThat(Files.readString(tmp.resolve("report/" + SeqLenSweep.CSV))).startsWith(
        "cell,seq_len,run,train_mse,test_mse,target_variance,test_mse_over_variance\n"
            + "simple_rnn,5,simple_rnn-seq5,0.02,0.025,0.4166666666666667,0.06\n");
    assertThat(ImageIO.read(tmp.resolve("report/" + SeqLenSweep.PNG).toFile())).isNotNull();
  }
}

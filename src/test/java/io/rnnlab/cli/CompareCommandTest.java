package io.rnnlab.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.compare.TestRuns;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareCommandTest {
  static final Vocabulary ABC = Vocabulary.fromText("abc ");
  static final String HISTORY = "epoch,accuracy,loss\n0,0.25,1.5\n1,0.5,0.75\n";

  @TempDir Path tmp;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  int run(String... args) {
    return Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  Path run(String name, String history) throws IOException {
    return TestRuns.synthetic(tmp.resolve(name), TestRuns.charSpec(CellType.LSTM, 4, ABC.size()), ABC, history,
        "epoch,steps,wall_seconds,chars_per_second,partial\n0,1,1.0,10.0,false\n1,2,2.0,10.0,false\n");
  }

  @Test
  void reportsWhatItCanAndWarnsAboutTheRestOnStderr() throws IOException {
    Path good = run("good", HISTORY);
    Path bad = run("bad", "epoch,accuracy,loss\n0,0.5,oops\n");
    Path report = tmp.resolve("report");

    int code = run("compare", good.toString(), bad.toString(), "--out", report.toString(), "--length", "0");

    assertThat(code).isEqualTo(Main.OK);
    assertThat(out.toString()).contains("compared 1 of 2 run(s): " + report.resolve("summary.md"));
    assertThat(err.toString().lines().toList()).containsExactly(
        "rnnlab: warning: run bad: " + bad.resolve("history.csv")
            + ": skipped 1 malformed row(s), first at line 2 (0,0.5,oops)");
    assertThat(report.resolve("summary.md")).content().contains("run bad: ");
    assertThat(report.resolve("summary.csv")).exists();
  }

  @Test
  void exitsTwoWhenNoRunHasAHistoryButStillWritesTheReport() throws IOException {
    Path empty = run("empty", null);
    Path missing = tmp.resolve("missing");
    Path report = tmp.resolve("report");

    int code = run("compare", empty.toString(), missing.toString(), "--out", report.toString(), "--length", "0");

    assertThat(code).isEqualTo(Main.USAGE);
    List<String> lines = err.toString().lines().toList();
    assertThat(lines).contains("rnnlab: warning: run empty: no history.csv: no epochs to report",
        "rnnlab: warning: run missing: " + missing + " is not a directory");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("rnnlab: error: none of the 2 run(s) has a usable history.csv; "
        + "the report in " + report + " lists why");
    assertThat(report.resolve("summary.md")).content().contains("## Problems", "is not a directory");
  }

  @Test
  void userMistakesAreOneLineAndExitTwo() throws IOException {
    Path good = run("good", HISTORY);
    Path notReport = Files.createDirectories(tmp.resolve("docs"));
    Files.writeString(notReport.resolve("keep.txt"), "x");

    assertThat(run("compare", good.toString(), "--out", notReport.toString())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).isEqualTo("rnnlab: error: --out " + notReport
        + " holds keep.txt, which no rnnlab report wrote; choose a new or empty directory (an earlier report there"
        + " would be replaced)\n");

    err.getBuffer().setLength(0);
    assertThat(run("compare", good.toString(), "--out", tmp.resolve("r").toString(), "--temperature", "-1"))
        .isEqualTo(Main.USAGE);
    assertThat(err.toString()).startsWith("rnnlab: error: temperature must be a finite number >= 0").hasLineCount(1);

    err.getBuffer().setLength(0);
    assertThat(run("compare", "--out", tmp.resolve("r").toString())).isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("RUN").hasLineCount(1);
  }
}

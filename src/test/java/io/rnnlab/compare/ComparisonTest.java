package io.rnnlab.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rnnlab.model.CellType;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare over two tiny runs really trained here (LSTM(8) and SimpleRNN(16), 3 epochs of hello). */
class ComparisonTest {
  static final String PROMPT = "hello worl";
  static final int LENGTH = 20;

  @TempDir static Path tmp;
  static Path lstm;
  static Path rnn;
  static Comparison.Result result;
  static List<String> warnings = new ArrayList<>();

  @BeforeAll
  static void trainAndCompare() throws IOException {
    lstm = TestRuns.trainHello(tmp.resolve("lstm-8"), CellType.LSTM, 8, 3, 7);
    rnn = TestRuns.trainHello(tmp.resolve("rnn-16"), CellType.SIMPLE_RNN, 16, 3, 7);
    result = new Comparison(new GeneratedSamples(), warnings::add)
        .run(List.of(lstm, rnn), tmp.resolve("report"), new SampleRequest(PROMPT, 0.5, 3, LENGTH, null), List.of());
  }

  @Test
  void bothRunsAreReportedWithoutProblems() {
    assertThat(result.reported()).isEqualTo(2);
    assertThat(result.problems()).isEmpty();
    assertThat(warnings).isEmpty();
  }

  @Test
  void summaryCsvHoldsEachRunsNumbersFromItsOwnFiles() throws IOException {
    Map<String, CSVRecord> rows = csv(tmp.resolve("report/summary.csv")).stream()
        .collect(Collectors.toMap(r -> r.get("run"), Function.identity()));
    assertThat(rows).containsOnlyKeys("lstm-8", "rnn-16");
    for (Path run : List.of(lstm, rnn)) {
      CSVRecord row = rows.get(run.getFileName().toString());
      List<CSVRecord> history = csv(RunDirectory.at(run).history());
      List<CSVRecord> metrics = csv(RunDirectory.at(run).metrics());
      CSVRecord last = history.get(history.size() - 1);
      ModelSpec spec = ModelSpec.read(RunDirectory.at(run).spec());

      assertThat(history).hasSize(3);
      assertThat(row.get("task")).isEqualTo("char");
      assertThat(row.get("cell")).isEqualTo(spec.cell(0).kerasName());
      assertThat(row.get("units")).isEqualTo(Integer.toString(spec.units()));
      assertThat(row.get("parameters")).isEqualTo(Long.toString(spec.parameterCount()));
      assertThat(row.get("epochs")).isEqualTo("3");
      assertThat(num(row, "final_loss")).isEqualTo(num(last, "loss"));
      assertThat(num(row, "final_accuracy")).isEqualTo(num(last, "accuracy"));
      assertThat(num(row, "final_val_loss")).isEqualTo(num(last, "val_loss"));
      assertThat(num(row, "final_val_accuracy")).isEqualTo(num(last, "val_accuracy"));
      assertThat(num(row, "best_loss")).isEqualTo(history.stream().mapToDouble(r -> num(r, "loss")).min().orElseThrow());
      assertThat(num(row, "best_val_accuracy"))
          .isEqualTo(history.stream().mapToDouble(r -> num(r, "val_accuracy")).max().orElseThrow());
      assertThat(num(row, "perplexity")).isEqualTo(Math.exp(num(last, "loss")));
      assertThat(num(row, "val_perplexity")).isEqualTo(Math.exp(num(last, "val_loss")));
      assertThat(num(row, "wall_seconds")).isEqualTo(num(metrics.get(2), "wall_seconds"));
      double chars = 0;
      double before = 0;
      for (CSVRecord m : metrics) {
        chars += num(m, "chars_per_second") * (num(m, "wall_seconds") - before);
        before = num(m, "wall_seconds");
      }
      assertThat(num(row, "chars_per_second")).isCloseTo(chars / before, within(1e-9 * chars / before));
      assertThat(Long.parseLong(row.get("checkpoint_bytes"))).isEqualTo(treeSize(RunDirectory.at(run).checkpoints()))
          .isGreaterThan(1000);
      assertThat(row.get("saved_model")).isEqualTo("true");
    }
  }

  @Test
  void chartsAreDecodablePngsDrawingBothRuns() throws IOException {
    for (String name : List.of("loss_vs_epoch.png", "loss_vs_time.png", "accuracy_vs_epoch.png")) {
      Path png = tmp.resolve("report").resolve(name);
      BufferedImage image = ImageIO.read(png.toFile());
      assertThat(image).as(name).isNotNull();
      assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
      assertThat(image.getHeight()).isEqualTo(Charts.HEIGHT);
      // Run 0 is drawn in the palette's blue, run 1 in its vermilion, both inside the plot (the legend
      // sits in the right-hand 200 pixels and is not counted).
      assertThat(plotPixels(image, 0x0072B2)).as(name + " first run's colour").isGreaterThan(50);
      assertThat(plotPixels(image, 0xD55E00)).as(name + " second run's colour").isGreaterThan(50);
    }
  }

  @Test
  void summaryMarkdownShowsBothSamplesFromTheSamePrompt() throws IOException {
    String md = Files.readString(tmp.resolve("report/summary.md"));
    assertThat(md).contains("## Summary", "![loss vs epoch](loss_vs_epoch.png)", "## Samples",
        "temperature 0.5, seed 3, 20 new characters");
    for (String run : List.of("lstm-8", "rnn-16")) {
      String line = md.lines().filter(l -> l.startsWith("| " + run + " | window | ")).findFirst().orElseThrow();
      String sample = line.substring(line.indexOf("` ") + 2, line.lastIndexOf(" `"));
      assertThat(sample).startsWith(PROMPT).hasSize(PROMPT.length() + LENGTH);
    }
  }

  static double num(CSVRecord r, String column) {
    return RunReader.parse(r.get(column));
  }

  static List<CSVRecord> csv(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
    }
  }

  private static long treeSize(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p)) {
          total += Files.size(p);
        }
      }
      return total;
    }
  }

  private static int plotPixels(BufferedImage image, int rgb) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth() - 200; x++) {
        if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
          n++;
        }
      }
    }
    return n;
  }
}

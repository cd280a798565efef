package io.rnnlab.compare;

import io.rnnlab.compare.Charts.Line;
import io.rnnlab.compare.Charts.LineChart;
import io.rnnlab.run.Experiment;
import io.rnnlab.run.TrainRunner;
import io.rnnlab.train.EpochResult;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The sum task's test MSE per (cell, sequence length), as a report section: a markdown table,
 * {@code seq_len_sweep.csv} and a chart. The target is a sum of {@code seq_len} numbers uniform in
 * [0, 1), whose variance is {@code seq_len / 12}; MSE divided by it (the share of variance left
 * unexplained; always predicting the mean scores 1) makes lengths comparable.
 */
public final class SeqLenSweep implements ReportPart {
  public static final String CSV = "seq_len_sweep.csv";
  public static final String PNG = "test_mse_vs_seq_len.png";

  /** One trained model; NaN MSE when its run diverged or had no test split. */
  public record Point(String cell, int seqLen, String run, double trainMse, double testMse) {
    public double targetVariance() {
      return seqLen / 12.0;
    }

    public double relativeTestMse() {
      return testMse / targetVariance();
    }
  }

  private final List<Point> points;
  private final List<String> cells;

  /**
   * The sweep over an experiment's runs at their sequence lengths; a run that diverged keeps its
   * history but has no final MSE worth comparing.
   */
  public static SeqLenSweep of(List<Experiment.Run> runs) {
    List<Point> points = new ArrayList<>();
    for (Experiment.Run r : runs) {
      List<EpochResult> h = r.finished().result().history();
      boolean usable = r.finished().status() == TrainRunner.Status.COMPLETED && !h.isEmpty();
      EpochResult last = usable ? h.get(h.size() - 1) : null;
      points.add(new Point(r.cell().kerasName(), r.seqLen(), r.name(), usable ? last.loss() : Double.NaN,
          usable ? last.valLoss() : Double.NaN));
    }
    return new SeqLenSweep(points);
  }

  public SeqLenSweep(List<Point> points) {
    this.points = List.copyOf(points);
    this.cells = points.stream().map(Point::cell).distinct().toList();
  }

  public List<Point> points() {
    return points;
  }

  @Override
  public String title() {
    return "Sequence-length sweep (sum task): test MSE";
  }

  @Override
  public String markdown() {
    StringBuilder md = new StringBuilder("| seq_len | Var(target) |");
    for (String c : cells) {
      md.append(' ').append(c).append(" test MSE |");
    }
    for (String c : cells) {
      md.append(' ').append(c).append(" MSE / Var |");
    }
    md.append("\n|--:|--:|").append("--:|".repeat(2 * cells.size())).append('\n');
    for (int len : new TreeSet<>(points.stream().map(Point::seqLen).toList())) {
      md.append(String.format(Locale.ROOT, "| %d | %.4f |", len, len / 12.0));
      for (String c : cells) {
        md.append(' ').append(find(c, len).map(p -> num(p.testMse())).orElse("")).append(" |");
      }
      for (String c : cells) {
        md.append(' ').append(find(c, len).map(p -> num(p.relativeTestMse())).orElse("")).append(" |");
      }
      md.append('\n');
    }
    md.append("\nTest MSE = the final epoch's val_loss on the held-out test split. MSE / Var = share of the target's "
        + "variance left unexplained (predicting the mean scores 1.0). Data: ").append(CSV)
        .append("\n\n![test MSE vs seq_len](").append(PNG).append(")\n");
    return md.toString();
  }

  @Override
  public void writeFiles(Path dir) throws IOException {
    Files.writeString(dir.resolve(CSV), csv());
    List<Line> lines = new ArrayList<>();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      List<Point> mine = points.stream().filter(p -> p.cell().equals(c)).sorted((a, b) -> a.seqLen() - b.seqLen()).toList();
      lines.add(new Line(c + " test MSE", i, false, mine.stream().mapToDouble(Point::seqLen).toArray(),
          mine.stream().mapToDouble(Point::testMse).toArray()));
    }
    Charts.writePng(new LineChart("Sum task: test MSE by sequence length", "sequence length (time steps)",
        "test MSE", lines), dir.resolve(PNG));
  }

  String csv() {
    StringWriter out = new StringWriter();
    try (CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
        .setHeader("cell", "seq_len", "run", "train_mse", "test_mse", "target_variance", "test_mse_over_variance")
        .setRecordSeparator("\n").build())) {
      for (Point pt : points) {
        p.printRecord(pt.cell(), pt.seqLen(), pt.run(), full(pt.trainMse()), full(pt.testMse()),
            pt.targetVariance(), full(pt.relativeTestMse()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private java.util.Optional<Point> find(String cell, int len) {
    return points.stream().filter(p -> p.cell().equals(cell) && p.seqLen() == len).findFirst();
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.5f", v);
  }

  private static String full(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }
}

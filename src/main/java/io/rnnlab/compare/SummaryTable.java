package io.rnnlab.compare;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@link RunSummary} rows as {@code summary.csv} (full precision, blank = unknown, for pandas and
 * spreadsheets) and as the markdown table of {@code summary.md} (rounded, for reading).
 */
final class SummaryTable {
  static final List<String> CSV_HEADER = List.of("run", "task", "cell", "layers", "units", "parameters", "epochs",
      "final_loss", "best_loss", "final_accuracy", "best_accuracy", "final_val_loss", "best_val_loss",
      "final_val_accuracy", "best_val_accuracy", "perplexity", "val_perplexity", "chars_per_second",
      "wall_seconds", "checkpoint_bytes", "saved_model");

  private SummaryTable() {}

  static String csv(List<RunSummary> rows) {
    StringWriter out = new StringWriter();
    try (CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
        .setHeader(CSV_HEADER.toArray(String[]::new)).setRecordSeparator("\n").build())) {
      for (RunSummary r : rows) {
        p.printRecord(r.name(), r.task(), r.cell(), blankIfZero(r.layers()), blankIfZero(r.units()),
            r.parameters() < 0 ? "" : Long.toString(r.parameters()), r.epochs(),
            full(r.finalLoss()), full(r.bestLoss()), full(r.finalAccuracy()), full(r.bestAccuracy()),
            full(r.finalValLoss()), full(r.bestValLoss()), full(r.finalValAccuracy()), full(r.bestValAccuracy()),
            full(r.perplexity()), full(r.valPerplexity()), full(r.charsPerSecond()), full(r.wallSeconds()),
            r.checkpointBytes(), r.savedModel());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  static String markdown(List<RunSummary> rows) {
    List<String> lines = new ArrayList<>();
    lines.add("| run | task | model | parameters | epochs | loss final (best) | accuracy final (best) "
        + "| val_loss final (best) | val_accuracy final (best) | perplexity (val) | chars/s | wall time | checkpoints |");
    lines.add("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
    for (RunSummary r : rows) {
      String model = r.cell().isEmpty() ? "?" : r.layers() + "x " + r.cell() + "(" + r.units() + ")";
      lines.add("| " + String.join(" | ", List.of(
          Markdown.cell(r.name()), r.task(), model,
          r.parameters() < 0 ? "" : String.format(Locale.ROOT, "%,d", r.parameters()),
          Integer.toString(r.epochs()),
          pair(r.finalLoss(), r.bestLoss()), pair(r.finalAccuracy(), r.bestAccuracy()),
          pair(r.finalValLoss(), r.bestValLoss()), pair(r.finalValAccuracy(), r.bestValAccuracy()),
          perplexity(r), rate(r.charsPerSecond()), seconds(r.wallSeconds()), bytes(r.checkpointBytes()))) + " |");
    }
    return String.join("\n", lines) + "\n";
  }

  private static String blankIfZero(int v) {
    return v == 0 ? "" : Integer.toString(v);
  }

  private static String full(double v) {
    return Double.isNaN(v) ? "" : Double.toString(v);
  }

  private static String pair(double last, double best) {
    if (Double.isNaN(last) && Double.isNaN(best)) {
      return "";
    }
    return String.format(Locale.ROOT, "%.4f (%.4f)", last, best);
  }

  private static String perplexity(RunSummary r) {
    if (Double.isNaN(r.perplexity())) {
      return "";
    }
    return Double.isNaN(r.valPerplexity())
        ? String.format(Locale.ROOT, "%.3f", r.perplexity())
        : String.format(Locale.ROOT, "%.3f (%.3f)", r.perplexity(), r.valPerplexity());
  }

  private static String rate(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String seconds(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.1f s", v);
  }

  static String bytes(long b) {
    if (b < 1024) {
      return b + " B";
    }
    if (b < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
    }
    return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
  }
}

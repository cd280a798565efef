package io.rnnlab.compare;

import io.rnnlab.InputFiles;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.train.EpochResult;
import io.rnnlab.train.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a {@link RunDirectory} into a {@link RunRecord}. Never throws for a
 * broken run: every unreadable part becomes a one-line problem naming the file, because a report
 * over five runs should not die on the one whose history was hand-edited.
 */
public final class RunReader {
  private RunReader() {}

  public static RunRecord read(Path dir, String name) {
    List<String> problems = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      problems.add(dir + " is not a directory");
      return new RunRecord(name, dir, null, null, List.of(), false, false, 0, null, problems);
    }
    RunDirectory run = RunDirectory.at(dir);
    ModelSpec spec = readSpec(run, problems);
    Vocabulary vocab = readVocabulary(run, spec, problems);
    HistoryRows history = readHistory(run.history(), problems);
    Map<Integer, Timing> timing = readTiming(run.metrics(), problems);
    List<EpochResult> epochs = new ArrayList<>();
    for (Row r : history.rows()) {
      Timing t = timing.getOrDefault(r.epoch(), Timing.UNKNOWN);
      epochs.add(new EpochResult(r.epoch(), r.loss(), r.accuracy(), r.valLoss(), r.valAccuracy(),
          t.steps(), t.wallSeconds(), t.charsPerSecond(), t.partial()));
    }
    boolean classification = spec != null ? spec.isCharModel() : history.hasAccuracy();
    Path savedModel = run.savedModel();
    return new RunRecord(name, dir, spec, vocab, epochs, classification, !timing.isEmpty(),
        treeSize(run.checkpoints()), Files.isDirectory(savedModel) ? savedModel : null, problems);
  }

  private static ModelSpec readSpec(RunDirectory run, List<String> problems) {
    if (!Files.exists(run.spec())) {
      problems.add("no " + run.spec().getFileName() + " (model size unknown)");
      return null;
    }
    try {
      return run.readSpec();
    } catch (UserInputException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private static Vocabulary readVocabulary(RunDirectory run, ModelSpec spec, List<String> problems) {
    if (!Files.exists(run.vocab())) {
      if (spec != null && spec.isCharModel()) {
        problems.add("no " + run.vocab().getFileName() + " (cannot check that the runs share a vocabulary)");
      }
      return null;
    }
    try {
      return run.readVocabulary();
    } catch (UserInputException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  private record Row(int epoch, double loss, double accuracy, double valLoss, double valAccuracy) {}

  private record HistoryRows(List<Row> rows, boolean hasAccuracy) {
    static final HistoryRows NONE = new HistoryRows(List.of(), false);
  }

  /** Keras's CSVLogger format; rows that do not parse are dropped and counted in one message. */
  private static HistoryRows readHistory(Path file, List<String> problems) {
    if (!Files.exists(file)) {
      problems.add("no " + file.getFileName() + ": no epochs to report");
      return HistoryRows.NONE;
    }
    List<CSVRecord> records;
    try {
      records = History.read(file);
    } catch (UserInputException e) {
      problems.add(e.getMessage());
      return HistoryRows.NONE;
    }
    boolean hasAccuracy = !records.isEmpty() && records.get(0).isMapped("accuracy");
    List<Row> rows = new ArrayList<>();
    int bad = 0;
    String firstBad = null;
    for (CSVRecord r : records) {
      try {
        rows.add(new Row(Integer.parseInt(r.get("epoch").trim()), number(r, "loss"), number(r, "accuracy"),
            number(r, "val_loss"), number(r, "val_accuracy")));
      } catch (IllegalArgumentException | IllegalStateException e) {
        bad++;
        if (firstBad == null) {
          firstBad = "line " + (r.getRecordNumber() + 1) + " (" + String.join(",", r.values()) + ")";
        }
      }
    }
    if (bad > 0) {
      problems.add(file + ": skipped " + bad + " malformed row(s), first at " + firstBad);
    }
    if (rows.isEmpty() && bad == 0) {
      problems.add(file + " has no epochs yet");
    }
    return new HistoryRows(rows, hasAccuracy);
  }

  /** epoch → timing from metrics.csv; optional, since Keras runs do not write it. */
  private record Timing(long steps, double wallSeconds, double charsPerSecond, boolean partial) {
    static final Timing UNKNOWN = new Timing(0, Double.NaN, Double.NaN, false);
  }

  private static Map<Integer, Timing> readTiming(Path file, List<String> problems) {
    Map<Integer, Timing> out = new HashMap<>();
    if (!Files.exists(file)) {
      problems.add("no " + file.getFileName() + ": wall time and chars/s unknown");
      return out;
    }
    try {
      InputFiles.requireRegular(file, History.MAX_BYTES, file.toString());
    } catch (UserInputException e) {
      problems.add(e.getMessage() + ": wall time and chars/s unknown");
      return out;
    }
    try (var parser = org.apache.commons.csv.CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true)
        .build().parse(Files.newBufferedReader(file))) {
      for (CSVRecord r : parser) {
        out.put(Integer.parseInt(r.get("epoch").trim()), new Timing(Long.parseLong(r.get("steps").trim()),
            parse(r.get("wall_seconds")), parse(r.get("chars_per_second")), Boolean.parseBoolean(r.get("partial").trim())));
      }
    } catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException e) {
      problems.add("cannot read " + file + " (" + e.getMessage() + "): wall time and chars/s unknown");
      out.clear();
    }
    return out;
  }

  /** A column that is absent (regression accuracy) or empty reads as NaN. */
  private static double number(CSVRecord r, String column) {
    return r.isMapped(column) && r.isSet(column) ? parse(r.get(column)) : Double.NaN;
  }

  /** Python's float repr: "nan", "inf", "-inf" besides Java's forms. */
  static double parse(String s) {
    String v = s.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "", "nan" -> Double.NaN;
      case "inf", "+inf", "infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }

  static long treeSize(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // pruned while we walked: the trainer keeps only the newest K
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }
}

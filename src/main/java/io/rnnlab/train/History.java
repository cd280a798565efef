package io.rnnlab.train;

import io.rnnlab.AtomicFiles;
import io.rnnlab.InputFiles;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * {@code history.csv} as Keras's CSVLogger writes it: the epoch, then the logged metrics in
 * sorted order ({@code epoch,accuracy,loss,val_accuracy,val_loss}; regression {@code
 * epoch,loss,val_loss}; without a validation split no {@code val_} columns, as Keras logs none).
 * Rewritten whole after every epoch so a crash never leaves half a row.
 */
public final class History {
  private History() {}

  public static List<String> header(boolean classification, boolean validation) {
    List<String> train = classification ? List.of("accuracy", "loss") : List.of("loss");
    List<String> columns = new ArrayList<>(List.of("epoch"));
    columns.addAll(train);
    if (validation) {
      train.forEach(c -> columns.add("val_" + c));
    }
    return List.copyOf(columns);
  }

  /** @param validation whether the run has a validation split (Keras logs val_ metrics only then) */
  public static void write(Path file, List<EpochResult> rows, boolean classification, boolean validation)
      throws IOException {
    StringWriter out = new StringWriter();
    List<String> header = header(classification, validation);
    try (CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
        .setHeader(header.toArray(String[]::new)).setRecordSeparator("\n").build())) {
      for (EpochResult r : rows) {
        List<Object> row = new ArrayList<>(List.of(r.epoch()));
        if (classification) {
          row.add(num(r.accuracy()));
        }
        row.add(num(r.loss()));
        if (validation) {
          if (classification) {
            row.add(num(r.valAccuracy()));
          }
          row.add(num(r.valLoss()));
        }
        p.printRecord(row);
      }
    }
    AtomicFiles.writeString(file, out.toString());
  }

  /** rnnlab's timing beside the Keras columns: what {@code rnnlab compare} plots against wall time. */
  public static void writeTiming(Path file, List<EpochResult> rows) throws IOException {
    StringWriter out = new StringWriter();
    try (CSVPrinter p = new CSVPrinter(out, CSVFormat.DEFAULT.builder()
        .setHeader("epoch", "steps", "wall_seconds", "chars_per_second", "partial").setRecordSeparator("\n").build())) {
      for (EpochResult r : rows) {
        p.printRecord(r.epoch(), r.steps(), r.wallSeconds(), r.charsPerSecond(), r.partial());
      }
    }
    AtomicFiles.writeString(file, out.toString());
  }

  /** Keras writes Python floats; NaN (a diverged loss) stays "nan" as Python prints it. */
  private static String num(double v) {
    return Double.isNaN(v) ? "nan" : Double.toString(v);
  }

  /** A million epochs of every column is some 100 MB; a larger file is not a history. */
  public static final long MAX_BYTES = 256 * InputFiles.MIB;

  /** Reads any Keras CSVLogger file: the header names the columns, values may be "nan". */
  public static List<CSVRecord> read(Path file) {
    InputFiles.requireRegular(file, MAX_BYTES, "history " + file);
    try (Reader r = Files.newBufferedReader(file)) {
      var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r);
      List<CSVRecord> out = new ArrayList<>(parser.getRecords());
      if (!parser.getHeaderNames().contains("epoch") || !parser.getHeaderNames().contains("loss")) {
        throw new UserInputException(file + " is not a Keras history (needs epoch and loss columns)");
      }
      return out;
    } catch (IOException | IllegalArgumentException | java.io.UncheckedIOException e) {
      throw new UserInputException("cannot read history " + file + ": " + e.getMessage());
    }
  }
}

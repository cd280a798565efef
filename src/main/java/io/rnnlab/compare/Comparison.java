package io.rnnlab.compare;

import io.rnnlab.AtomicFiles;
import io.rnnlab.InputFiles;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code rnnlab compare}: reads run directories, writes {@code summary.md}, {@code summary.csv}
 * and PNG charts into a report directory. What cannot be compared (a broken history, different
 * tasks or vocabularies) becomes a message in the report and through {@code warn}; the rest is
 * still reported. The report directory is staged and renamed into place, so it is whole or absent.
 */
public final class Comparison {
  public static final String SUMMARY_MD = "summary.md";
  public static final String SUMMARY_CSV = "summary.csv";
  /** The names of the files a report holds, one per line: what a later report may replace. */
  static final String MANIFEST = ".rnnlab-report";

  /** Generates one run's sample; throws {@link UserInputException} when that run cannot. */
  @FunctionalInterface
  public interface SampleSource {
    Sample sample(RunRecord run, SampleRequest request);
  }

  /** A generated text (prompt included) and the generation mode it ran in. */
  public record Sample(String mode, String text) {}

  /**
   * @param reported runs with at least one epoch of history
   * @param problems every message, as written to the report
   */
  public record Result(Path report, List<RunRecord> runs, int reported, List<String> problems) {}

  private final SampleSource samples;
  private final Consumer<String> warn;

  /** @param samples null = no samples section */
  public Comparison(SampleSource samples, Consumer<String> warn) {
    this.samples = samples;
    this.warn = warn == null ? line -> {} : warn;
  }

  public Result run(List<Path> runDirs, Path out, SampleRequest request, List<ReportPart> extra) throws IOException {
    if (runDirs.isEmpty()) {
      throw new UserInputException("give at least one run directory to compare");
    }
    checkOutput(out, runDirs);
    List<String> names = names(runDirs);
    List<RunRecord> runs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < runDirs.size(); i++) {
      RunRecord r = RunReader.read(runDirs.get(i), names.get(i));
      runs.add(r);
      r.problems().forEach(p -> problems.add("run " + r.name() + ": " + p));
    }
    problems.addAll(compatibility(runs));
    Map<String, Sample> texts = request != null && request.enabled() && samples != null
        ? sample(runs, request, problems) : Map.of();
    problems.forEach(warn);

    Path staging = AtomicFiles.stagingDirectory(out);
    try {
      List<RunSummary> rows = runs.stream().map(RunSummary::of).toList();
      List<String> chartFiles = writeCharts(runs, staging);
      for (ReportPart part : extra) {
        part.writeFiles(staging);
      }
      Files.writeString(staging.resolve(SUMMARY_CSV), SummaryTable.csv(rows));
      Files.writeString(staging.resolve(SUMMARY_MD),
          ReportMarkdown.render(runs, rows, problems, chartFiles, request, texts, extra));
      try (Stream<Path> files = Files.list(staging)) {
        Files.writeString(staging.resolve(MANIFEST),
            String.join("\n", files.map(p -> p.getFileName().toString()).sorted().toList()) + "\n");
      }
      AtomicFiles.publishDirectory(staging, out);
    } finally {
      AtomicFiles.deleteTree(staging);
    }
    int reported = (int) runs.stream().filter(RunRecord::hasHistory).count();
    return new Result(out, runs, reported, problems);
  }

  /**
   * The report replaces an older report in place, but never a directory that holds anything
   * else: publishing moves the old directory aside and deletes it. An older report is one whose
   * {@link #MANIFEST} lists every entry in it.
   */
  private static void checkOutput(Path out, List<Path> runDirs) throws IOException {
    Path target = out.toAbsolutePath().normalize();
    for (Path run : runDirs) {
      Path r = run.toAbsolutePath().normalize();
      if (r.startsWith(target)) {
        throw new UserInputException("--out " + out + " would replace the run " + run + "; choose a new report directory");
      }
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new UserInputException("--out " + out + " is a file; give a directory for the report");
    }
    AtomicFiles.checkWritableLocation(out, "--out");
    if (!Files.isDirectory(out)) {
      return;
    }
    Path manifest = out.resolve(MANIFEST);
    java.util.Set<String> ours = new java.util.HashSet<>(java.util.List.of(MANIFEST));
    if (Files.isRegularFile(manifest) && Files.size(manifest) < InputFiles.MIB) {
      ours.addAll(Files.readAllLines(manifest));
    }
    java.util.Optional<String> foreign = AtomicFiles.foreignEntry(out, ours);
    if (foreign.isPresent()) {
      throw new UserInputException("--out " + out + " holds " + foreign.get() + ", which no rnnlab report wrote;"
          + " choose a new or empty directory (an earlier report there would be replaced)");
    }
  }

  /** Directory names, made unique with their parent's name where two runs share one. */
  static List<String> names(List<Path> dirs) {
    List<String> base = dirs.stream().map(Comparison::shortName).toList();
    List<String> out = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (int i = 0; i < dirs.size(); i++) {
      String n = base.get(i);
      if (base.indexOf(n) != base.lastIndexOf(n)) {
        Path abs = dirs.get(i).toAbsolutePath().normalize();
        Path parent = abs.getParent();
        n = parent == null || parent.getFileName() == null ? n : parent.getFileName() + "/" + n;
      }
      String unique = n;
      for (int k = 2; !used.add(unique); k++) {
        unique = n + "#" + k;
      }
      out.add(unique);
    }
    return out;
  }

  private static String shortName(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
  }

  /** Losses of different tasks or vocabularies measure different things: say so. */
  static List<String> compatibility(List<RunRecord> runs) {
    List<String> out = new ArrayList<>();
    List<RunRecord> known = runs.stream().filter(r -> r.hasHistory() || r.spec() != null).toList();
    Map<String, List<String>> byTask = known.stream().collect(Collectors.groupingBy(RunRecord::task,
        LinkedHashMap::new, Collectors.mapping(RunRecord::name, Collectors.toList())));
    if (byTask.size() > 1) {
      out.add("the runs train different tasks (" + byTask.entrySet().stream()
          .map(e -> e.getKey() + ": " + String.join(", ", e.getValue())).collect(Collectors.joining("; "))
          + "): cross-entropy and MSE are not comparable, so each task is charted separately");
    }
    Map<String, List<String>> byVocab = new LinkedHashMap<>();
    for (RunRecord r : known) {
      if (r.classification()) {
        String key = vocabularyKey(r);
        if (key != null) {
          byVocab.computeIfAbsent(key, k -> new ArrayList<>()).add(r.name());
        }
      }
    }
    if (byVocab.size() > 1) {
      out.add("the char runs use different vocabularies (" + byVocab.entrySet().stream()
          .map(e -> String.join(", ", e.getValue()) + ": " + e.getKey()).collect(Collectors.joining("; "))
          + "): their losses and perplexities are not comparable");
    }
    return out;
  }

  private static String vocabularyKey(RunRecord r) {
    Vocabulary v = r.vocabulary();
    if (v != null) {
      String symbols = String.join("", v.symbols());
      return v.size() + " symbols, " + Integer.toHexString(symbols.hashCode());
    }
    return r.spec() != null ? r.spec().vocabSize() + " symbols" : null;
  }

  private Map<String, Sample> sample(List<RunRecord> runs, SampleRequest request, List<String> problems) {
    Map<String, Sample> texts = new LinkedHashMap<>();
    for (RunRecord r : runs) {
      if (!r.classification() || r.spec() == null) {
        continue; // regression models have nothing to say
      }
      try {
        texts.put(r.name(), samples.sample(r, request));
      } catch (UserInputException e) {
        problems.add("run " + r.name() + ": no sample: " + e.getMessage());
      }
    }
    return texts;
  }

  private static List<String> writeCharts(List<RunRecord> runs, Path dir) throws IOException {
    List<RunRecord> plotted = runs.stream().filter(RunRecord::hasHistory).toList();
    Map<String, List<RunRecord>> groups = plotted.stream().collect(Collectors.groupingBy(RunRecord::task,
        LinkedHashMap::new, Collectors.toList()));
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, List<RunRecord>> g : groups.entrySet()) {
      List<Integer> colours = g.getValue().stream().map(plotted::indexOf).toList();
      String suffix = groups.size() > 1 ? "_" + g.getKey() : "";
      for (Map.Entry<String, Charts.LineChart> c : RunCharts.forGroup(g.getValue(), colours, suffix).entrySet()) {
        Charts.writePng(c.getValue(), dir.resolve(c.getKey()));
        files.add(c.getKey());
      }
    }
    return files;
  }
}

package io.rnnlab.run;

import io.rnnlab.InvalidSetting;
import io.rnnlab.data.Corpus;
import io.rnnlab.data.CorpusSource;
import io.rnnlab.data.DatasetCache;
import io.rnnlab.model.CellType;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.Architecture;
import io.rnnlab.train.Preset;
import io.rnnlab.train.TensorBoardLogger;
import io.rnnlab.train.TrainSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * {@code rnnlab experiment rnn-vs-lstm}: the task's preset trained once with a SimpleRNN and once
 * with an LSTM (same seed, data and budget), for the sum task at several sequence lengths. The
 * runs go to {@code DIR/runs/<name>}; the report over them ({@code DIR/report}) is {@code
 * compare}'s.
 */
public final class Experiment {
  public static final String NAME = "rnn-vs-lstm";
  static final List<Integer> DEFAULT_SEQ_LENS = List.of(5, 20, 50);
  static final List<CellType> CELLS = List.of(CellType.SIMPLE_RNN, CellType.LSTM);

  /** The tasks and the preset each starts from (its cell is overridden per run). */
  public enum Task {
    SUM("sum-lstm"), HELLO("hello-lstm"), SHAKESPEARE("shakespeare-lstm256");

    private final String preset;

    Task(String preset) {
      this.preset = preset;
    }

    public static Task parse(String s) {
      return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(s)).findFirst().orElseThrow(() ->
          new InvalidSetting("task", "must be sum, hello or shakespeare, got '" + s + "'"));
    }
  }

  /**
   * One experiment.
   *
   * @param seqLens the sum task's sequence lengths; null = {@link #DEFAULT_SEQ_LENS}
   * @param data a text file for the hello and shakespeare tasks; null = the task's own corpus
   * @param flags what the user set, applied to the task's preset before each run's cell and length
   */
  public record Request(Task task, Path out, List<Integer> seqLens, Path data, UnaryOperator<Preset> flags) {
    public Request {
      if (task != Task.SUM) {
        if (seqLens != null) {
          throw new InvalidSetting("seqLens", "is for --task sum; the " + task.name().toLowerCase(Locale.ROOT)
              + " runs use their preset's sequence length");
        }
      } else {
        seqLens = seqLens != null ? List.copyOf(seqLens) : DEFAULT_SEQ_LENS;
        for (int len : seqLens) {
          if (len < 1 || len > ModelSpec.MAX_SEQ_LEN) {
            throw new InvalidSetting("seqLens", "values must be in [1, " + ModelSpec.MAX_SEQ_LEN + "], got " + len);
          }
        }
        if (seqLens.stream().distinct().count() != seqLens.size()) {
          throw new InvalidSetting("seqLens", "lists a length twice: " + seqLens);
        }
        if (data != null) {
          throw new InvalidSetting("data", "is for --task hello or shakespeare; the sum task generates its numbers");
        }
      }
    }

    /** Where the runs go. */
    public Path runs() {
      return out.resolve("runs");
    }

    /** Where the report over the runs goes. */
    public Path report() {
      return out.resolve("report");
    }

    /** A prompt the task's models have seen, for their samples; empty for other text. */
    public Optional<String> taskPrompt() {
      if (data != null || task == Task.SUM) {
        return Optional.empty(); // any text: nothing is known about it
      }
      // hello: a full seq_len window of the sentence, so window sampling starts from text the model knows
      return Optional.of(task == Task.HELLO ? "hello world" : "ROMEO:");
    }

    /** One run per length (one for tasks without a sweep, null: the preset's), each cell in turn. */
    private List<Integer> lengths() {
      return task == Task.SUM ? seqLens : Collections.singletonList(null);
    }
  }

  /** One run of the experiment; {@code seqLen} is null where the task sweeps no lengths. */
  public record Run(String name, CellType cell, Integer seqLen, Path dir, TrainRunner.Finished finished) {}

  /** The finished runs in order, and whether Ctrl-C ended the experiment early. */
  public record Result(List<Run> runs, boolean interrupted) {
    public List<Path> dirs() {
      return runs.stream().map(Run::dir).toList();
    }
  }

  private Experiment() {}

  /** Checks {@code --out} is new or empty, then trains every run; its log goes to {@code out} and {@code err}. */
  public static Result run(Request r, SessionOptions session, PrintWriter out, PrintWriter err) throws IOException {
    requireNewOut(r.out());
    Preset preset = r.flags().apply(Preset.named(r.task().preset));
    Supplier<Corpus> corpus = r.task() == Task.SUM ? null : once(() -> CorpusSource.load(r.data(),
        r.data() == null && r.task() == Task.SHAKESPEARE ? DatasetCache.TINY_SHAKESPEARE.name() : null,
        r.data() == null && r.task() == Task.HELLO ? CorpusSource.BUILTIN_HELLO : null, new DatasetCache(),
        out::println));
    List<Run> runs = new ArrayList<>();
    List<Integer> lengths = r.lengths();
    int total = lengths.size() * CELLS.size();
    for (Integer len : lengths) {
      for (CellType cell : CELLS) {
        String name = cell.kerasName() + (len != null ? "-seq" + len : "");
        Path dir = r.runs().resolve(name);
        out.printf(Locale.ROOT, "%n== run %d/%d: %s ==%n", runs.size() + 1, total, name);
        Architecture model = preset.architecture().withCell(cell);
        TrainSetup.Prepared prep = TrainSetup.prepare(
            preset.withArchitecture(len == null ? model : model.withSeqLen(len)), corpus);
        TrainRunner.Finished f = TrainRunner.run(new TrainRunner.Request(prep, RunDirectory.at(dir), false, null,
            session, TensorBoardLogger.DEFAULT_STEP_EVERY), out, err);
        if (f.status() == TrainRunner.Status.INTERRUPTED) {
          return new Result(runs, true);
        }
        runs.add(new Run(name, cell, len, dir, f));
      }
    }
    return new Result(runs, false);
  }

  /** {@code dir} must be new or empty: the experiment's runs and report are all it holds. */
  public static void requireNewOut(Path dir) throws IOException {
    if (Files.isRegularFile(dir)) {
      throw new InvalidSetting("out", dir + " is a file; give a new directory");
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new InvalidSetting("out", dir + " is not empty; give a new directory for the experiment");
        }
      }
    }
  }

  /** The corpus is read once and shared by every run (and the download happens at most once). */
  private static <T> Supplier<T> once(Supplier<T> s) {
    return new Supplier<>() {
      private T value;

      @Override
      public T get() {
        if (value == null) {
          value = s.get();
        }
        return value;
      }
    };
  }
}

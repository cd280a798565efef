package io.rnnlab.cli;

import io.rnnlab.UserInputException;
import io.rnnlab.compare.ReportPart;
import io.rnnlab.compare.SampleRequest;
import io.rnnlab.compare.SeqLenSweep;
import io.rnnlab.data.Corpus;
import io.rnnlab.data.CorpusSource;
import io.rnnlab.data.DatasetCache;
import io.rnnlab.model.CellType;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.run.TrainRunner;
import io.rnnlab.runtime.Devices;
import io.rnnlab.train.Architecture;
import io.rnnlab.train.EpochResult;
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
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rnnlab experiment rnn-vs-lstm}: the task's preset trained once with a SimpleRNN and once
 * with an LSTM (same seed, data and budget), for the sum task at several sequence lengths, then
 * {@code rnnlab compare} over all of it into {@code DIR/report}.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Run a packaged experiment and report it.",
        "rnn-vs-lstm: SimpleRNN vs LSTM on one task with the same seed and budget; runs in DIR/runs, report in DIR/report."})
final class ExperimentCommand implements Callable<Integer> {
  static final List<Integer> DEFAULT_SEQ_LENS = List.of(5, 20, 50);
  static final List<CellType> CELLS = List.of(CellType.SIMPLE_RNN, CellType.LSTM);

  /** The tasks and the preset each starts from (its cell is overridden per run). */
  enum Task {
    SUM("sum-lstm"), HELLO("hello-lstm"), SHAKESPEARE("shakespeare-lstm256");

    final String preset;

    Task(String preset) {
      this.preset = preset;
    }

    static Task parse(String s) {
      return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(s)).findFirst().orElseThrow(() ->
          new UserInputException("--task must be sum, hello or shakespeare, got '" + s + "'"));
    }
  }

  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "rnn-vs-lstm")
  String experiment;

  @Option(names = "--task", defaultValue = "hello", description = "sum, hello or shakespeare (default: ${DEFAULT-VALUE})")
  String task;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "new or empty directory for the runs and the report")
  Path out;

  @Option(names = "--seq-lens", split = ",", paramLabel = "N", description = "sum task: sequence lengths to sweep (default: 5,20,50)")
  List<Integer> seqLens;

  /** One seed and budget for every run. */
  @Mixin BudgetOptions budget;

  @Option(names = "--data", paramLabel = "FILE", description = "hello/shakespeare: this text file as the corpus")
  Path data;

  @Option(names = "--prompt", description = "sample prompt (default: 'hello world' for hello, 'ROMEO:' for shakespeare, 'the ' with --data)")
  String prompt;

  @Mixin SampleOptions sample;
  @Mixin DeviceOptions device;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = cmd.commandLine().getOut();
    PrintWriter stderr = cmd.commandLine().getErr();
    if (!experiment.equals("rnn-vs-lstm")) {
      throw new UserInputException("unknown experiment '" + experiment + "' (known: rnn-vs-lstm)");
    }
    Task t = Task.parse(task);
    List<Integer> lens = sequenceLengths(t);
    if (data != null && t == Task.SUM) {
      throw new UserInputException("--data is for --task hello or shakespeare; the sum task generates its numbers");
    }
    checkEmpty(out);
    SampleRequest samples = sample.request(prompt != null ? prompt : defaultPrompt(t), budget.seed);
    Devices.Report devices = device.select();
    stdout.println(devices.describe());

    Preset base = Preset.named(t.preset);
    Preset preset = base.withTrain(budget.applyTo(base.train()));
    Supplier<Corpus> corpus = t == Task.SUM ? null : once(() -> CorpusSource.load(data,
        data == null && t == Task.SHAKESPEARE ? "tiny-shakespeare" : null,
        data == null && t == Task.HELLO ? "hello" : null, new DatasetCache(), stdout::println));
    List<Path> runs = new ArrayList<>();
    List<SeqLenSweep.Point> sweep = new ArrayList<>();
    int total = lens.size() * CELLS.size();
    for (Integer len : lens) {
      for (CellType cell : CELLS) {
        String name = cell.kerasName() + (t == Task.SUM ? "-seq" + len : "");
        Path dir = out.resolve("runs").resolve(name);
        stdout.printf(Locale.ROOT, "%n== run %d/%d: %s ==%n", runs.size() + 1, total, name);
        Architecture model = preset.architecture().withCell(cell);
        TrainSetup.Prepared prep = TrainSetup.prepare(
            preset.withArchitecture(len == null ? model : model.withSeqLen(len)), corpus);
        TrainRunner.Finished f = TrainRunner.run(new TrainRunner.Request(prep, RunDirectory.at(dir), false, null,
            devices.options(), TensorBoardLogger.DEFAULT_STEP_EVERY), stdout, stderr);
        if (f.status() == TrainRunner.Status.INTERRUPTED) {
          stderr.println("rnnlab: experiment interrupted; finished runs are in " + out.resolve("runs"));
          return Main.INTERRUPTED;
        }
        runs.add(dir);
        if (t == Task.SUM) {
          sweep.add(point(cell, prep.spec().seqLen(), name, f));
        }
      }
    }
    stdout.println();
    List<ReportPart> extra = t == Task.SUM ? List.of(new SeqLenSweep(sweep)) : List.of();
    return CompareCommand.report(runs, out.resolve("report"), samples, extra, stdout, stderr);
  }

  private List<Integer> sequenceLengths(Task t) {
    if (t != Task.SUM) {
      if (seqLens != null) {
        throw new UserInputException("--seq-lens is for --task sum; the " + t.name().toLowerCase(Locale.ROOT)
            + " runs use their preset's sequence length");
      }
      return Collections.singletonList(null);
    }
    List<Integer> lens = seqLens != null ? seqLens : DEFAULT_SEQ_LENS;
    for (int len : lens) {
      if (len < 1 || len > ModelSpec.MAX_SEQ_LEN) {
        throw new UserInputException("--seq-lens values must be in [1, " + ModelSpec.MAX_SEQ_LEN + "], got " + len);
      }
    }
    if (lens.stream().distinct().count() != lens.size()) {
      throw new UserInputException("--seq-lens lists a length twice: " + lens);
    }
    return lens;
  }

  private String defaultPrompt(Task t) {
    if (data != null) {
      return CompareCommand.DEFAULT_PROMPT; // any text: nothing is known about it
    }
    // hello: a full seq_len window of the sentence, so window sampling starts from text the model knows
    return t == Task.HELLO ? "hello world" : t == Task.SHAKESPEARE ? "ROMEO:" : CompareCommand.DEFAULT_PROMPT;
  }

  /** A diverged run keeps its history but has no final test MSE worth comparing. */
  private static SeqLenSweep.Point point(CellType cell, int len, String name, TrainRunner.Finished f) {
    List<EpochResult> h = f.result().history();
    boolean usable = f.status() == TrainRunner.Status.COMPLETED && !h.isEmpty();
    EpochResult last = usable ? h.get(h.size() - 1) : null;
    return new SeqLenSweep.Point(cell.kerasName(), len, name, usable ? last.loss() : Double.NaN,
        usable ? last.valLoss() : Double.NaN);
  }

  private static void checkEmpty(Path dir) throws IOException {
    if (Files.isRegularFile(dir)) {
      throw new UserInputException("--out " + dir + " is a file; give a new directory");
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isPresent()) {
          throw new UserInputException("--out " + dir + " is not empty; give a new directory for the experiment");
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

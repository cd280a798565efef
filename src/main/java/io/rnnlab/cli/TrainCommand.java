package io.rnnlab.cli;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Corpus;
import io.rnnlab.data.CorpusSource;
import io.rnnlab.data.DatasetCache;
import io.rnnlab.data.SplitMode;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.generate.Sampler;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.run.TrainRunner;
import io.rnnlab.runtime.Devices;
import io.rnnlab.savedmodel.CharModels;
import io.rnnlab.train.Preset;
import io.rnnlab.train.TensorBoardLogger;
import io.rnnlab.train.TrainSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rnnlab train}: a preset, overridden by flags, trained into a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train a SimpleRNN or LSTM model (Keras-identical graph) and export it.",
        "Starts from a --preset; every flag overrides it."})
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Option(names = "--preset", description = "sum-rnn, sum-lstm, hello-rnn, hello-lstm, shakespeare-lstm256, shakespeare-2x512 (default: ${DEFAULT-VALUE})", defaultValue = "shakespeare-lstm256")
  String preset;

  @Option(names = "--data", paramLabel = "FILE", description = "any UTF-8 text file as the corpus")
  Path data;

  @Option(names = "--dataset", paramLabel = "NAME", description = "a named corpus downloaded once into the cache (tiny-shakespeare)")
  String dataset;

  @Option(names = "--corpus", paramLabel = "NAME", description = "a built-in corpus (hello)")
  String corpus;

  @Option(names = "--clean-newlines", description = "newlines to spaces, double spaces collapsed")
  boolean cleanNewlines;

  @Option(names = "--limit-chars", paramLabel = "N", description = "use only the first N characters")
  Integer limitChars;

  @Option(names = "--cell", description = "lstm or simple_rnn") String cell;
  @Option(names = "--layers") Integer layers;
  @Option(names = "--units") Integer units;
  @Option(names = "--embedding-dim", description = "0 = one-hot input") Integer embeddingDim;
  @Option(names = "--dropout") Double dropout;
  @Option(names = "--seq-len") Integer seqLen;
  @Option(names = "--step", description = "window stride") Integer step;
  @Option(names = "--loss-on", description = "last (Keras return_sequences=False) or all") String lossOn;
  @Option(names = "--samples", description = "sum task: number of sequences") Integer samples;

  @Option(names = "--epochs") Integer epochs;
  @Option(names = "--batch-size") Integer batchSize;
  @Option(names = "--lr", description = "Adam learning rate") Double lr;
  @Option(names = "--val-fraction") Double valFraction;
  @Option(names = "--split", description = "contiguous (default: last part held out) or random") String split;
  @Option(names = "--val-batches", description = "validation batches per epoch (0 = all)") Integer valBatches;
  @Option(names = "--seed", defaultValue = "42") long seed;
  @Option(names = "--max-steps", defaultValue = "0", description = "stop after N optimizer steps (0 = no limit)") long maxSteps;
  @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N", description = "also checkpoint every N steps") int checkpointEvery;
  @Option(names = "--keep-checkpoints", defaultValue = "3") int keepCheckpoints;
  @Option(names = "--init-from", paramLabel = "MODEL.keras|WEIGHTS.h5",
      description = "start from a Keras model's weights (.keras, Keras 3 .weights.h5, Keras 2 .h5); the flags must describe the same layers")
  Path initFrom;
  @Option(names = "--resume", description = "continue from the newest valid checkpoint in --out") boolean resume;
  @Option(names = "--out", paramLabel = "DIR", description = "run directory (default runs/<preset>-<time>)") Path out;
  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu") String device;
  @Option(names = "--threads", defaultValue = "0", description = "TF intra-op threads (0 = all cores)") int threads;
  @Option(names = "--sample-length", defaultValue = "300", paramLabel = "N", description = "char models: characters generated from the trained model at the end (0 = none)") int sampleLength;
  @Option(names = "--prompt", paramLabel = "TEXT", description = "start of that sample (default: the corpus's first 20 characters)") String prompt;
  @Option(names = "--temperature", defaultValue = "0.8", description = "temperature of that sample (default: ${DEFAULT-VALUE})") double temperature;

  private String corpusHead = "";

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = cmd.commandLine().getOut();
    checkSampleOptions();
    Preset p = Preset.named(preset);
    Devices.Report devices = Devices.select(Devices.Choice.parse(device), threads);
    stdout.println(devices.describe());

    boolean sumTask = p.data().equals("sum") && data == null && dataset == null && corpus == null;
    TrainSetup.Prepared prep = TrainSetup.prepare(p, overrides(), sumTask ? null : () -> loadCorpus(p, stdout));
    RunDirectory dir = out != null ? RunDirectory.at(out) : RunDirectory.fresh(p.name());
    TrainRunner.Finished finished = TrainRunner.run(new TrainRunner.Request(prep, dir, resume, initFrom,
        devices.options(), TensorBoardLogger.DEFAULT_STEP_EVERY), stdout, cmd.commandLine().getErr());
    if (finished.status() == TrainRunner.Status.COMPLETED) {
      printSample(stdout, prep.spec(), finished.savedModel());
    }
    return Main.exitCode(finished.status());
  }

  private TrainSetup.Overrides overrides() {
    return new TrainSetup.Overrides(cell != null ? CellType.parse(cell) : null, layers, units, embeddingDim, dropout,
        seqLen, step, lossOn != null ? LossOn.parse(lossOn) : null, samples, epochs, batchSize, lr, valFraction,
        split != null ? SplitMode.parse(split) : null, valBatches, seed, maxSteps, checkpointEvery, keepCheckpoints);
  }

  private Corpus loadCorpus(Preset p, PrintWriter stdout) {
    boolean explicit = data != null || dataset != null || corpus != null;
    String builtin = explicit ? corpus : (p.data().equals("hello") ? "hello" : null);
    // A preset's named dataset gives way to $RNNLAB_DATA (a local copy), which CorpusSource reads
    // when no source is named.
    boolean useEnv = System.getenv("RNNLAB_DATA") != null && !System.getenv("RNNLAB_DATA").isBlank();
    String named = explicit ? dataset : (p.data().equals("tiny-shakespeare") && !useEnv ? "tiny-shakespeare" : null);
    Corpus c = CorpusSource.load(data, named, builtin, new DatasetCache(), stdout::println);
    if (cleanNewlines) {
      c = c.cleanNewlines();
    }
    if (limitChars != null) {
      if (limitChars < 2) {
        throw new UserInputException("--limit-chars must be at least 2, got " + limitChars);
      }
      c = c.limit(limitChars);
    }
    corpusHead = c.text().substring(0, c.text().offsetByCodePoints(0, Math.min(20, c.length())));
    return c;
  }

  /** Fails before training, not after it, on sample options that could never work. */
  private void checkSampleOptions() {
    if (sampleLength < 0) {
      throw new UserInputException("--sample-length must be >= 0 (0 = no sample), got " + sampleLength);
    }
    if (prompt != null && prompt.isEmpty()) {
      throw new UserInputException("--prompt must not be empty; leave it out to start from the corpus");
    }
    Sampler.checkTemperature(temperature);
  }

  /** Ends a char-model run with text from the SavedModel just written, streamed as it is drawn. */
  private void printSample(PrintWriter out, ModelSpec spec, Path savedModel) {
    if (!spec.isCharModel() || sampleLength == 0) {
      return;
    }
    out.printf(Locale.ROOT, "sample (window mode, temperature %s, seed %d):%n", temperature, seed);
    // The tutorials' window loop: every prediction sees seq_len characters from a zero state, exactly
    // as in training. A tiny model that memorised its corpus (hello) is lost when its state runs longer.
    GenerationOptions options = GenerationOptions.of(temperature, seed).withMode(GenerationOptions.Mode.WINDOW)
        .withUnknown(GenerationOptions.UnknownChars.SKIP);
    try (Generator g = Generator.of(CharModels.open(savedModel, null))) {
      g.generate(prompt != null ? prompt : corpusHead, sampleLength, options, text -> {
        out.print(text);
        out.flush();
      });
      out.println();
    } catch (UserInputException e) {
      // The run and its SavedModel are complete; a prompt the model cannot start from costs only the sample.
      cmd.commandLine().getErr().println("rnnlab: sample skipped: " + e.getMessage());
    }
  }
}

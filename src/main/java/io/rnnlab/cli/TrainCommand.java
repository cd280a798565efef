package io.rnnlab.cli;

import io.rnnlab.UserInputException;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.generate.Sampler;
import io.rnnlab.keras.KerasWeightsImport;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.run.TrainRunner;
import io.rnnlab.runtime.Devices;
import io.rnnlab.savedmodel.CharModels;
import io.rnnlab.train.Architecture;
import io.rnnlab.train.Preset;
import io.rnnlab.train.TensorBoardLogger;
import io.rnnlab.train.TrainSetup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rnnlab train}: a preset, overridden by flags, trained into a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Train a SimpleRNN, LSTM or GRU model (Keras-identical graph) and export it.",
        "Starts from a --preset (or the Keras model of --init-from); every flag overrides it."})
final class TrainCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Option(names = "--preset", description = "sum-rnn, sum-lstm, hello-rnn, hello-lstm, shakespeare-lstm256, shakespeare-2x512 (default: ${DEFAULT-VALUE})", defaultValue = "shakespeare-lstm256")
  String preset;

  @Mixin DataOptions data;
  @Mixin ArchitectureOptions architecture;
  @Mixin BudgetOptions budget;
  @Mixin TrainOptions training;

  @Option(names = "--init-from", paramLabel = "MODEL.keras|WEIGHTS.h5",
      description = "start from a Keras model (.keras: its layers and weights, flags may change what does not shape the weights) or from weights for the model the flags describe (Keras 3 .weights.h5, Keras 2 .h5)")
  Path initFrom;
  @Option(names = "--resume", description = "continue from the newest valid checkpoint in --out") boolean resume;
  @Option(names = "--out", paramLabel = "DIR", description = "run directory (default runs/<preset>-<time>)") Path out;

  @Mixin DeviceOptions device;

  @Option(names = "--sample-length", defaultValue = "300", paramLabel = "N", description = "char models: characters generated from the trained model at the end (0 = none)") int sampleLength;
  @Option(names = "--prompt", paramLabel = "TEXT", description = "start of that sample (default: the corpus's first 20 characters)") String prompt;
  @Option(names = "--temperature", defaultValue = "0.8", description = "temperature of that sample (default: ${DEFAULT-VALUE})") double temperature;

  @Override
  public Integer call() throws Exception {
    PrintWriter stdout = cmd.commandLine().getOut();
    checkSampleOptions();
    Preset p = withFlags(Preset.named(preset));
    Devices.Report devices = device.select();
    stdout.println(devices.describe());
    TrainSetup.Prepared prep = TrainSetup.prepare(p, data.source().forPreset(p.data().corpus(), null, stdout::println));
    RunDirectory dir = out != null ? RunDirectory.at(out) : RunDirectory.fresh(p.name());
    TrainRunner.Finished finished = TrainRunner.run(new TrainRunner.Request(prep, dir, resume, initFrom,
        devices.options(), TensorBoardLogger.DEFAULT_STEP_EVERY), stdout, cmd.commandLine().getErr());
    if (finished.status() == TrainRunner.Status.COMPLETED) {
      printSample(stdout, prep, finished.savedModel());
    }
    return Main.exitCode(finished.status());
  }

  /**
   * The preset with every flag given replacing its field. With {@code --init-from} a Keras model,
   * the model the flags leave unsaid is that model's, not the preset's: its layers and their
   * cells, its Dropout layers where they are, its cells' own dropout, its window (when fixed) and
   * loss position. Flags that change its weights' shapes are refused when the weights load.
   */
  private Preset withFlags(Preset p) {
    ModelSpec keras = initFrom == null ? null : KerasWeightsImport.model(initFrom, p.architecture().seqLen());
    Architecture model = keras == null ? p.architecture() : Architecture.of(keras);
    return p.withData(data.applyTo(p.data()))
        .withArchitecture(architecture.applyTo(model))
        .withTrain(training.applyTo(budget.applyTo(p.train())));
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
  private void printSample(PrintWriter out, TrainSetup.Prepared prep, Path savedModel) {
    if (!prep.spec().isCharModel() || sampleLength == 0) {
      return;
    }
    long seed = prep.config().seed();
    out.printf(Locale.ROOT, "sample (window mode, temperature %s, seed %d):%n", temperature, seed);
    // The tutorials' window loop: every prediction sees seq_len characters from a zero state, exactly
    // as in training. A tiny model that memorised its corpus (hello) is lost when its state runs longer.
    GenerationOptions options = GenerationOptions.of(temperature, seed).withMode(GenerationOptions.Mode.WINDOW)
        .withUnknown(GenerationOptions.UnknownChars.SKIP);
    try (Generator g = Generator.of(CharModels.open(savedModel, null))) {
      g.generate(prompt != null ? prompt : prep.corpusHead(), sampleLength, options, text -> {
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

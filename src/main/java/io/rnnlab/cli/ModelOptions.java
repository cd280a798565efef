package io.rnnlab.cli;

import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.runtime.Devices;
import io.rnnlab.savedmodel.CharModels;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What {@code generate} and {@code predict} share: the model, how it is run, its vocabulary. */
final class ModelOptions {
  @Option(names = "--model", required = true, paramLabel = "PATH",
      description = "run directory, rnnlab SavedModel, Keras SavedModel directory or .keras file")
  Path model;

  @Option(names = "--mode", defaultValue = "auto",
      description = "stateful (one step per character), window (seq_len chars per character) or auto (default)")
  String mode;

  @Option(names = "--vocab", paramLabel = "FILE", description = "vocabulary JSON replacing the model's own")
  Path vocab;

  @Option(names = "--unknown", defaultValue = "error",
      description = "prompt characters outside the vocabulary: error (default) or skip")
  String unknown;

  GenerationOptions.Mode mode() {
    return GenerationOptions.Mode.parse(mode);
  }

  GenerationOptions.UnknownChars unknown() {
    return GenerationOptions.UnknownChars.parse(unknown);
  }

  /** The model, run where {@code devices} says ({@code auto}: the CPU); a GPU run names its GPU on stderr. */
  Generator open(DeviceOptions devices, java.io.PrintWriter err) {
    Devices.Report device = devices.forInference();
    if (device.gpu()) {
      err.println(device.describe("running"));
      err.flush();
    }
    return Generator.of(CharModels.open(RunDirectory.model(model), vocab, device.options()));
  }
}

package io.rnnlab.cli;

import io.rnnlab.runtime.Devices;
import picocli.CommandLine.Option;

/** Where TF runs: what {@code train}, {@code experiment}, {@code generate} and {@code predict} share. */
final class DeviceOptions {
  @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|gpu",
      description = "where TF runs: auto (train: the GPU if usable; generate, predict: the CPU), cpu or gpu "
          + "(a one-line error naming what is missing if there is no usable GPU)")
  String device;

  @Option(names = "--threads", defaultValue = "0", paramLabel = "N", description = "TF intra-op threads (0 = all cores)")
  int threads;

  @Option(names = "--xla", description = "training: let TF compile the training step with XLA (its JIT); "
      + "on a GPU it fuses the small ops around the recurrences, or the unrolled steps with --recurrence unrolled "
      + "(docs/BENCHMARKS.md, GPU); off by default")
  boolean xla;

  @Option(names = "--recurrence", defaultValue = "cudnn", paramLabel = "cudnn|unrolled",
      description = "training on a GPU: each recurrent layer as one cuDNN kernel (cudnn) or unrolled step by "
          + "step, which with --xla is faster for small layers (docs/BENCHMARKS.md, GPU); a CPU always unrolls")
  String recurrence;

  /** For training: {@code auto} takes a usable GPU. */
  Devices.Report select() {
    boolean cudnn = switch (recurrence) {
      case "cudnn" -> true;
      case "unrolled" -> false;
      default -> throw new io.rnnlab.UserInputException(
          "--recurrence must be cudnn or unrolled, got '" + recurrence + "'");
    };
    Devices.Report r = Devices.select(Devices.Choice.parse(device), threads);
    return r.withOptions(r.options().withXla(xla).withCudnn(cudnn));
  }

  /** For generation and prediction: {@code auto} stays on the CPU ({@link Devices#selectForInference}). */
  Devices.Report forInference() {
    if (xla) {
      throw new io.rnnlab.UserInputException("--xla is for training: generation runs one character per call, "
          + "which XLA's compiled graphs make slower (docs/BENCHMARKS.md)");
    }
    if (!recurrence.equals("cudnn")) {
      throw new io.rnnlab.UserInputException("--recurrence is for training: generation and prediction "
          + "run their layers one step at a time");
    }
    return Devices.selectForInference(Devices.Choice.parse(device), threads);
  }
}

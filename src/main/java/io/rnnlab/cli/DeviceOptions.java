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

  /** For training: {@code auto} takes a usable GPU. */
  Devices.Report select() {
    return Devices.select(Devices.Choice.parse(device), threads);
  }

  /** For generation and prediction: {@code auto} stays on the CPU ({@link Devices#selectForInference}). */
  Devices.Report forInference() {
    return Devices.selectForInference(Devices.Choice.parse(device), threads);
  }
}

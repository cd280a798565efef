package io.rnnlab.cli;

import io.rnnlab.runtime.Devices;
import picocli.CommandLine.Option;

/** Where commands that train run: {@code train} and {@code experiment}. */
final class DeviceOptions {
  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu") String device;
  @Option(names = "--threads", defaultValue = "0", description = "TF intra-op threads (0 = all cores)") int threads;

  Devices.Report select() {
    return Devices.select(Devices.Choice.parse(device), threads);
  }
}

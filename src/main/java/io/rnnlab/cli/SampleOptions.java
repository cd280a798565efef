package io.rnnlab.cli;

import io.rnnlab.compare.SampleRequest;
import io.rnnlab.generate.GenerationOptions.Mode;
import picocli.CommandLine.Option;

/**
 * How a report samples every run, shared by {@code compare} and {@code experiment}; the prompt
 * and the seed are each command's own (their defaults differ).
 */
final class SampleOptions {
  @Option(names = "--temperature", defaultValue = "0.5", description = "sample temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
  double temperature;

  @Option(names = "--length", defaultValue = "200", description = "characters per sample, 0 = no samples (default: ${DEFAULT-VALUE})")
  int length;

  @Option(names = "--mode", description = "sample mode: stateful, window or auto (default: window for models trained with the loss on the last step, else auto)")
  String mode;

  SampleRequest request(String prompt, long seed) {
    return new SampleRequest(prompt, temperature, seed, length, mode == null ? null : Mode.parse(mode));
  }
}

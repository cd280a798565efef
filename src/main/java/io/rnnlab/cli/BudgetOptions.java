package io.rnnlab.cli;

import io.rnnlab.train.TrainConfig;
import picocli.CommandLine.Option;

/** What makes runs comparable, shared by {@code train} and {@code experiment}: the seed and the budget. */
final class BudgetOptions {
  @Option(names = "--epochs", description = "epochs per run (default: the preset's)")
  Integer epochs;

  @Option(names = "--max-steps", defaultValue = "0", description = "stop after N optimizer steps (0 = no limit)")
  long maxSteps;

  @Option(names = "--seed", defaultValue = "42", description = "seeds weights, batch order and dropout (default: ${DEFAULT-VALUE})")
  long seed;

  TrainConfig applyTo(TrainConfig t) {
    t = epochs == null ? t : t.withEpochs(epochs);
    return t.withMaxSteps(maxSteps).withSeed(seed);
  }
}

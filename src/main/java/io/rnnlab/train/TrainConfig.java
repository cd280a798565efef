package io.rnnlab.train;

import io.rnnlab.UserInputException;

/**
 * How to train, as plain data (the model itself is a {@link io.rnnlab.model.ModelSpec}).
 *
 * @param maxSteps stop after this many optimizer steps in total (0 = no limit)
 * @param checkpointEvery also checkpoint every N steps inside an epoch (0 = at epoch ends only)
 * @param validationBatches evaluate at most this many validation batches per epoch (0 = all)
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    AdamConfig adam,
    long seed,
    long maxSteps,
    int checkpointEvery,
    int keepCheckpoints,
    int validationBatches) {

  public TrainConfig {
    if (epochs < 1 || epochs > 1_000_000) {
      throw new UserInputException("--epochs must be at least 1, got " + epochs);
    }
    if (batchSize < 1 || batchSize > 1 << 16) {
      throw new UserInputException("--batch-size must be in [1, 65536], got " + batchSize);
    }
    if (maxSteps < 0) {
      throw new UserInputException("--max-steps must be >= 0, got " + maxSteps);
    }
    if (checkpointEvery < 0) {
      throw new UserInputException("--checkpoint-every must be >= 0, got " + checkpointEvery);
    }
    if (keepCheckpoints < 1) {
      throw new UserInputException("--keep-checkpoints must be at least 1, got " + keepCheckpoints);
    }
    if (validationBatches < 0) {
      throw new UserInputException("--val-batches must be >= 0, got " + validationBatches);
    }
  }
}

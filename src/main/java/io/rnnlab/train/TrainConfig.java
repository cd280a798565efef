package io.rnnlab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.InvalidSetting;
import io.rnnlab.Json;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * How to train, as plain data (the model itself is a {@link io.rnnlab.model.ModelSpec}): a
 * {@link Preset}'s training part, written to a run's {@code train.json}. Out-of-range values are
 * {@link InvalidSetting}s naming the field.
 *
 * @param maxSteps stop after this many optimizer steps in total (0 = no limit)
 * @param checkpointEvery also checkpoint every N steps inside an epoch (0 = at epoch ends only)
 * @param checkpointEveryMinutes also checkpoint inside an epoch once this many minutes of training
 *     have passed since the last checkpoint (0 = off): a long epoch loses at most that much
 * @param validationBatches evaluate at most this many validation batches per epoch (0 = all)
 */
public record TrainConfig(
    int epochs,
    int batchSize,
    AdamConfig adam,
    long seed,
    long maxSteps,
    int checkpointEvery,
    double checkpointEveryMinutes,
    int keepCheckpoints,
    int validationBatches) {

  /**
   * Keras's {@code fit} defaults where it has one (one epoch, batch 32, {@code Adam()}), else
   * rnnlab's: seed 42, no step limit, checkpoints at epoch ends and after every 10 minutes of
   * training (one Tiny Shakespeare epoch takes hours on a small CPU), the last 3 kept, every
   * validation batch.
   */
  public static final TrainConfig DEFAULTS = new TrainConfig(1, 32, AdamConfig.KERAS_DEFAULTS, 42, 0, 0, 10, 3, 0);

  public TrainConfig {
    if (epochs < 1 || epochs > 1_000_000) {
      throw new InvalidSetting("epochs", "must be in [1, 1000000], got " + epochs);
    }
    if (batchSize < 1 || batchSize > 1 << 16) {
      throw new InvalidSetting("batchSize", "must be in [1, 65536], got " + batchSize);
    }
    if (maxSteps < 0) {
      throw new InvalidSetting("maxSteps", "must be >= 0, got " + maxSteps);
    }
    if (checkpointEvery < 0) {
      throw new InvalidSetting("checkpointEvery", "must be >= 0, got " + checkpointEvery);
    }
    if (!(checkpointEveryMinutes >= 0 && checkpointEveryMinutes <= 1_000_000)) {
      throw new InvalidSetting("checkpointEveryMinutes", "must be in [0, 1000000] (0 = off), got "
          + checkpointEveryMinutes);
    }
    if (keepCheckpoints < 1) {
      throw new InvalidSetting("keepCheckpoints", "must be at least 1, got " + keepCheckpoints);
    }
    if (validationBatches < 0) {
      throw new InvalidSetting("validationBatches", "must be >= 0, got " + validationBatches);
    }
  }

  public TrainConfig withEpochs(int n) {
    return new TrainConfig(n, batchSize, adam, seed, maxSteps, checkpointEvery, checkpointEveryMinutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withBatchSize(int n) {
    return new TrainConfig(epochs, n, adam, seed, maxSteps, checkpointEvery, checkpointEveryMinutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withAdam(AdamConfig a) {
    return new TrainConfig(epochs, batchSize, a, seed, maxSteps, checkpointEvery, checkpointEveryMinutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withSeed(long s) {
    return new TrainConfig(epochs, batchSize, adam, s, maxSteps, checkpointEvery, checkpointEveryMinutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withMaxSteps(long n) {
    return new TrainConfig(epochs, batchSize, adam, seed, n, checkpointEvery, checkpointEveryMinutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withCheckpointEvery(int n) {
    return new TrainConfig(epochs, batchSize, adam, seed, maxSteps, n, checkpointEveryMinutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withCheckpointEveryMinutes(double minutes) {
    return new TrainConfig(epochs, batchSize, adam, seed, maxSteps, checkpointEvery, minutes, keepCheckpoints, validationBatches);
  }

  public TrainConfig withKeepCheckpoints(int n) {
    return new TrainConfig(epochs, batchSize, adam, seed, maxSteps, checkpointEvery, checkpointEveryMinutes, n, validationBatches);
  }

  public TrainConfig withValidationBatches(int n) {
    return new TrainConfig(epochs, batchSize, adam, seed, maxSteps, checkpointEvery, checkpointEveryMinutes, keepCheckpoints, n);
  }

  private static final ObjectMapper JSON = Json.RECORDS;

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads what {@link #toJson} wrote; a damaged file is a one-line error naming it. */
  public static TrainConfig read(Path file) {
    io.rnnlab.InputFiles.requireRegular(file, io.rnnlab.InputFiles.MIB, "training config " + file);
    try {
      return JSON.readValue(file.toFile(), TrainConfig.class);
    } catch (UserInputException e) {
      throw new UserInputException(file + ": " + e.getMessage());
    } catch (IOException e) {
      Throwable cause = e.getCause() instanceof UserInputException u ? u : e;
      throw new UserInputException("cannot read " + file + " ("
          + (cause.getMessage() == null ? cause.getClass().getSimpleName() : Messages.firstLine(cause.getMessage())) + ")");
    }
  }
}

package io.rnnlab.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.Json;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.file.Path;

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
      throw new UserInputException("--epochs must be in [1, 1000000], got " + epochs);
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

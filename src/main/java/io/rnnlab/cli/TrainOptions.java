package io.rnnlab.cli;

import io.rnnlab.train.TrainConfig;
import picocli.CommandLine.Option;

/**
 * {@code train}'s flags that replace a preset's training settings ({@link TrainConfig}); an absent
 * flag keeps the preset's value. The budget and seed are {@link BudgetOptions}, shared with
 * {@code experiment}.
 */
final class TrainOptions {
  @Option(names = "--batch-size") Integer batchSize;
  @Option(names = "--lr", paramLabel = "<lr>", description = "Adam learning rate") Double learningRate;
  @Option(names = "--clipnorm", paramLabel = "C", description = "clip each weight's gradient to L2 norm C, as Keras's Adam(clipnorm=C) (default: no clipping)") Double clipnorm;
  @Option(names = "--val-batches", paramLabel = "<valBatches>", description = "validation batches per epoch (0 = all)") Integer validationBatches;
  @Option(names = "--checkpoint-every", paramLabel = "N", description = "also checkpoint every N steps") Integer checkpointEvery;
  @Option(names = "--checkpoint-every-minutes", paramLabel = "M", description = "also checkpoint after every M minutes of training (default: 10; 0 = off)") Double checkpointEveryMinutes;
  @Option(names = "--keep-checkpoints", description = "checkpoints kept (default: 3)") Integer keepCheckpoints;

  TrainConfig applyTo(TrainConfig t) {
    t = batchSize == null ? t : t.withBatchSize(batchSize);
    t = learningRate == null ? t : t.withAdam(t.adam().withLearningRate(learningRate));
    t = clipnorm == null ? t : t.withAdam(t.adam().withClipnorm(clipnorm));
    t = validationBatches == null ? t : t.withValidationBatches(validationBatches);
    t = checkpointEvery == null ? t : t.withCheckpointEvery(checkpointEvery);
    t = checkpointEveryMinutes == null ? t : t.withCheckpointEveryMinutes(checkpointEveryMinutes);
    return keepCheckpoints == null ? t : t.withKeepCheckpoints(keepCheckpoints);
  }
}

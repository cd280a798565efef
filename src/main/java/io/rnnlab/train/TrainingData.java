package io.rnnlab.train;

/**
 * The examples a {@link Trainer} iterates: char windows over a corpus or the sequence-sum toy.
 * Implementations fill a caller-owned {@link Batch} and allocate nothing per batch.
 */
public interface TrainingData {
  int trainBatches(int batchSize);

  int validationBatches(int batchSize);

  /** Fills batch {@code index} of {@code epoch}'s seeded order into a batch from {@link #newBatch}. */
  Batch trainBatch(long seed, int epoch, int index, Batch into);

  Batch validationBatch(int index, Batch into);

  Batch newBatch(int batchSize);

  /** Characters (time steps) one example feeds the model, for the chars/s figure. */
  int stepsPerExample();
}

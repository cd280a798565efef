package io.rnnlab.train;

import io.rnnlab.data.SumTask;

/** The sequence-sum toy (train / test split) as batches for the trainer. */
public final class SumTaskData implements TrainingData {
  private final SumTask train;
  private final SumTask test;
  private int orderEpoch = -1;
  private long orderSeed;
  private int[] order;

  public SumTaskData(SumTask.Split split) {
    this.train = split.train();
    this.test = split.test();
  }

  @Override
  public int trainBatches(int batchSize) {
    return train.batchCount(batchSize, false);
  }

  @Override
  public int validationBatches(int batchSize) {
    return test.samples() == 0 ? 0 : test.batchCount(batchSize, false);
  }

  @Override
  public Batch trainBatch(long seed, int epoch, int index, Batch into) {
    if (epoch != orderEpoch || seed != orderSeed) {
      order = train.order(seed, epoch);
      orderEpoch = epoch;
      orderSeed = seed;
    }
    int rows = train.fill(order, index, into.values().length, into.features(), into.values());
    return Batch.regression(rows, into.features(), into.values());
  }

  @Override
  public Batch validationBatch(int index, Batch into) {
    int rows = test.fill(null, index, into.values().length, into.features(), into.values());
    return Batch.regression(rows, into.features(), into.values());
  }

  @Override
  public Batch newBatch(int batchSize) {
    return Batch.regression(batchSize, new float[batchSize * train.seqLen()], new float[batchSize]);
  }

  @Override
  public int stepsPerExample() {
    return train.seqLen();
  }
}

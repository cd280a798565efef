package io.rnnlab.train;

import io.rnnlab.data.Batcher;
import io.rnnlab.data.Windows;
import io.rnnlab.model.LossOn;

/** Char windows (train and validation views over one id array) as batches for the trainer. */
public final class CharWindowData implements TrainingData {
  private final Windows train;
  private final Windows validation;
  private final LossOn lossOn;
  private final int batchSize;
  private final Batcher trainBatcher;
  private final Batcher validationBatcher;
  private int orderEpoch = -1;
  private long orderSeed;
  private int[] order;

  public CharWindowData(Windows.Split split, LossOn lossOn, int batchSize) {
    this.train = split.train();
    this.validation = split.validation();
    this.lossOn = lossOn;
    this.batchSize = batchSize;
    this.trainBatcher = new Batcher(train, batchSize);
    this.validationBatcher = validation.size() == 0 ? null : new Batcher(validation, batchSize);
  }

  @Override
  public int trainBatches(int size) {
    return trainBatcher.batchCount(false);
  }

  @Override
  public int validationBatches(int size) {
    return validationBatcher == null ? 0 : validationBatcher.batchCount(false);
  }

  @Override
  public Batch trainBatch(long seed, int epoch, int index, Batch into) {
    if (epoch != orderEpoch || seed != orderSeed) {
      order = train.order(seed, epoch); // once per epoch: a permutation of up to ~1M windows
      orderEpoch = epoch;
      orderSeed = seed;
    }
    return fill(trainBatcher, order, index, into);
  }

  @Override
  public Batch validationBatch(int index, Batch into) {
    return fill(validationBatcher, null, index, into);
  }

  private Batch fill(Batcher batcher, int[] order, int index, Batch into) {
    boolean last = lossOn == LossOn.LAST;
    int rows = batcher.fill(order, index, into.ids(), last ? into.targets() : null, last ? null : into.targets());
    return Batch.chars(rows, into.ids(), into.targets());
  }

  @Override
  public Batch newBatch(int size) {
    int seq = train.seqLen();
    return Batch.chars(size, new int[size * seq], new int[lossOn == LossOn.LAST ? size : size * seq]);
  }

  @Override
  public int stepsPerExample() {
    return train.seqLen();
  }

  public int trainWindows() {
    return train.size();
  }

  public int validationWindows() {
    return validation.size();
  }

  int batchSize() {
    return batchSize;
  }
}

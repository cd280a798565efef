package io.rnnlab.train;

/** What a training run reports while it goes; the CLI renders it (progress bar, logs, TensorBoard). */
public interface TrainListener {
  /**
   * Where this run starts and stops: the global step it starts from and the one it will end at
   * (the end of the last epoch, or {@code --max-steps} if that comes first).
   */
  record RunPlan(long firstStep, long endStep) {
    public long steps() {
      return endStep - firstStep;
    }
  }

  default void onRunStart(RunPlan plan) {}

  default void onEpochStart(int epoch, int epochs, int batches) {}

  /** After every step: the epoch's running means so far and the current throughput. */
  default void onStep(int epoch, int batch, int batches, long globalStep, double loss, double accuracy,
      double charsPerSecond) {}

  default void onEpochEnd(EpochResult result) {}

  default void onCheckpoint(java.nio.file.Path checkpoint) {}

  default void message(String line) {}

  /** Fan-out to several listeners. */
  static TrainListener all(TrainListener... listeners) {
    return new TrainListener() {
      @Override
      public void onRunStart(RunPlan plan) {
        for (TrainListener l : listeners) l.onRunStart(plan);
      }

      @Override
      public void onEpochStart(int epoch, int epochs, int batches) {
        for (TrainListener l : listeners) l.onEpochStart(epoch, epochs, batches);
      }

      @Override
      public void onStep(int epoch, int batch, int batches, long step, double loss, double acc, double cps) {
        for (TrainListener l : listeners) l.onStep(epoch, batch, batches, step, loss, acc, cps);
      }

      @Override
      public void onEpochEnd(EpochResult result) {
        for (TrainListener l : listeners) l.onEpochEnd(result);
      }

      @Override
      public void onCheckpoint(java.nio.file.Path checkpoint) {
        for (TrainListener l : listeners) l.onCheckpoint(checkpoint);
      }

      @Override
      public void message(String line) {
        for (TrainListener l : listeners) l.message(line);
      }
    };
  }
}

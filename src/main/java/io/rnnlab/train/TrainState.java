package io.rnnlab.train;

import java.util.List;

/**
 * Where a run stands between two steps: enough, with the tensors, to continue as if never
 * stopped. Batch order and dropout masks derive from (seed, epoch) and (seed, global step), so no
 * RNG state needs saving; the running sums let a resumed epoch report the same metrics.
 */
public record TrainState(
    int epoch,
    int nextBatch,
    long globalStep,
    double lossSum,
    double accuracySum,
    long rows,
    double elapsedSeconds,
    List<EpochResult> history) {

  public static TrainState start() {
    return new TrainState(0, 0, 0, 0, 0, 0, 0, List.of());
  }
}

package io.rnnlab.data;

import io.rnnlab.UserInputException;
import java.util.Objects;

/**
 * Copies the ids of one batch of windows into arrays the caller allocated once, so the training
 * loop allocates nothing per step (the trainer wraps the arrays into tensors).
 */
public final class Batcher {
  private final Windows windows;
  private final int batchSize;

  public Batcher(Windows windows, int batchSize) {
    this.windows = Objects.requireNonNull(windows, "windows");
    if (batchSize < 1) {
      throw new UserInputException("batch size must be at least 1 (got " + batchSize + ")");
    }
    this.batchSize = batchSize;
  }

  public Windows windows() {
    return windows;
  }

  public int batchSize() {
    return batchSize;
  }

  /** Batches per epoch; with {@code dropRemainder} a final short batch is not counted. */
  public int batchCount(boolean dropRemainder) {
    int size = windows.size();
    return dropRemainder ? size / batchSize : (size + batchSize - 1) / batchSize;
  }

  /**
   * Fills batch {@code batchIndex}: row r is window {@code order[batchIndex*batchSize + r]}.
   *
   * @param order a permutation of the window indices (from {@link Windows#order}), or null for
   *     0..size-1 in order (evaluation)
   * @param inputs [batchSize * seqLen], row-major input ids
   * @param lastTargets [batchSize], the id following each window (many-to-one); may be null
   * @param allTargets [batchSize * seqLen], the inputs shifted by one (many-to-many); may be null
   * @return rows filled: batchSize, or fewer for the last batch; rows past it keep old values
   */
  public int fill(int[] order, int batchIndex, int[] inputs, int[] lastTargets, int[] allTargets) {
    int size = windows.size();
    int seqLen = windows.seqLen();
    if (order != null && order.length != size) {
      throw new IllegalArgumentException(
          "order has " + order.length + " entries for " + size + " windows");
    }
    Objects.checkIndex(batchIndex, batchCount(false));
    checkLength("inputs", inputs, batchSize * seqLen);
    if (lastTargets != null) {
      checkLength("lastTargets", lastTargets, batchSize);
    }
    if (allTargets != null) {
      checkLength("allTargets", allTargets, batchSize * seqLen);
    }
    int[] ids = windows.ids();
    int firstRow = batchIndex * batchSize;
    int rows = Math.min(batchSize, size - firstRow);
    for (int r = 0; r < rows; r++) {
      int window = order == null ? firstRow + r : order[firstRow + r];
      int s = windows.start(window);
      System.arraycopy(ids, s, inputs, r * seqLen, seqLen);
      if (lastTargets != null) {
        lastTargets[r] = ids[s + seqLen];
      }
      if (allTargets != null) {
        System.arraycopy(ids, s + 1, allTargets, r * seqLen, seqLen);
      }
    }
    return rows;
  }

  private static void checkLength(String name, int[] array, int needed) {
    Objects.requireNonNull(array, name);
    if (array.length < needed) {
      throw new IllegalArgumentException(
          name + " has length " + array.length + ", needs at least " + needed);
    }
  }
}

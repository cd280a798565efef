package io.rnnlab.data;

import io.rnnlab.UserInputException;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The sequence-sum toy regression: each sample is {@code seqLen} numbers uniform in [0, 1) and its
 * target is their sum (the tutorial uses 1000 samples of 10, first 800 to train, last 200 to test).
 * Arrays are flat and row-major, ready to wrap as [samples, seqLen, 1] and [samples, 1] tensors.
 */
public final class SumTask {
  /** The name a preset gives this data ({@code train.DataConfig#corpus}). */
  public static final String NAME = "sum";

  private final float[] inputs; // [samples * seqLen]
  private final float[] targets; // [samples]
  private final int samples;
  private final int seqLen;

  /** A train/test split of the samples, in their generated order. */
  public record Split(SumTask train, SumTask test) {}

  private SumTask(float[] inputs, float[] targets, int seqLen) {
    this.inputs = inputs;
    this.targets = targets;
    this.samples = targets.length;
    this.seqLen = seqLen;
  }

  /** Deterministic by {@code seed}: the same arguments give the same numbers on any JVM. */
  public static SumTask generate(int samples, int seqLen, long seed) {
    if (samples < 1) {
      throw new UserInputException("samples must be at least 1 (got " + samples + ")");
    }
    if (seqLen < 1) {
      throw new UserInputException("seq_len must be at least 1 (got " + seqLen + ")");
    }
    if ((long) samples * seqLen > Integer.MAX_VALUE - 8) {
      throw new UserInputException(
          "samples * seq_len = " + (long) samples * seqLen + " is too large; use fewer samples");
    }
    SplittableRandom random = new SplittableRandom(seed);
    float[] inputs = new float[samples * seqLen];
    float[] targets = new float[samples];
    for (int n = 0; n < samples; n++) {
      double sum = 0;
      for (int t = 0; t < seqLen; t++) {
        // 24 random bits scaled exactly: (float) nextDouble() could round up to 1.0f.
        float x = (random.nextInt() >>> 8) * 0x1.0p-24f;
        inputs[n * seqLen + t] = x;
        sum += x;
      }
      targets[n] = (float) sum;
    }
    return new SumTask(inputs, targets, seqLen);
  }

  /**
   * The first samples train, the last {@code round(testFraction * samples)} test, as the tutorial's
   * {@code X[:800], X[800:]}. Fraction 0 gives an empty test set.
   */
  public Split split(double testFraction) {
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new UserInputException(
          "test fraction must be in [0, 1) (got " + testFraction + "), e.g. 0.2");
    }
    int testCount = (int) Math.round(testFraction * samples);
    int trainCount = samples - testCount;
    if (trainCount == 0 || (testFraction > 0 && testCount == 0)) {
      throw new UserInputException(
          "test fraction " + testFraction + " of " + samples
              + " samples leaves an empty train or test set; use more samples");
    }
    return new Split(rows(0, trainCount), rows(trainCount, samples));
  }

  public int samples() {
    return samples;
  }

  public int seqLen() {
    return seqLen;
  }

  /** A copy of the inputs, [samples * seqLen] row-major. */
  public float[] inputs() {
    return inputs.clone();
  }

  /** A copy of the targets, [samples]. */
  public float[] targets() {
    return targets.clone();
  }

  public int batchCount(int batchSize, boolean dropRemainder) {
    checkBatchSize(batchSize);
    return dropRemainder ? samples / batchSize : (samples + batchSize - 1) / batchSize;
  }

  /** A seeded permutation of the samples for one epoch, as {@link Windows#order}. */
  public int[] order(long seed, int epoch) {
    return Permutation.forEpoch(samples, seed, epoch);
  }

  /**
   * Fills batch {@code batchIndex} like {@link Batcher#fill}: row r is sample {@code
   * order[batchIndex*batchSize + r]} (order null = in sequence).
   *
   * @param inputs [batchSize * seqLen]
   * @param targets [batchSize]
   * @return rows filled; the last batch may be short, rows past it keep old values
   */
  public int fill(int[] order, int batchIndex, int batchSize, float[] inputs, float[] targets) {
    checkBatchSize(batchSize);
    if (order != null && order.length != samples) {
      throw new IllegalArgumentException(
          "order has " + order.length + " entries for " + samples + " samples");
    }
    Objects.checkIndex(batchIndex, batchCount(batchSize, false));
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(targets, "targets");
    if (inputs.length < batchSize * seqLen || targets.length < batchSize) {
      throw new IllegalArgumentException(
          "batch arrays too small: inputs " + inputs.length + " < " + batchSize * seqLen
              + " or targets " + targets.length + " < " + batchSize);
    }
    int firstRow = batchIndex * batchSize;
    int rows = Math.min(batchSize, samples - firstRow);
    for (int r = 0; r < rows; r++) {
      int sample = order == null ? firstRow + r : order[firstRow + r];
      System.arraycopy(this.inputs, sample * seqLen, inputs, r * seqLen, seqLen);
      targets[r] = this.targets[sample];
    }
    return rows;
  }

  private SumTask rows(int from, int to) {
    return new SumTask(
        Arrays.copyOfRange(inputs, from * seqLen, to * seqLen),
        Arrays.copyOfRange(targets, from, to),
        seqLen);
  }

  private static void checkBatchSize(int batchSize) {
    if (batchSize < 1) {
      throw new UserInputException("batch size must be at least 1 (got " + batchSize + ")");
    }
  }
}

package io.rnnlab.train;

/**
 * One batch as flat row-major arrays sized for a full batch; only the first {@code rows} rows are
 * valid (an epoch's last batch may be short). Char models fill {@code ids} [rows·seq] and
 * {@code targets} ([rows] for loss on the last step, [rows·seq] for all steps); regression models
 * fill {@code features} [rows·seq·F] and {@code values} [rows].
 */
public record Batch(int rows, int[] ids, int[] targets, float[] features, float[] values) {
  public static Batch chars(int rows, int[] ids, int[] targets) {
    return new Batch(rows, ids, targets, null, null);
  }

  public static Batch regression(int rows, float[] features, float[] values) {
    return new Batch(rows, null, null, features, values);
  }
}

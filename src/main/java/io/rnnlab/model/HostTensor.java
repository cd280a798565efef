package io.rnnlab.model;

import java.util.Arrays;

/** A float32 array with a shape, living in Java memory (weights, checkpoints, Keras files). */
public record HostTensor(int[] shape, float[] data) {

  public HostTensor {
    long n = 1;
    for (int d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n *= d;
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + n + " values, got " + data.length);
    }
  }

  public static HostTensor zeros(int... shape) {
    return new HostTensor(shape, new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)]);
  }

  public long[] longShape() {
    return Arrays.stream(shape).asLongStream().toArray();
  }

  /** Row {@code r} of a rank-2 tensor, as a copy. */
  public float[] row(int r) {
    int cols = shape[1];
    return Arrays.copyOfRange(data, r * cols, (r + 1) * cols);
  }

  public HostTensor copy() {
    return new HostTensor(shape.clone(), data.clone());
  }

  /** Largest absolute element-wise difference; shapes must match. */
  public double maxAbsDiff(HostTensor other) {
    if (!Arrays.equals(shape, other.shape)) {
      throw new IllegalArgumentException(
          "shapes differ: " + Arrays.toString(shape) + " vs " + Arrays.toString(other.shape));
    }
    double m = 0;
    for (int i = 0; i < data.length; i++) {
      m = Math.max(m, Math.abs((double) data[i] - other.data[i]));
    }
    return m;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "HostTensor" + Arrays.toString(shape);
  }
}

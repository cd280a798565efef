package io.rnnlab.model;

import java.util.Arrays;

/**
 * One trainable weight: its stable name ({@code lstm_1/recurrent_kernel}), Keras's shape and how
 * Keras initialises it. Names are Keras's layer and weight names, so every exporter maps from them.
 */
public record WeightSpec(String layer, String weight, int[] shape, Init init) {

  /** Keras's default initialisers for the layers rnnlab builds. */
  public enum Init {
    GLOROT_UNIFORM,
    ORTHOGONAL,
    ZEROS,
    /** LSTM bias: zeros with the forget-gate block set to 1 (Keras {@code unit_forget_bias}). */
    LSTM_BIAS,
    /** Keras Embedding's default: uniform(-0.05, 0.05). */
    UNIFORM_005
  }

  public String name() {
    return layer + "/" + weight;
  }

  public int size() {
    return Arrays.stream(shape).reduce(1, Math::multiplyExact);
  }

  public long[] longShape() {
    return Arrays.stream(shape).asLongStream().toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightSpec w
        && layer.equals(w.layer)
        && weight.equals(w.weight)
        && Arrays.equals(shape, w.shape)
        && init == w.init;
  }

  @Override
  public int hashCode() {
    return name().hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name() + Arrays.toString(shape);
  }
}

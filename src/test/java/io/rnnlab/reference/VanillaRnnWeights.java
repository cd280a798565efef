package io.rnnlab.reference;

import java.util.SplittableRandom;

/**
 * Weights of a one-layer tanh RNN with a softmax head, stored exactly as Keras stores them so that
 * the arrays can be fed to rnnlab's SimpleRNN + Dense graph (or a Keras model) without transposing.
 *
 * <p>Keras {@code get_weights()} order is {@code [kernel, recurrent_kernel, bias]} for SimpleRNN and
 * {@code [kernel, bias]} for Dense; the components follow that order. Accessors return the live
 * arrays, not copies, so converters pay nothing and tests can perturb single entries in place.
 *
 * @param kernel          [inputDim][units]; row {@code i} is what a one-hot input {@code i} adds
 * @param recurrentKernel [units][units]; {@code h_{t-1} · recurrentKernel}, row-vector convention
 * @param bias            [units]
 * @param denseKernel     [units][vocab]
 * @param denseBias       [vocab]
 */
public record VanillaRnnWeights(
    double[][] kernel,
    double[][] recurrentKernel,
    double[] bias,
    double[][] denseKernel,
    double[] denseBias) {

  public VanillaRnnWeights {
    int inputDim = rows(kernel, "kernel");
    int units = columns(kernel, "kernel");
    requireShape(kernel, inputDim, units, "kernel");
    requireShape(recurrentKernel, units, units, "recurrentKernel");
    requireLength(bias, units, "bias");
    int vocab = columns(denseKernel, "denseKernel");
    requireShape(denseKernel, units, vocab, "denseKernel");
    requireLength(denseBias, vocab, "denseBias");
    if (inputDim == 0 || units == 0 || vocab == 0) {
      throw new IllegalArgumentException(
          "empty dimension: inputDim=" + inputDim + ", units=" + units + ", vocab=" + vocab);
    }
  }

  /**
   * Every entry, biases included, drawn from uniform(-scale, scale) by one {@link SplittableRandom}
   * in component order, each array row-major. Biases are random too because zero biases would hide
   * mistakes in their gradients and in where they enter the sum.
   */
  public static VanillaRnnWeights random(int inputDim, int units, int vocab, double scale, long seed) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    double[][] kernel = uniform(rng, inputDim, units, scale);
    double[][] recurrent = uniform(rng, units, units, scale);
    double[] bias = uniform(rng, 1, units, scale)[0];
    double[][] dense = uniform(rng, units, vocab, scale);
    double[] denseBias = uniform(rng, 1, vocab, scale)[0];
    return new VanillaRnnWeights(kernel, recurrent, bias, dense, denseBias);
  }

  public static VanillaRnnWeights zeros(int inputDim, int units, int vocab) {
    return new VanillaRnnWeights(
        new double[inputDim][units],
        new double[units][units],
        new double[units],
        new double[units][vocab],
        new double[vocab]);
  }

  public int inputDim() {
    return kernel.length;
  }

  public int units() {
    return bias.length;
  }

  public int vocabSize() {
    return denseBias.length;
  }

  /** Deep copy, so a caller can perturb or train one set while keeping another. */
  public VanillaRnnWeights copy() {
    return new VanillaRnnWeights(
        Arrays2.copy(kernel),
        Arrays2.copy(recurrentKernel),
        bias.clone(),
        Arrays2.copy(denseKernel),
        denseBias.clone());
  }

  @Override
  public String toString() {
    return "VanillaRnnWeights[inputDim=" + inputDim() + ", units=" + units() + ", vocab=" + vocabSize()
        + "]";
  }

  private static double[][] uniform(SplittableRandom rng, int rows, int cols, double scale) {
    if (rows < 0 || cols < 0) {
      throw new IllegalArgumentException("negative dimension: " + rows + "x" + cols);
    }
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = rng.nextDouble(-scale, scale);
      }
    }
    return m;
  }

  private static int rows(double[][] m, String name) {
    if (m == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    return m.length;
  }

  private static int columns(double[][] m, String name) {
    if (m == null) {
      throw new IllegalArgumentException(name + " is null");
    }
    if (m.length == 0 || m[0] == null) {
      throw new IllegalArgumentException(name + " has no rows");
    }
    return m[0].length;
  }

  private static void requireShape(double[][] m, int rows, int cols, String name) {
    if (m == null || m.length != rows) {
      throw new IllegalArgumentException(
          name + " must have " + rows + " rows, got " + (m == null ? "null" : m.length));
    }
    for (int i = 0; i < rows; i++) {
      requireLength(m[i], cols, name + "[" + i + "]");
    }
  }

  private static void requireLength(double[] v, int length, String name) {
    if (v == null || v.length != length) {
      throw new IllegalArgumentException(
          name + " must have length " + length + ", got " + (v == null ? "null" : v.length));
    }
  }
}

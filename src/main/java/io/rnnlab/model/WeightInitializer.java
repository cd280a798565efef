package io.rnnlab.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Keras's default initialisers, computed in Java from a seed so a run is reproducible without
 * relying on TF's stateful random ops: glorot_uniform kernels, orthogonal recurrent kernels, zero
 * biases (LSTM forget block = 1, {@code unit_forget_bias}), Embedding uniform(-0.05, 0.05).
 */
public final class WeightInitializer {
  private WeightInitializer() {}

  public static Weights initialize(ModelSpec spec, long seed) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    SplittableRandom root = new SplittableRandom(seed);
    for (WeightSpec w : spec.weights()) {
      // One stream per weight, split in spec order: adding a layer does not reshuffle the others.
      SplittableRandom rng = root.split();
      out.put(w.name(), new HostTensor(w.shape(), values(w, spec.units(), rng)));
    }
    return new Weights(out);
  }

  private static float[] values(WeightSpec w, int units, SplittableRandom rng) {
    int[] s = w.shape();
    return switch (w.init()) {
      case ZEROS -> new float[w.size()];
      case LSTM_BIAS -> {
        float[] b = new float[w.size()];
        java.util.Arrays.fill(b, units, 2 * units, 1f); // gate order i, f, c, o: block 1 is f
        yield b;
      }
      case UNIFORM_005 -> uniform(w.size(), 0.05, rng);
      case GLOROT_UNIFORM -> uniform(w.size(), Math.sqrt(6.0 / (s[0] + s[1])), rng);
      case ORTHOGONAL -> orthogonal(s[0], s[1], rng);
    };
  }

  private static float[] uniform(int n, double limit, SplittableRandom rng) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
    }
    return v;
  }

  /**
   * Keras's Orthogonal(gain=1): QR of a standard normal matrix with the longer side as rows, Q's
   * columns sign-corrected by diag(R), transposed back when rows < cols. Modified Gram-Schmidt in
   * float64 is exact enough here and needs no linear-algebra dependency.
   */
  static float[] orthogonal(int rows, int cols, SplittableRandom rng) {
    boolean transpose = rows < cols;
    int n = transpose ? cols : rows; // long side
    int k = transpose ? rows : cols; // short side: Q has k orthonormal columns of length n
    double[][] q = new double[k][n];
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < n; i++) {
        q[j][i] = rng.nextGaussian();
      }
    }
    for (int j = 0; j < k; j++) {
      for (int p = 0; p < j; p++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += q[p][i] * q[j][i];
        }
        for (int i = 0; i < n; i++) {
          q[j][i] -= dot * q[p][i];
        }
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        norm += q[j][i] * q[j][i];
      }
      norm = Math.sqrt(norm); // = |R[j][j]| > 0; Gram-Schmidt's R has a positive diagonal already
      for (int i = 0; i < n; i++) {
        q[j][i] /= norm;
      }
    }
    float[] out = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        // q[j] is column j of Q (n x k). Not transposed: out[r][c] = Q[r][c]; transposed: Q[c][r].
        out[r * cols + c] = (float) (transpose ? q[r][c] : q[c][r]);
      }
    }
    return out;
  }

}

package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat64;

/**
 * {@link Cell#cudnnParams} on a CPU (cuDNN itself runs only on a GPU: CudnnParityTest). The flat
 * buffer, read the way cuDNN's documentation lays it out and run through cuDNN's own equations,
 * gives the outputs of the Keras cell on the Keras weights; and TF's gradients carry a gradient
 * of the buffer back to exactly the Keras weights each entry came from.
 */
class CudnnParamsTest {
  static final int IN = 3;
  static final int UNITS = 4;
  static final int SEQ = 5;

  @ParameterizedTest
  @EnumSource(CellType.class)
  void cudnnsEquationsOnTheBufferGiveTheKerasCellsOutputs(CellType type) {
    int g = type.gates();
    SplittableRandom rng = new SplittableRandom(3);
    double[] kernel = random(rng, IN * g * UNITS);
    double[] recurrent = random(rng, UNITS * g * UNITS);
    double[] bias = random(rng, g * UNITS);
    double[] params = params(type, kernel, recurrent, bias);
    assertThat(params).hasSize(g * UNITS * (IN + UNITS) + 2 * g * UNITS);

    double[][] x = new double[SEQ][];
    for (int t = 0; t < SEQ; t++) {
      x[t] = random(rng, IN);
    }
    double[] keras = kerasOutputs(type, kernel, recurrent, bias, x);
    double[] cudnn = cudnnOutputs(type, params, x);
    for (int i = 0; i < keras.length; i++) {
      assertThat(cudnn[i]).as("h[%d]", i).isCloseTo(keras[i], org.assertj.core.data.Offset.offset(1e-12));
    }
    assertThat(maxAbs(keras)).as("the outputs are not trivial").isGreaterThan(0.1);
  }

  @ParameterizedTest
  @EnumSource(CellType.class)
  void tfsGradientsMapTheBuffersGradientBackToTheKerasWeights(CellType type) {
    int g = type.gates();
    int width = g * UNITS;
    SplittableRandom rng = new SplittableRandom(5);
    double[] upstream = random(rng, width * (IN + UNITS) + 2 * width);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Operand<TFloat64> k = tf.constant(Shape.of(IN, width), DataBuffers.of(random(rng, IN * width)));
      Operand<TFloat64> r = tf.constant(Shape.of(UNITS, width), DataBuffers.of(random(rng, UNITS * width)));
      Operand<TFloat64> b = tf.constant(Shape.of(width), DataBuffers.of(random(rng, width)));
      Operand<TFloat64> p = Cell.of(type).cudnnParams(tf, k, r, b);
      Gradients grads = tf.gradients(List.of(p), List.of(k, r, b),
          Gradients.dx(List.of(tf.constant(Shape.of(upstream.length), DataBuffers.of(upstream)))));
      try (Session s = new Session(graph)) {
        try (var result = s.runner().fetch(grads.dy(0)).fetch(grads.dy(1)).fetch(grads.dy(2)).run()) {
          double[] dk = Tensors.doubles(result.get(0));
          double[] dr = Tensors.doubles(result.get(1));
          double[] db = Tensors.doubles(result.get(2));
          for (int row = 0; row < IN; row++) {
            for (int col = 0; col < width; col++) {
              // Column col of the kernel is row col of cuDNN's [width, IN] input matrices.
              assertThat(dk[row * width + col]).isEqualTo(upstream[col * IN + row]);
            }
          }
          int recurrentStart = width * IN;
          for (int row = 0; row < UNITS; row++) {
            for (int col = 0; col < width; col++) {
              assertThat(dr[row * width + col]).isEqualTo(upstream[recurrentStart + col * UNITS + row]);
            }
          }
          int recurrentBias = width * (IN + UNITS) + width;
          for (int i = 0; i < width; i++) {
            assertThat(db[i]).isEqualTo(upstream[recurrentBias + i]);
          }
        }
      }
    }
  }

  private static double[] params(CellType type, double[] kernel, double[] recurrent, double[] bias) {
    int width = type.gates() * UNITS;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Operand<TFloat64> p = Cell.of(type).cudnnParams(tf,
          tf.constant(Shape.of(IN, width), DataBuffers.of(kernel)),
          tf.constant(Shape.of(UNITS, width), DataBuffers.of(recurrent)),
          tf.constant(Shape.of(width), DataBuffers.of(bias)));
      try (Session s = new Session(graph); var result = s.runner().fetch(p).run()) {
        return Tensors.doubles(result.get(0));
      }
    }
  }

  /** Keras's cell: z = x·kernel + h·recurrent_kernel + bias, gate blocks in the kernel's columns. */
  private static double[] kerasOutputs(CellType type, double[] kernel, double[] recurrent, double[] bias,
      double[][] x) {
    int width = type.gates() * UNITS;
    double[] h = new double[UNITS];
    double[] c = new double[UNITS];
    double[] out = new double[SEQ * UNITS];
    for (int t = 0; t < SEQ; t++) {
      double[] z = bias.clone();
      for (int col = 0; col < width; col++) {
        for (int j = 0; j < IN; j++) {
          z[col] += x[t][j] * kernel[j * width + col];
        }
        for (int j = 0; j < UNITS; j++) {
          z[col] += h[j] * recurrent[j * width + col];
        }
      }
      step(type, z, h, c);
      System.arraycopy(h, 0, out, t * UNITS, UNITS);
    }
    return out;
  }

  /**
   * cuDNN's equations on its canonical buffer: per gate k an input matrix W_k [units, in], then
   * per gate a recurrent matrix R_k [units, units], then the input biases b_W and the recurrent
   * biases b_R; gate k's pre-activation is W_k·x + R_k·h + b_Wk + b_Rk (LSTM gates i, f, c, o).
   */
  private static double[] cudnnOutputs(CellType type, double[] p, double[][] x) {
    int g = type.gates();
    int wStart = 0;
    int rStart = g * UNITS * IN;
    int bwStart = rStart + g * UNITS * UNITS;
    int brStart = bwStart + g * UNITS;
    double[] h = new double[UNITS];
    double[] c = new double[UNITS];
    double[] out = new double[SEQ * UNITS];
    for (int t = 0; t < SEQ; t++) {
      double[] z = new double[g * UNITS];
      for (int k = 0; k < g; k++) {
        for (int u = 0; u < UNITS; u++) {
          double v = p[bwStart + k * UNITS + u] + p[brStart + k * UNITS + u];
          for (int j = 0; j < IN; j++) {
            v += p[wStart + (k * UNITS + u) * IN + j] * x[t][j];
          }
          for (int j = 0; j < UNITS; j++) {
            v += p[rStart + (k * UNITS + u) * UNITS + j] * h[j];
          }
          z[k * UNITS + u] = v;
        }
      }
      step(type, z, h, c);
      System.arraycopy(h, 0, out, t * UNITS, UNITS);
    }
    return out;
  }

  /** The activations on pre-activations z (gate blocks i, f, c, o for LSTM), updating h and c. */
  private static void step(CellType type, double[] z, double[] h, double[] c) {
    for (int u = 0; u < UNITS; u++) {
      if (type == CellType.SIMPLE_RNN) {
        h[u] = Math.tanh(z[u]);
      } else {
        double i = sigmoid(z[u]);
        double f = sigmoid(z[UNITS + u]);
        double cand = Math.tanh(z[2 * UNITS + u]);
        double o = sigmoid(z[3 * UNITS + u]);
        c[u] = f * c[u] + i * cand;
        h[u] = o * Math.tanh(c[u]);
      }
    }
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  private static double[] random(SplittableRandom rng, int n) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = rng.nextDouble() * 2 - 1;
    }
    return v;
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }
}

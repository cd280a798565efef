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
    double[] bias = random(rng, biasSize(type));
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
      Operand<TFloat64> b = tf.constant(biasShape(type), DataBuffers.of(random(rng, biasSize(type))));
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
              // Column col of the kernel is row col of cuDNN's [width, IN] input matrices (its gate
              // moved to cuDNN's place).
              assertThat(dk[row * width + col]).isEqualTo(upstream[cudnnRow(type, col) * IN + row]);
            }
          }
          int recurrentStart = width * IN;
          for (int row = 0; row < UNITS; row++) {
            for (int col = 0; col < width; col++) {
              assertThat(dr[row * width + col]).isEqualTo(upstream[recurrentStart + cudnnRow(type, col) * UNITS + row]);
            }
          }
          int inputBias = width * (IN + UNITS);
          int recurrentBias = inputBias + width;
          for (int i = 0; i < width; i++) {
            if (type == CellType.GRU) { // rows: input bias, recurrent bias
              assertThat(db[i]).isEqualTo(upstream[inputBias + cudnnRow(type, i)]);
              assertThat(db[width + i]).isEqualTo(upstream[recurrentBias + cudnnRow(type, i)]);
            } else { // Keras's one bias is cuDNN's recurrent bias
              assertThat(db[i]).isEqualTo(upstream[recurrentBias + i]);
            }
          }
        }
      }
    }
  }

  /** Where Keras's gate column {@code col} lies in cuDNN's order: GRU swaps z and r (cuDNN: r, z, h). */
  private static int cudnnRow(CellType type, int col) {
    int gate = col / UNITS;
    int cudnnGate = type == CellType.GRU && gate < 2 ? 1 - gate : gate;
    return cudnnGate * UNITS + col % UNITS;
  }

  private static Shape biasShape(CellType type) {
    return Shape.of(java.util.Arrays.stream(Cell.of(type).biasShape(UNITS)).asLongStream().toArray());
  }

  private static int biasSize(CellType type) {
    return (int) biasShape(type).size();
  }

  private static double[] params(CellType type, double[] kernel, double[] recurrent, double[] bias) {
    int width = type.gates() * UNITS;
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Operand<TFloat64> p = Cell.of(type).cudnnParams(tf,
          tf.constant(Shape.of(IN, width), DataBuffers.of(kernel)),
          tf.constant(Shape.of(UNITS, width), DataBuffers.of(recurrent)),
          tf.constant(biasShape(type), DataBuffers.of(bias)));
      try (Session s = new Session(graph); var result = s.runner().fetch(p).run()) {
        return Tensors.doubles(result.get(0));
      }
    }
  }

  /**
   * Keras's cell: per gate block, the input part x·kernel + bias (GRU: + bias row 0) and the
   * recurrent part h·recurrent_kernel (GRU: + bias row 1), in Keras's gate order.
   */
  private static double[] kerasOutputs(CellType type, double[] kernel, double[] recurrent, double[] bias,
      double[][] x) {
    int width = type.gates() * UNITS;
    boolean twoRows = bias.length == 2 * width;
    double[] h = new double[UNITS];
    double[] c = new double[UNITS];
    double[] out = new double[SEQ * UNITS];
    for (int t = 0; t < SEQ; t++) {
      double[] xPart = java.util.Arrays.copyOf(bias, width);
      double[] hPart = twoRows ? java.util.Arrays.copyOfRange(bias, width, 2 * width) : new double[width];
      for (int col = 0; col < width; col++) {
        for (int j = 0; j < IN; j++) {
          xPart[col] += x[t][j] * kernel[j * width + col];
        }
        for (int j = 0; j < UNITS; j++) {
          hPart[col] += h[j] * recurrent[j * width + col];
        }
      }
      step(type, xPart, hPart, h, c, false);
      System.arraycopy(h, 0, out, t * UNITS, UNITS);
    }
    return out;
  }

  /**
   * cuDNN's equations on its canonical buffer: per gate k an input matrix W_k [units, in], then
   * per gate a recurrent matrix R_k [units, units], then the input biases b_W and the recurrent
   * biases b_R; gate k's input part is W_k·x + b_Wk and its recurrent part R_k·h + b_Rk (LSTM
   * gates i, f, c, o; GRU gates r, z, h).
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
      double[] xPart = new double[g * UNITS];
      double[] hPart = new double[g * UNITS];
      for (int k = 0; k < g; k++) {
        for (int u = 0; u < UNITS; u++) {
          double vx = p[bwStart + k * UNITS + u];
          double vh = p[brStart + k * UNITS + u];
          for (int j = 0; j < IN; j++) {
            vx += p[wStart + (k * UNITS + u) * IN + j] * x[t][j];
          }
          for (int j = 0; j < UNITS; j++) {
            vh += p[rStart + (k * UNITS + u) * UNITS + j] * h[j];
          }
          xPart[k * UNITS + u] = vx;
          hPart[k * UNITS + u] = vh;
        }
      }
      step(type, xPart, hPart, h, c, true);
      System.arraycopy(h, 0, out, t * UNITS, UNITS);
    }
    return out;
  }

  /**
   * The activations on a step's input and recurrent parts, updating h and c: SimpleRNN and LSTM
   * (blocks i, f, c, o) add them; a GRU's reset gate multiplies the candidate's recurrent part
   * (reset_after), with its blocks in cuDNN's order r, z, h or Keras's z, r, h.
   */
  private static void step(CellType type, double[] xPart, double[] hPart, double[] h, double[] c, boolean cudnnOrder) {
    double[] next = new double[UNITS];
    double[] z = new double[xPart.length];
    for (int i = 0; i < z.length; i++) {
      z[i] = xPart[i] + hPart[i];
    }
    for (int u = 0; u < UNITS; u++) {
      switch (type) {
        case SIMPLE_RNN -> next[u] = Math.tanh(z[u]);
        case LSTM -> {
          double i = sigmoid(z[u]);
          double f = sigmoid(z[UNITS + u]);
          double cand = Math.tanh(z[2 * UNITS + u]);
          double o = sigmoid(z[3 * UNITS + u]);
          c[u] = f * c[u] + i * cand;
          next[u] = o * Math.tanh(c[u]);
        }
        case GRU -> {
          int zBlock = cudnnOrder ? 1 : 0;
          int rBlock = cudnnOrder ? 0 : 1;
          double update = sigmoid(z[zBlock * UNITS + u]);
          double reset = sigmoid(z[rBlock * UNITS + u]);
          double cand = Math.tanh(xPart[2 * UNITS + u] + reset * hPart[2 * UNITS + u]);
          next[u] = update * h[u] + (1 - update) * cand;
        }
      }
    }
    System.arraycopy(next, 0, h, 0, UNITS);
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

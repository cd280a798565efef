package io.rnnlab.reference;

import java.util.Arrays;
import java.util.function.IntBinaryOperator;

/**
 * Plain-Java, float64 reference for a tanh RNN with a softmax head and hand-written backpropagation
 * through time: min-char-rnn's algorithm in Keras's weight layout and loss reduction.
 *
 * <pre>
 *   h_t      = tanh(x_t · kernel + bias + h_{t-1} · recurrentKernel)      h_{-1} = 0
 *   logits_t = h_t · denseKernel + denseBias
 *   p_t      = softmax(logits_t)
 * </pre>
 *
 * Inputs are either char ids, read as one-hot rows of width {@code inputDim} (so {@code x_t · kernel}
 * is row {@code kernel[id]}), or any float matrix per sequence, {@code [batch][seq][inputDim]}.
 * Targets are always {@code [batch][seq]} next-char ids; {@link LossMode#LAST} reads only column
 * {@code seq - 1}, which is the char after the window in a Keras (window, next char) data set.
 *
 * <p>Nothing here is tuned for speed: it exists to be obviously right and to be compared against.
 */
public final class VanillaRnn {
  private VanillaRnn() {}

  public static Gradients lossAndGradients(
      VanillaRnnWeights w, int[][] ids, int[][] targets, LossMode mode) {
    Input in = new IdInput(ids, w.inputDim());
    return run(w, in, zeroState(in, w), mode, targetsBySequence(targets, in, w), meanWeight(in, mode));
  }

  public static Gradients lossAndGradients(
      VanillaRnnWeights w, double[][][] inputs, int[][] targets, LossMode mode) {
    Input in = new DenseInput(inputs, w.inputDim());
    return run(w, in, zeroState(in, w), mode, targetsBySequence(targets, in, w), meanWeight(in, mode));
  }

  /** {@link LossMode#LAST} with one next-char target per sequence, as Keras window data sets have. */
  public static Gradients lossAndGradientsLast(VanillaRnnWeights w, int[][] ids, int[] targets) {
    Input in = new IdInput(ids, w.inputDim());
    return run(w, in, zeroState(in, w), LossMode.LAST, lastTargets(targets, in, w),
        meanWeight(in, LossMode.LAST));
  }

  /** The loss alone, for finite differences: the same forward code, without the backward pass. */
  public static double loss(VanillaRnnWeights w, int[][] ids, int[][] targets, LossMode mode) {
    Input in = new IdInput(ids, w.inputDim());
    return forward(w, in, zeroState(in, w), mode, targetsBySequence(targets, in, w),
        meanWeight(in, mode)).loss;
  }

  public static double loss(VanillaRnnWeights w, double[][][] inputs, int[][] targets, LossMode mode) {
    Input in = new DenseInput(inputs, w.inputDim());
    return forward(w, in, zeroState(in, w), mode, targetsBySequence(targets, in, w),
        meanWeight(in, mode)).loss;
  }

  /** Softmax of the head on the last step: {@code [batch][vocab]}. */
  public static double[][] probabilitiesLast(VanillaRnnWeights w, int[][] ids) {
    return lastOf(probabilities(w, new IdInput(ids, w.inputDim()), LossMode.LAST));
  }

  /** Softmax of the head on every step: {@code [batch][seq][vocab]}. */
  public static double[][][] probabilitiesAll(VanillaRnnWeights w, int[][] ids) {
    return probabilities(w, new IdInput(ids, w.inputDim()), LossMode.ALL);
  }

  public static double[][][] probabilitiesAll(VanillaRnnWeights w, double[][][] inputs) {
    return probabilities(w, new DenseInput(inputs, w.inputDim()), LossMode.ALL);
  }

  /** The SimpleRNN layer's output with {@code return_sequences=True}: {@code [batch][seq][units]}. */
  public static double[][][] hiddenStates(VanillaRnnWeights w, int[][] ids) {
    return hiddenStates(w, new IdInput(ids, w.inputDim()));
  }

  /**
   * min-char-rnn's loss: one sequence per row, starting from {@code h0}, loss and gradients
   * <em>summed</em> over time and batch. The tutorial's Adagrad learning rate and clipping bounds
   * were chosen for that scale, so {@link MinCharRnn} must not use the Keras mean.
   */
  static Gradients summedLossAndGradients(
      VanillaRnnWeights w, int[][] ids, int[][] targets, double[][] h0) {
    Input in = new IdInput(ids, w.inputDim());
    if (h0.length != in.batch()) {
      throw new IllegalArgumentException("h0 has " + h0.length + " rows, batch is " + in.batch());
    }
    for (double[] h : h0) {
      if (h.length != w.units()) {
        throw new IllegalArgumentException("h0 rows must have length " + w.units());
      }
    }
    return run(w, in, h0, LossMode.ALL, targetsBySequence(targets, in, w), 1.0);
  }

  /** One cell step from a char id; the single definition of the recurrence that sampling reuses. */
  static double[] step(VanillaRnnWeights w, int id, double[] hPrev) {
    double[] z = w.kernel()[id].clone();
    finishStep(w, z, hPrev);
    return z;
  }

  /** MatMul first, then BiasAdd, the order Keras's Dense uses, so TF differs by rounding alone. */
  static double[] logits(VanillaRnnWeights w, double[] h) {
    double[] y = new double[w.vocabSize()];
    addVecMat(h, w.denseKernel(), y);
    double[] bias = w.denseBias();
    for (int j = 0; j < y.length; j++) {
      y[j] += bias[j];
    }
    return y;
  }

  static double[] softmax(double[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : logits) {
      max = Math.max(max, v);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int j = 0; j < p.length; j++) {
      p[j] = Math.exp(logits[j] - max);
      sum += p[j];
    }
    for (int j = 0; j < p.length; j++) {
      p[j] /= sum;
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------

  /** Per-sequence activations kept for the backward pass. */
  private static final class Pass {
    final double[][][] h; // [batch][seq + 1][units]; h[b][0] is the initial state
    final double[][][] p; // [batch][seq][vocab]; null where the head does not run
    double loss;

    Pass(int batch, int steps) {
      h = new double[batch][steps + 1][];
      p = new double[batch][steps][];
    }
  }

  /**
   * Forward pass. {@code target} may be null (no loss). {@code termWeight} multiplies each
   * per-step cross-entropy term, which is how the Keras mean (or min-char-rnn's sum) enters both
   * the loss and, via the backward pass, every gradient.
   */
  private static Pass forward(
      VanillaRnnWeights w, Input in, double[][] h0, LossMode mode, IntBinaryOperator target,
      double termWeight) {
    int batch = in.batch();
    int steps = in.steps();
    Pass pass = new Pass(batch, steps);
    for (int b = 0; b < batch; b++) {
      double[][] h = pass.h[b];
      h[0] = h0[b].clone();
      for (int t = 0; t < steps; t++) {
        double[] z = new double[w.units()];
        in.project(b, t, w.kernel(), z);
        finishStep(w, z, h[t]);
        h[t + 1] = z;
        if (headRuns(mode, t, steps)) {
          double[] y = logits(w, z);
          pass.p[b][t] = softmax(y);
          if (target != null) {
            // log-sum-exp minus the target logit instead of -log(p): exact even where p underflows.
            pass.loss += termWeight * (logSumExp(y) - y[target.applyAsInt(b, t)]);
          }
        }
      }
    }
    return pass;
  }

  private static Gradients run(
      VanillaRnnWeights w, Input in, double[][] h0, LossMode mode, IntBinaryOperator target,
      double termWeight) {
    Pass pass = forward(w, in, h0, mode, target, termWeight);
    int units = w.units();
    int vocab = w.vocabSize();
    double[][] dKernel = new double[w.inputDim()][units];
    double[][] dRecurrent = new double[units][units];
    double[] dBias = new double[units];
    double[][] dDense = new double[units][vocab];
    double[] dDenseBias = new double[vocab];
    double[][] finalHidden = new double[in.batch()][];

    int steps = in.steps();
    for (int b = 0; b < in.batch(); b++) {
      double[][] h = pass.h[b];
      finalHidden[b] = h[steps].clone();
      // Gradient reaching h_t from the future through recurrentKernel; zero past the last step.
      double[] dhNext = new double[units];
      for (int t = steps - 1; t >= 0; t--) {
        double[] ht = h[t + 1];
        double[] dh = dhNext;
        if (headRuns(mode, t, steps)) {
          // d(logSumExp(y) - y[k])/dy = p - onehot(k), scaled by this term's share of the loss.
          double[] dy = pass.p[b][t].clone();
          dy[target.applyAsInt(b, t)] -= 1;
          for (int j = 0; j < vocab; j++) {
            dy[j] *= termWeight;
            dDenseBias[j] += dy[j];
          }
          addOuter(ht, dy, dDense);
          addMatVec(w.denseKernel(), dy, dh);
        }
        double[] dz = new double[units];
        for (int i = 0; i < units; i++) {
          dz[i] = (1 - ht[i] * ht[i]) * dh[i]; // tanh' written with the output we already have
          dBias[i] += dz[i];
        }
        in.accumulate(b, t, dz, dKernel);
        addOuter(h[t], dz, dRecurrent);
        dhNext = new double[units];
        addMatVec(w.recurrentKernel(), dz, dhNext);
      }
    }
    return new Gradients(pass.loss, dKernel, dRecurrent, dBias, dDense, dDenseBias, finalHidden);
  }

  private static double[][][] probabilities(VanillaRnnWeights w, Input in, LossMode mode) {
    return forward(w, in, zeroState(in, w), mode, null, 0).p;
  }

  private static double[][] lastOf(double[][][] p) {
    double[][] last = new double[p.length][];
    for (int b = 0; b < p.length; b++) {
      last[b] = p[b][p[b].length - 1];
    }
    return last;
  }

  private static double[][][] hiddenStates(VanillaRnnWeights w, Input in) {
    double[][][] h = forward(w, in, zeroState(in, w), LossMode.LAST, null, 0).h;
    double[][][] out = new double[h.length][][];
    for (int b = 0; b < h.length; b++) {
      out[b] = Arrays.copyOfRange(h[b], 1, h[b].length);
    }
    return out;
  }

  private static boolean headRuns(LossMode mode, int t, int steps) {
    return mode == LossMode.ALL || t == steps - 1;
  }

  /**
   * {@code z} arrives holding {@code x·kernel}; adds the bias, then {@code h_{t-1}·recurrentKernel},
   * then applies tanh in place. Keras adds in this order (BiasAdd on the input projection first), so
   * TF's float64 result should differ from this one by rounding alone.
   */
  private static void finishStep(VanillaRnnWeights w, double[] z, double[] hPrev) {
    double[] bias = w.bias();
    for (int j = 0; j < z.length; j++) {
      z[j] += bias[j];
    }
    addVecMat(hPrev, w.recurrentKernel(), z);
    for (int j = 0; j < z.length; j++) {
      z[j] = Math.tanh(z[j]);
    }
  }

  private static double logSumExp(double[] y) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : y) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : y) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  /** out += row · m, with row a row vector. */
  private static void addVecMat(double[] row, double[][] m, double[] out) {
    for (int i = 0; i < row.length; i++) {
      double r = row[i];
      double[] mi = m[i];
      for (int j = 0; j < out.length; j++) {
        out[j] += r * mi[j];
      }
    }
  }

  /** out += m · col: how a gradient on the result of {@code v · m} flows back to {@code v}. */
  private static void addMatVec(double[][] m, double[] col, double[] out) {
    for (int i = 0; i < out.length; i++) {
      double[] mi = m[i];
      double s = 0;
      for (int j = 0; j < col.length; j++) {
        s += mi[j] * col[j];
      }
      out[i] += s;
    }
  }

  /** out += a^T b: the weight gradient of {@code a · W} given the gradient {@code b} on the result. */
  private static void addOuter(double[] a, double[] b, double[][] out) {
    for (int i = 0; i < a.length; i++) {
      double ai = a[i];
      double[] oi = out[i];
      for (int j = 0; j < b.length; j++) {
        oi[j] += ai * b[j];
      }
    }
  }

  private static double meanWeight(Input in, LossMode mode) {
    return mode == LossMode.ALL ? 1.0 / ((double) in.batch() * in.steps()) : 1.0 / in.batch();
  }

  private static double[][] zeroState(Input in, VanillaRnnWeights w) {
    return new double[in.batch()][w.units()];
  }

  private static IntBinaryOperator targetsBySequence(int[][] targets, Input in, VanillaRnnWeights w) {
    if (targets == null || targets.length != in.batch()) {
      throw new IllegalArgumentException("targets must have " + in.batch() + " rows (the batch)");
    }
    for (int b = 0; b < targets.length; b++) {
      if (targets[b] == null || targets[b].length != in.steps()) {
        throw new IllegalArgumentException(
            "targets[" + b + "] must have length " + in.steps() + " (the sequence length)");
      }
      for (int k : targets[b]) {
        requireTarget(k, w);
      }
    }
    return (b, t) -> targets[b][t];
  }

  private static IntBinaryOperator lastTargets(int[] targets, Input in, VanillaRnnWeights w) {
    if (targets == null || targets.length != in.batch()) {
      throw new IllegalArgumentException("targets must have " + in.batch() + " entries (the batch)");
    }
    for (int k : targets) {
      requireTarget(k, w);
    }
    return (b, t) -> targets[b];
  }

  private static void requireTarget(int k, VanillaRnnWeights w) {
    if (k < 0 || k >= w.vocabSize()) {
      throw new IllegalArgumentException("target " + k + " outside vocab [0, " + w.vocabSize() + ")");
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The two input kinds differ only in how {@code x_t} meets the kernel, forward and backward. */
  private interface Input {
    int batch();

    int steps();

    /** out += x_{b,t} · kernel */
    void project(int b, int t, double[][] kernel, double[] out);

    /** dKernel += x_{b,t}^T dz */
    void accumulate(int b, int t, double[] dz, double[][] dKernel);
  }

  private static final class IdInput implements Input {
    private final int[][] ids;

    IdInput(int[][] ids, int inputDim) {
      if (ids == null || ids.length == 0 || ids[0] == null || ids[0].length == 0) {
        throw new IllegalArgumentException("input batch or its first sequence is empty");
      }
      int steps = ids[0].length;
      for (int b = 0; b < ids.length; b++) {
        if (ids[b] == null || ids[b].length != steps) {
          throw new IllegalArgumentException("ids[" + b + "] must have length " + steps);
        }
        for (int id : ids[b]) {
          if (id < 0 || id >= inputDim) {
            throw new IllegalArgumentException("id " + id + " outside one-hot width [0, " + inputDim + ")");
          }
        }
      }
      this.ids = ids;
    }

    @Override
    public int batch() {
      return ids.length;
    }

    @Override
    public int steps() {
      return ids[0].length;
    }

    @Override
    public void project(int b, int t, double[][] kernel, double[] out) {
      double[] row = kernel[ids[b][t]];
      for (int j = 0; j < out.length; j++) {
        out[j] += row[j];
      }
    }

    @Override
    public void accumulate(int b, int t, double[] dz, double[][] dKernel) {
      double[] row = dKernel[ids[b][t]];
      for (int j = 0; j < dz.length; j++) {
        row[j] += dz[j];
      }
    }
  }

  private static final class DenseInput implements Input {
    private final double[][][] x;

    DenseInput(double[][][] x, int inputDim) {
      if (x == null || x.length == 0 || x[0] == null || x[0].length == 0) {
        throw new IllegalArgumentException("input batch or its first sequence is empty");
      }
      int steps = x[0].length;
      for (int b = 0; b < x.length; b++) {
        if (x[b] == null || x[b].length != steps) {
          throw new IllegalArgumentException("inputs[" + b + "] must have " + steps + " steps");
        }
        for (int t = 0; t < steps; t++) {
          if (x[b][t] == null || x[b][t].length != inputDim) {
            throw new IllegalArgumentException(
                "inputs[" + b + "][" + t + "] must have length " + inputDim + " (the kernel's rows)");
          }
        }
      }
      this.x = x;
    }

    @Override
    public int batch() {
      return x.length;
    }

    @Override
    public int steps() {
      return x[0].length;
    }

    @Override
    public void project(int b, int t, double[][] kernel, double[] out) {
      addVecMat(x[b][t], kernel, out);
    }

    @Override
    public void accumulate(int b, int t, double[] dz, double[][] dKernel) {
      addOuter(x[b][t], dz, dKernel);
    }
  }
}

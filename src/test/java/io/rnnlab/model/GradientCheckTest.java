package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.reference.Gradients;
import io.rnnlab.reference.LossMode;
import io.rnnlab.reference.VanillaRnn;
import io.rnnlab.reference.VanillaRnnWeights;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TF's graph-mode gradients of rnnlab's graphs, in float64: the SimpleRNN against the plain-Java
 * hand-written BPTT reference (min-char-rnn in Keras layout), the LSTM and the GRU against
 * central finite differences of the same TF loss.
 */
class GradientCheckTest {
  static final int VOCAB = 5;
  static final int UNITS = 4;
  static final int SEQ = 6;
  static final int BATCH = 3;

  /**
   * Relative error with a floor of 1e-8 on the denominator: both sides are exact float64
   * computations of the same math (no finite differences), so agreement is ~1e-14 and the floor
   * only guards entries that are exactly zero on both sides.
   */
  static double relError(double a, double b) {
    return Math.abs(a - b) / Math.max(Math.max(Math.abs(a), Math.abs(b)), 1e-8);
  }

  @ParameterizedTest
  @EnumSource(LossOn.class)
  void simpleRnnGradientsEqualTheHandWrittenBptt(LossOn lossOn) {
    ModelSpec spec = ModelSpec.charModel(CellType.SIMPLE_RNN, 1, UNITS, 0, 0, SEQ, VOCAB, lossOn);
    VanillaRnnWeights ref = VanillaRnnWeights.random(VOCAB, UNITS, VOCAB, 0.5, 7);
    SplittableRandom rng = new SplittableRandom(3);
    int[][] ids = new int[BATCH][SEQ];
    int[][] next = new int[BATCH][SEQ];
    for (int b = 0; b < BATCH; b++) {
      for (int t = 0; t < SEQ; t++) {
        ids[b][t] = rng.nextInt(VOCAB);
        next[b][t] = rng.nextInt(VOCAB);
      }
    }
    Gradients expected = VanillaRnn.lossAndGradients(ref, ids, next,
        lossOn == LossOn.LAST ? LossMode.LAST : LossMode.ALL);

    try (Float64Graph g = new Float64Graph(spec)) {
      Map<String, double[]> w = new LinkedHashMap<>();
      w.put("simple_rnn/kernel", flat(ref.kernel()));
      w.put("simple_rnn/recurrent_kernel", flat(ref.recurrentKernel()));
      w.put("simple_rnn/bias", ref.bias());
      w.put("dense/kernel", flat(ref.denseKernel()));
      w.put("dense/bias", ref.denseBias());
      g.assign(w);
      int[] labels = lossOn == LossOn.LAST ? lastColumn(next) : flat(next);
      assertThat(relError(g.loss(flat(ids), labels, BATCH), expected.loss())).isLessThan(1e-6);
      Map<String, double[]> tf = g.gradients(flat(ids), labels, BATCH);
      assertClose(tf.get("simple_rnn/kernel"), flat(expected.dKernel()));
      assertClose(tf.get("simple_rnn/recurrent_kernel"), flat(expected.dRecurrentKernel()));
      assertClose(tf.get("simple_rnn/bias"), expected.dBias());
      assertClose(tf.get("dense/kernel"), flat(expected.dDenseKernel()));
      assertClose(tf.get("dense/bias"), expected.dDenseBias());
    }
  }

  @ParameterizedTest
  @CsvSource({"lstm,last", "lstm,all", "gru,last", "gru,all"})
  void gatedCellGradientsMatchFiniteDifferences(String cell, String loss) {
    // Two layers with an embedding: every weight kind rnnlab has, including the GatherV2 path.
    LossOn lossOn = LossOn.parse(loss);
    ModelSpec spec = ModelSpec.charModel(CellType.parse(cell), 2, 3, 2, 0, 4, VOCAB, lossOn);
    Map<String, double[]> w = Float64Graph.randomWeights(spec, 11, 0.6);
    SplittableRandom rng = new SplittableRandom(5);
    int[] ids = new int[2 * spec.seqLen()];
    int[] labels = new int[lossOn == LossOn.LAST ? 2 : 2 * spec.seqLen()];
    for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(VOCAB);
    for (int i = 0; i < labels.length; i++) labels[i] = rng.nextInt(VOCAB);

    try (Float64Graph g = new Float64Graph(spec)) {
      g.assign(w);
      Map<String, double[]> analytic = g.gradients(ids, labels, 2);
      double h = 1e-6;
      double worst = 0;
      int checked = 0;
      for (WeightSpec s : spec.weights()) {
        double[] v = w.get(s.name());
        for (int i = 0; i < v.length; i++) {
          double orig = v[i];
          v[i] = orig + h;
          g.assign(w);
          double plus = g.loss(ids, labels, 2);
          v[i] = orig - h;
          g.assign(w);
          double minus = g.loss(ids, labels, 2);
          v[i] = orig;
          double numeric = (plus - minus) / (2 * h);
          // Central differences carry ~1e-10 absolute error here; the 1e-4 floor keeps the
          // relative check meaningful for near-zero gradient entries.
          double err = Math.abs(numeric - analytic.get(s.name())[i])
              / Math.max(Math.max(Math.abs(numeric), Math.abs(analytic.get(s.name())[i])), 1e-4);
          worst = Math.max(worst, err);
          checked++;
        }
      }
      g.assign(w);
      assertThat(checked).isEqualTo((int) spec.parameterCount());
      assertThat(worst).as("max relative error over %d entries", checked).isLessThan(1e-5);
    }
  }

  private static void assertClose(double[] actual, double[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      worst = Math.max(worst, relError(actual[i], expected[i]));
    }
    assertThat(worst).isLessThan(1e-6);
  }

  static double[] flat(double[][] m) {
    return java.util.Arrays.stream(m).flatMapToDouble(java.util.Arrays::stream).toArray();
  }

  static int[] flat(int[][] m) {
    return java.util.Arrays.stream(m).flatMapToInt(java.util.Arrays::stream).toArray();
  }

  static int[] lastColumn(int[][] m) {
    return java.util.Arrays.stream(m).mapToInt(r -> r[r.length - 1]).toArray();
  }
}

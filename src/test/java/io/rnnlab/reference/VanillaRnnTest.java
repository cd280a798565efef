package io.rnnlab.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Keras semantics the gradient check takes for granted: inputs, reductions, shapes. */
class VanillaRnnTest {
  private static final int[][] IDS = {{0, 1, 2, 3, 1, 2}, {4, 3, 2, 1, 3, 2}};
  private static final int[][] TARGETS = {{1, 2, 3, 1, 2, 4}, {3, 2, 1, 3, 2, 0}};
  private static final VanillaRnnWeights W = VanillaRnnWeights.random(5, 4, 5, 0.5, 11);

  @ParameterizedTest
  @EnumSource(LossMode.class)
  void idsAreOneHotRows(LossMode mode) {
    double[][][] oneHot = new double[IDS.length][IDS[0].length][5];
    for (int b = 0; b < IDS.length; b++) {
      for (int t = 0; t < IDS[b].length; t++) {
        oneHot[b][t][IDS[b][t]] = 1;
      }
    }
    Gradients fromIds = VanillaRnn.lossAndGradients(W, IDS, TARGETS, mode);
    Gradients fromFloats = VanillaRnn.lossAndGradients(W, oneHot, TARGETS, mode);

    // Adding exact zeros and multiplying by exactly one leaves no rounding difference.
    assertSameGradients(fromFloats, fromIds, 0);
    assertThat(VanillaRnn.probabilitiesAll(W, oneHot)).isDeepEqualTo(VanillaRnn.probabilitiesAll(W, IDS));
  }

  @Test
  void lastOverloadWithOneTargetPerSequenceReadsOnlyTheLastStep() {
    int[] last = {TARGETS[0][5], TARGETS[1][5]};
    int[][] otherwiseDifferent = {{0, 0, 0, 0, 0, last[0]}, {1, 1, 1, 1, 1, last[1]}};

    Gradients viaArray = VanillaRnn.lossAndGradientsLast(W, IDS, last);

    assertSameGradients(viaArray, VanillaRnn.lossAndGradients(W, IDS, TARGETS, LossMode.LAST), 0);
    assertSameGradients(viaArray, VanillaRnn.lossAndGradients(W, IDS, otherwiseDifferent, LossMode.LAST), 0);
  }

  @Test
  void probabilitiesAreSoftmaxesAndLossesAreTheirMeanNegativeLogs() {
    double[][] last = VanillaRnn.probabilitiesLast(W, IDS);
    double[][][] all = VanillaRnn.probabilitiesAll(W, IDS);

    assertThat(last).hasDimensions(2, 5);
    assertThat(all.length).isEqualTo(2);
    assertThat(all[0]).hasDimensions(6, 5);
    double lastLoss = 0;
    double allLoss = 0;
    for (int b = 0; b < 2; b++) {
      assertThat(last[b]).isEqualTo(all[b][5]);
      lastLoss -= Math.log(last[b][TARGETS[b][5]]) / 2;
      for (int t = 0; t < 6; t++) {
        assertThat(Arrays.stream(all[b][t]).sum()).isCloseTo(1.0, within(1e-15));
        assertThat(Arrays.stream(all[b][t])).allSatisfy(p -> assertThat(p).isPositive());
        allLoss -= Math.log(all[b][t][TARGETS[b][t]]) / 12;
      }
    }
    assertThat(VanillaRnn.loss(W, IDS, TARGETS, LossMode.LAST)).isCloseTo(lastLoss, within(1e-14));
    assertThat(VanillaRnn.loss(W, IDS, TARGETS, LossMode.ALL)).isCloseTo(allLoss, within(1e-14));
  }

  @ParameterizedTest
  @EnumSource(LossMode.class)
  void batchLossAndGradientsAreTheMeanOverSequences(LossMode mode) {
    Gradients both = VanillaRnn.lossAndGradients(W, IDS, TARGETS, mode);
    Gradients first = VanillaRnn.lossAndGradients(W, new int[][] {IDS[0]}, new int[][] {TARGETS[0]}, mode);
    Gradients second = VanillaRnn.lossAndGradients(W, new int[][] {IDS[1]}, new int[][] {TARGETS[1]}, mode);

    assertSameGradients(both, combine(0.5, first, 0.5, second), 1e-15);
    assertThat(both.finalHidden()).isDeepEqualTo(
        new double[][] {first.finalHidden()[0], second.finalHidden()[0]});
  }

  @Test
  void allModeIsTheTimeMeanOfLastModeOverPrefixes() {
    // h_t depends only on the prefix up to t, so return_sequences=True with a mean over time must
    // equal the average of return_sequences=False losses on every prefix: ties the two modes together.
    Gradients all = VanillaRnn.lossAndGradients(W, IDS, TARGETS, LossMode.ALL);
    Gradients sum = null;
    for (int t = 0; t < 6; t++) {
      int[][] prefix = {Arrays.copyOf(IDS[0], t + 1), Arrays.copyOf(IDS[1], t + 1)};
      Gradients g = VanillaRnn.lossAndGradientsLast(W, prefix, new int[] {TARGETS[0][t], TARGETS[1][t]});
      sum = sum == null ? combine(1.0 / 6, g, 0, g) : combine(1, sum, 1.0 / 6, g);
    }
    assertSameGradients(all, sum, 1e-15);
  }

  @Test
  void hiddenStatesFollowTheSimpleRnnStep() {
    double[][][] h = VanillaRnn.hiddenStates(W, IDS);
    Gradients g = VanillaRnn.lossAndGradients(W, IDS, TARGETS, LossMode.ALL);

    for (int b = 0; b < 2; b++) {
      double[] prev = new double[4];
      for (int t = 0; t < 6; t++) {
        for (int j = 0; j < 4; j++) {
          double z = W.kernel()[IDS[b][t]][j] + W.bias()[j];
          for (int i = 0; i < 4; i++) {
            z += prev[i] * W.recurrentKernel()[i][j];
          }
          assertThat(h[b][t][j]).isCloseTo(Math.tanh(z), within(1e-15));
        }
        prev = h[b][t];
      }
      assertThat(g.finalHidden()[b]).isEqualTo(h[b][5]);
    }
  }

  @Test
  void randomWeightsAreSeededBoundedAndKerasShaped() {
    VanillaRnnWeights a = VanillaRnnWeights.random(7, 3, 6, 0.1, 99);
    VanillaRnnWeights b = VanillaRnnWeights.random(7, 3, 6, 0.1, 99);
    VanillaRnnWeights c = VanillaRnnWeights.random(7, 3, 6, 0.1, 100);

    assertThat(a.kernel()).hasDimensions(7, 3);
    assertThat(a.recurrentKernel()).hasDimensions(3, 3);
    assertThat(a.bias()).hasSize(3);
    assertThat(a.denseKernel()).hasDimensions(3, 6);
    assertThat(a.denseBias()).hasSize(6);
    assertThat(new int[] {a.inputDim(), a.units(), a.vocabSize()}).containsExactly(7, 3, 6);
    assertThat(a.kernel()).isDeepEqualTo(b.kernel());
    assertThat(a.denseBias()).isEqualTo(b.denseBias());
    assertThat(a.kernel()[0][0]).isNotEqualTo(c.kernel()[0][0]);
    for (double[][] m : new double[][][] {a.kernel(), a.recurrentKernel(), a.denseKernel(),
        {a.bias()}, {a.denseBias()}}) {
      for (double[] row : m) {
        assertThat(Arrays.stream(row)).allSatisfy(v -> assertThat(Math.abs(v)).isLessThan(0.1).isGreaterThan(0));
      }
    }
    VanillaRnnWeights copy = a.copy();
    copy.kernel()[0][0] = 42;
    assertThat(a.kernel()[0][0]).isNotEqualTo(42);
  }

  @Test
  void rejectsInconsistentShapesAndOutOfRangeIds() {
    assertThatThrownBy(() -> new VanillaRnnWeights(
        new double[5][4], new double[4][3], new double[4], new double[4][5], new double[5]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recurrentKernel");
    assertThatThrownBy(() -> new VanillaRnnWeights(
        new double[5][4], new double[4][4], new double[4], new double[4][5], new double[6]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("denseBias");
    assertThatThrownBy(() -> VanillaRnn.loss(W, new int[][] {{0, 5}}, new int[][] {{0, 0}}, LossMode.ALL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 5");
    assertThatThrownBy(() -> VanillaRnn.loss(W, new int[][] {{0, 1}, {0}}, new int[][] {{0, 0}, {0}}, LossMode.ALL))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ids[1]");
    assertThatThrownBy(() -> VanillaRnn.loss(W, new int[][] {{0, 1}}, new int[][] {{0, 7}}, LossMode.LAST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target 7");
    assertThatThrownBy(() -> VanillaRnn.loss(W, new int[][] {{0, 1}}, new int[][] {{0}}, LossMode.LAST))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targets[0]");
    assertThatThrownBy(() -> VanillaRnn.probabilitiesAll(W, new double[][][] {{{1, 0}}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 5");
    assertThatThrownBy(() -> VanillaRnn.probabilitiesAll(W, new int[0][]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
  }

  // ---------------------------------------------------------------------------------------------

  private static Gradients combine(double a, Gradients x, double b, Gradients y) {
    return new Gradients(
        a * x.loss() + b * y.loss(),
        combine(a, x.dKernel(), b, y.dKernel()),
        combine(a, x.dRecurrentKernel(), b, y.dRecurrentKernel()),
        combine(a, new double[][] {x.dBias()}, b, new double[][] {y.dBias()})[0],
        combine(a, x.dDenseKernel(), b, y.dDenseKernel()),
        combine(a, new double[][] {x.dDenseBias()}, b, new double[][] {y.dDenseBias()})[0],
        x.finalHidden());
  }

  private static double[][] combine(double a, double[][] x, double b, double[][] y) {
    double[][] out = new double[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x[i].length; j++) {
        out[i][j] = a * x[i][j] + b * y[i][j];
      }
    }
    return out;
  }

  static void assertSameGradients(Gradients actual, Gradients expected, double tolerance) {
    assertThat(actual.loss()).isCloseTo(expected.loss(), within(tolerance));
    assertClose(actual.dKernel(), expected.dKernel(), tolerance);
    assertClose(actual.dRecurrentKernel(), expected.dRecurrentKernel(), tolerance);
    assertClose(new double[][] {actual.dBias()}, new double[][] {expected.dBias()}, tolerance);
    assertClose(actual.dDenseKernel(), expected.dDenseKernel(), tolerance);
    assertClose(new double[][] {actual.dDenseBias()}, new double[][] {expected.dDenseBias()}, tolerance);
  }

  private static void assertClose(double[][] actual, double[][] expected, double tolerance) {
    assertThat(actual.length).isEqualTo(expected.length);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).containsExactly(expected[i], within(tolerance));
    }
  }
}

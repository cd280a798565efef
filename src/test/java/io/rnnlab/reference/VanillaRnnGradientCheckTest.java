package io.rnnlab.reference;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.reference.FiniteDifferences.Comparison;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Hand-written BPTT against central differences, every weight entry, both Keras loss modes. */
class VanillaRnnGradientCheckTest {
  private static final int VOCAB = 5;
  private static final int UNITS = 4;
  private static final double TOLERANCE = 1e-6;

  /**
   * Ids 0 and 4 occur only at t = 0, so in LAST mode their kernel rows get gradient only through
   * five applications of recurrentKernel: the check covers the deepest dhnext path there is.
   */
  private static final int[][] IDS = {{0, 1, 2, 3, 1, 2}, {4, 3, 2, 1, 3, 2}};
  private static final int[][] TARGETS = {{1, 2, 3, 1, 2, 4}, {3, 2, 1, 3, 2, 0}};

  @ParameterizedTest(name = "{0}, weights uniform(-{1}, {1})")
  @CsvSource({"LAST, 0.1", "LAST, 0.5", "ALL, 0.1", "ALL, 0.5"})
  void oneHotIdGradientsMatchCentralDifferences(LossMode mode, double scale) {
    VanillaRnnWeights w = VanillaRnnWeights.random(VOCAB, UNITS, VOCAB, scale, 11);
    Gradients g = VanillaRnn.lossAndGradients(w, IDS, TARGETS, mode);

    List<Comparison> cs =
        FiniteDifferences.compare(w, g, x -> VanillaRnn.loss(x, IDS, TARGETS, mode));

    assertThat(cs).hasSize(VOCAB * UNITS + UNITS * UNITS + UNITS + UNITS * VOCAB + VOCAB);
    assertThat(cs).allSatisfy(c -> assertThat(c.relativeError()).as(c.toString()).isLessThan(TOLERANCE));
    // The loss really is the one differentiated: perturbation restored, same value as before.
    assertThat(VanillaRnn.loss(w, IDS, TARGETS, mode)).isEqualTo(g.loss());
  }

  @ParameterizedTest
  @EnumSource(LossMode.class)
  void deepestBackpropagationPathIsCheckedRelativelyNotByTheFloor(LossMode mode) {
    // At scale 0.5 the t = 0-only rows are well above the denominator floor, so the test above
    // checks them to 1e-6 relative; at 0.1 they shrink like 0.1^5 and only the floor would apply.
    VanillaRnnWeights w = VanillaRnnWeights.random(VOCAB, UNITS, VOCAB, 0.5, 11);
    Gradients g = VanillaRnn.lossAndGradients(w, IDS, TARGETS, mode);

    for (int id : new int[] {0, 4}) {
      for (double d : g.dKernel()[id]) {
        assertThat(Math.abs(d)).isGreaterThan(10 * FiniteDifferences.DENOMINATOR_FLOOR);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(LossMode.class)
  void floatInputGradientsMatchCentralDifferences(LossMode mode) {
    int inputDim = 3;
    SplittableRandom rng = new SplittableRandom(5);
    double[][][] x = new double[2][6][inputDim];
    for (double[][] seq : x) {
      for (double[] row : seq) {
        for (int i = 0; i < inputDim; i++) {
          row[i] = rng.nextDouble(-1, 1);
        }
      }
    }
    VanillaRnnWeights w = VanillaRnnWeights.random(inputDim, UNITS, VOCAB, 0.5, 13);
    Gradients g = VanillaRnn.lossAndGradients(w, x, TARGETS, mode);

    List<Comparison> cs = FiniteDifferences.compare(w, g, v -> VanillaRnn.loss(v, x, TARGETS, mode));

    assertThat(cs).hasSize(inputDim * UNITS + UNITS * UNITS + UNITS + UNITS * VOCAB + VOCAB);
    assertThat(FiniteDifferences.maxRelativeError(cs)).isLessThan(TOLERANCE);
  }

  @Test
  void summedGradientsFromANonZeroInitialStateMatchCentralDifferences() {
    // min-char-rnn starts each window from the previous one's state; the h0 path must be right too.
    VanillaRnnWeights w = VanillaRnnWeights.random(VOCAB, UNITS, VOCAB, 0.5, 17);
    double[][] h0 = {{0.3, -0.2, 0.1, 0.6}, {-0.5, 0.4, 0.0, -0.1}};
    Gradients g = VanillaRnn.summedLossAndGradients(w, IDS, TARGETS, h0);

    List<Comparison> cs = FiniteDifferences.compare(
        w, g, v -> VanillaRnn.summedLossAndGradients(v, IDS, TARGETS, h0).loss());

    assertThat(FiniteDifferences.maxRelativeError(cs)).isLessThan(TOLERANCE);
  }
}

package io.rnnlab.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One step, one unit, two chars: small enough to differentiate on paper.
 *
 * <pre>
 * Weights: kernel = [[0.5], [-0.3]], recurrentKernel = [[0.7]], bias = [0.1],
 *          denseKernel = [[1, -1]], denseBias = [0.2, -0.2].   Input id 0, target id 1, h_{-1} = 0.
 *
 * Forward
 *   z      = kernel[0] + bias + h_{-1}·0.7 = 0.5 + 0.1 = 0.6
 *   h      = tanh(0.6)                      ≈ 0.537050
 *   logits = [h + 0.2, -h - 0.2];  a := l0 - l1 = 2h + 0.4 ≈ 1.474099
 *   p0     = e^l0 / (e^l0 + e^l1) = 1 / (1 + e^-a) = σ(a);  e^-a ≈ 0.228988, so p0 ≈ 0.813680
 *   p1     = 1 - p0                          ≈ 0.186320
 *   loss   = -log p1 = log(1 + e^a) = a + log(1 + e^-a) ≈ 1.474099 + 0.206189 = 1.680288
 *
 * Backward (softmax + cross-entropy: dL/dlogits = p - onehot(target))
 *   dlogits         = [p0, p1 - 1] = [p0, -p0]                  ≈ [0.813680, -0.813680]
 *   dDenseBias      = dlogits
 *   dDenseKernel    = h^T · dlogits = [[h·p0, -h·p0]]            ≈ [[0.436986, -0.436986]]
 *   dh              = denseKernel · dlogits = 1·p0 + (-1)(-p0) = 2·p0 ≈ 1.627359
 *   dz              = (1 - h²)·dh ≈ 0.711578 · 1.627359         ≈ 1.157993
 *   dBias           = dz;  dKernel = [[dz], [0]]  (id 1 was never fed)
 *   dRecurrentKernel = h_{-1}^T · dz = [[0]]       (nothing came before)
 * </pre>
 *
 * With one step, LAST and ALL are the same loss, so both modes must give these numbers.
 */
class VanillaRnnHandComputedTest {
  private static final double PAPER = 1e-6; // the hand values above carry six decimals

  @ParameterizedTest
  @EnumSource(LossMode.class)
  void matchesTheDerivationOnPaper(LossMode mode) {
    VanillaRnnWeights w = new VanillaRnnWeights(
        new double[][] {{0.5}, {-0.3}},
        new double[][] {{0.7}},
        new double[] {0.1},
        new double[][] {{1.0, -1.0}},
        new double[] {0.2, -0.2});

    Gradients g = VanillaRnn.lossAndGradients(w, new int[][] {{0}}, new int[][] {{1}}, mode);

    // The six-decimal values worked out above.
    assertThat(g.loss()).isCloseTo(1.680288, within(PAPER));
    assertThat(g.dDenseBias()).containsExactly(new double[] {0.813680, -0.813680}, within(PAPER));
    assertThat(g.dDenseKernel()[0]).containsExactly(new double[] {0.436986, -0.436986}, within(PAPER));
    assertThat(g.dBias()).containsExactly(new double[] {1.157993}, within(PAPER));
    assertThat(g.dKernel()[0]).containsExactly(new double[] {1.157993}, within(PAPER));
    assertThat(g.dKernel()[1]).containsExactly(0.0);
    assertThat(g.dRecurrentKernel()[0]).containsExactly(0.0);

    // The same closed forms in double precision: the only freedom left is rounding.
    double h = Math.tanh(0.6);
    double a = 2 * h + 0.4;
    double p0 = 1 / (1 + Math.exp(-a));
    double dz = (1 - h * h) * 2 * p0;
    double exact = 1e-15;
    assertThat(g.loss()).isCloseTo(a + Math.log1p(Math.exp(-a)), within(exact));
    assertThat(g.dDenseBias()).containsExactly(new double[] {p0, -p0}, within(exact));
    assertThat(g.dDenseKernel()[0]).containsExactly(new double[] {h * p0, -h * p0}, within(exact));
    assertThat(g.dBias()).containsExactly(new double[] {dz}, within(exact));
    assertThat(g.dKernel()[0]).containsExactly(new double[] {dz}, within(exact));
    assertThat(g.finalHidden()[0]).containsExactly(new double[] {h}, within(exact));
    assertThat(VanillaRnn.probabilitiesLast(w, new int[][] {{0}})[0])
        .containsExactly(new double[] {p0, 1 - p0}, within(exact));
  }
}

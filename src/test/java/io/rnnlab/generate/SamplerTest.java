package io.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnlab.UserInputException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SamplerTest {
  static final float[] P = {0.05f, 0.5f, 0.0f, 0.3f, 0.15f};

  @Test
  void temperatureOneDrawsFromTheModelsOwnDistribution() {
    double[] q = new Sampler(1.0, 0, 1).distribution(P);
    double total = 0;
    for (float v : P) {
      total += v + Sampler.EPSILON;
    }
    for (int i = 0; i < P.length; i++) {
      assertThat(q[i]).isCloseTo((P[i] + Sampler.EPSILON) / total, within(1e-12));
    }
  }

  @Test
  void temperatureHalfSquaresTheProbabilities() {
    // softmax(log(p + eps) / 0.5) = (p + eps)^2 / sum((p + eps)^2)
    double[] q = new Sampler(0.5, 0, 1).distribution(P);
    double total = Arrays.stream(toDoubles(P)).map(v -> (v + 1e-9) * (v + 1e-9)).sum();
    assertThat(q[1]).isCloseTo(Math.pow(0.5 + 1e-9, 2) / total, within(1e-12));
    assertThat(q[3]).isCloseTo(Math.pow(0.3f + 1e-9, 2) / total, within(1e-12));
    assertThat(q[2]).isCloseTo(1e-18 / total, within(1e-20));
  }

  /** A positive temperature too small to divide by still means "nearly greedy", not "diverged". */
  @ParameterizedTest
  @ValueSource(doubles = {4.9e-324, 1e-310, 1e-100})
  void aVanishingTemperatureIsGreedy(double t) {
    Sampler s = new Sampler(t, 0, 1);
    assertThat(s.distribution(P)).containsExactly(0, 1, 0, 0, 0);
    for (int i = 0; i < 20; i++) {
      assertThat(s.sample(P)).isEqualTo(1);
    }
  }

  @Test
  void drawsFollowTheDistribution() {
    Sampler s = new Sampler(0.7, 0, 123);
    double[] q = s.distribution(P);
    int n = 200_000;
    int[] counts = new int[P.length];
    for (int i = 0; i < n; i++) {
      counts[s.sample(P)]++;
    }
    for (int i = 0; i < P.length; i++) {
      // 4.5 standard deviations of a binomial count: fails by chance about once in 10^5 runs.
      double sd = Math.sqrt(n * q[i] * (1 - q[i]));
      assertThat((double) counts[i]).isCloseTo(n * q[i], within(4.5 * sd + 1));
    }
    assertThat(counts[2]).isZero();
  }

  @Test
  void zeroTemperatureIsArgmaxWithTheLowestIdOnTies() {
    Sampler greedy = new Sampler(0, 0, 1);
    assertThat(greedy.sample(P)).isEqualTo(1);
    assertThat(greedy.sample(new float[] {0.1f, 0.4f, 0.4f, 0.1f})).isEqualTo(1);
    assertThat(greedy.distribution(P)).containsExactly(0, 1, 0, 0, 0);
  }

  @Test
  void sameSeedSameDrawsAndAnotherSeedOthers() {
    assertThat(draws(7, 50)).isEqualTo(draws(7, 50)).isNotEqualTo(draws(8, 50));
  }

  @Test
  void topKKeepsOnlyTheKMostProbableRenormalised() {
    double[] q = new Sampler(1.0, 2, 1).distribution(P);
    double top2 = (0.5 + 1e-9) + (0.3f + 1e-9);
    assertThat(q[1]).isCloseTo((0.5 + 1e-9) / top2, within(1e-9));
    assertThat(q[3]).isCloseTo((0.3f + 1e-9) / top2, within(1e-9));
    assertThat(q[0] + q[2] + q[4]).isZero();
    Sampler s = new Sampler(2.0, 2, 5);
    for (int i = 0; i < 2000; i++) {
      assertThat(s.sample(P)).isIn(1, 3);
    }
  }

  @Test
  void topKBreaksTiesByLowestId() {
    double[] q = new Sampler(1.0, 2, 1).distribution(new float[] {0.3f, 0.3f, 0.3f, 0.1f});
    assertThat(q[0]).isCloseTo(0.5, within(1e-9));
    assertThat(q[1]).isCloseTo(0.5, within(1e-9));
    assertThat(q[2]).isZero();
  }

  @Test
  void topKAtLeastTheVocabularyChangesNothing() {
    Sampler all = new Sampler(0.9, 0, 11);
    Sampler k5 = new Sampler(0.9, 5, 11);
    Sampler k99 = new Sampler(0.9, 99, 11);
    for (int i = 0; i < 500; i++) {
      int a = all.sample(P);
      assertThat(k5.sample(P)).isEqualTo(a);
      assertThat(k99.sample(P)).isEqualTo(a);
    }
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.5, -1e-9, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
  void rejectsBadTemperatures(double t) {
    assertThatThrownBy(() -> new Sampler(t, 0, 1))
        .isInstanceOf(UserInputException.class)
        .hasMessage("temperature must be a finite number >= 0 (0 = greedy), got " + t);
  }

  @Test
  void rejectsNegativeTopKAndNonFiniteProbabilities() {
    assertThatThrownBy(() -> new Sampler(1, -1, 1)).isInstanceOf(UserInputException.class)
        .hasMessageContaining("top-k must be >= 1");
    assertThatThrownBy(() -> new Sampler(1, 0, 1).sample(new float[] {Float.NaN, 0.5f}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("diverged");
  }

  private static int[] draws(long seed, int n) {
    Sampler s = new Sampler(1.0, 0, seed);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = s.sample(P);
    }
    return out;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}

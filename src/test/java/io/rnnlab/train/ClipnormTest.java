package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.SessionOptions;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code --clipnorm} as Keras 3 clips: one Adam step with clipping equals the step computed by
 * hand from the unclipped gradients, each weight's gradient scaled by c / max(‖g‖, c).
 */
class ClipnormTest {
  static final ModelSpec SPEC = ModelSpec.charModel(CellType.LSTM, 1, 3, 0, 0.0, 4, 5, LossOn.ALL);
  // Distinct ids: no character repeats, so the Embedding rule (per-occurrence norms) does not apply.
  static final Batch BATCH = Batch.chars(3, new int[] {0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 0},
      new int[] {1, 2, 3, 4, 2, 3, 4, 0, 3, 4, 0, 1});

  @Test
  void aClippedStepIsTheHandComputedClippedAdamUpdate() {
    Weights start = WeightInitializer.initialize(SPEC, 3);
    Map<String, float[]> g;
    try (TrainingGraph probe = TrainingGraph.build(SPEC, AdamConfig.KERAS_DEFAULTS, SessionOptions.cpuOnly())) {
      probe.initialize(start);
      g = probe.gradients(BATCH);
    }
    double[] norms = g.values().stream().mapToDouble(ClipnormTest::norm).sorted().toArray();
    // Between the norms: some gradients are clipped, the others pass as they are.
    double clipnorm = (norms[norms.length / 2 - 1] + norms[norms.length / 2]) / 2;
    assertThat(norms[0]).isLessThan(clipnorm);
    assertThat(norms[norms.length - 1]).isGreaterThan(clipnorm);
    // ε far above √v makes the step linear in the (clipped) gradient, so the clipping shows in
    // full; with Keras's ε of 1e-7 Adam's first step hardly depends on the gradient's scale.
    AdamConfig adam = new AdamConfig(0.1, 0.9, 0.999, 1.0, clipnorm);

    Weights after;
    try (TrainingGraph graph = TrainingGraph.build(SPEC, adam, SessionOptions.cpuOnly())) {
      graph.initialize(start);
      graph.trainStep(BATCH, 0, 0);
      after = graph.weights();
    }
    double stepSize = adam.learningRate() * Math.sqrt(1 - adam.beta2()) / (1 - adam.beta1()); // t = 1
    for (var e : g.entrySet()) {
      float[] grad = e.getValue();
      double scale = clipnorm / Math.max(norm(grad), clipnorm);
      float[] w0 = start.get(e.getKey()).data();
      float[] w1 = after.get(e.getKey()).data();
      for (int i = 0; i < grad.length; i++) {
        double clipped = grad[i] * scale;
        double m = (1 - adam.beta1()) * clipped;
        double v = (1 - adam.beta2()) * clipped * clipped;
        double expected = w0[i] - stepSize * m / (Math.sqrt(v) + adam.epsilon());
        assertThat((double) w1[i]).as("%s[%d]", e.getKey(), i).isCloseTo(expected, within(2e-6));
      }
    }
  }

  @Test
  void clippingChangesTheStepAndZeroTurnsItOff() {
    Weights start = WeightInitializer.initialize(SPEC, 3);
    AdamConfig adam = new AdamConfig(0.1, 0.9, 0.999, 1.0, 0);
    Weights plain = step(start, adam);
    assertThat(step(start, adam.withClipnorm(1e-3)).maxAbsDiff(plain)).isGreaterThan(1e-4);
    assertThat(step(start, adam.withClipnorm(1e6)).maxAbsDiff(plain)).isLessThan(1e-7);
  }

  private static Weights step(Weights start, AdamConfig adam) {
    try (TrainingGraph graph = TrainingGraph.build(SPEC, adam, SessionOptions.cpuOnly())) {
      graph.initialize(start);
      graph.trainStep(BATCH, 0, 0);
      return graph.weights();
    }
  }

  private static double norm(float[] g) {
    return Math.sqrt(Arrays.stream(toDoubles(g)).map(x -> x * x).sum());
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}

package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.runtime.SessionOptions;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * The {@code step} signature's flat state, laid out layer by layer (h, then c for an LSTM), for
 * GRU and stacks of mixed cells: stepping a window from the zero state gives what {@code
 * serving_default} gives for the window (every step's distribution when the loss is on all steps).
 */
class StepSignatureTest {
  static Stream<ModelSpec> specs() {
    return Stream.of(
        new ModelSpec(List.of(RecurrentSpec.of(CellType.GRU), RecurrentSpec.of(CellType.LSTM)), 6, 4,
            List.of(0.1, 0.2, 0.0), 5, 7, Head.SOFTMAX, LossOn.LAST, 0),
        new ModelSpec(List.of(new RecurrentSpec(CellType.LSTM, 0.2, 0.2), RecurrentSpec.of(CellType.SIMPLE_RNN),
            RecurrentSpec.of(CellType.GRU)), 6, 0, List.of(0.0, 0.0, 0.0, 0.0), 5, 7, Head.SOFTMAX, LossOn.ALL, 0),
        ModelSpec.charModel(CellType.GRU, 1, 6, 0, 0, 5, 7, LossOn.LAST));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void steppingAWindowFromZerosEqualsServingIt(ModelSpec spec) {
    SplittableRandom rng = new SplittableRandom(4);
    Map<String, HostTensor> w = new java.util.LinkedHashMap<>();
    for (WeightSpec s : spec.weights()) { // not Keras's initial weights: biases matter too
      float[] v = new float[s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextDouble() - 0.5);
      }
      w.put(s.name(), new HostTensor(s.shape(), v));
    }
    int seq = spec.seqLen();
    int v = spec.vocabSize();
    int[] ids = rng.ints(seq, 0, v).toArray();
    try (InferenceGraph g = InferenceGraph.build(spec, new Weights(w), SessionOptions.cpuOnly())) {
      float[] served;
      Tensor in;
      if (spec.oneHotInput()) {
        float[] x = new float[seq * v];
        for (int t = 0; t < seq; t++) {
          x[t * v + ids[t]] = 1;
        }
        in = Tensors.floats(x, 1, seq, v);
      } else {
        in = Tensors.ints(ids, 1, seq);
      }
      try (in; Result r = g.session().function(g.serving()).call(Map.of("inputs", in))) {
        served = Tensors.floats(r.get("probabilities").orElseThrow());
      }
      float[] state = new float[spec.stateSize()];
      for (int t = 0; t < seq; t++) {
        try (Tensor id = Tensors.ints(new int[] {ids[t]}, 1); Tensor s = Tensors.floats(state, 1, state.length);
            Result r = g.session().function(g.step()).call(Map.of("char_ids", id, "state", s))) {
          float[] p = Tensors.floats(r.get("probabilities").orElseThrow());
          state = Tensors.floats(r.get("state").orElseThrow());
          int at = spec.lossOn() == LossOn.ALL ? t * v : t == seq - 1 ? 0 : -1;
          for (int i = 0; at >= 0 && i < v; i++) {
            assertThat((double) p[i]).as("step %d p[%d]", t, i).isCloseTo(served[at + i], Offset.offset(1e-6));
          }
        }
      }
      assertThat(state).hasSize(spec.stateSize());
    }
  }
}

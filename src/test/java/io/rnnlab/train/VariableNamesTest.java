package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.model.CellType;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.WeightSpec;
import io.rnnlab.runtime.SessionOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;

/**
 * The graph's variables carry Keras's weight names ({@code lstm/kernel}, {@code lstm_1/bias}),
 * which is what a Python user sees in an exported SavedModel, and Adam's slots sit beside them
 * under {@code adam/}.
 */
class VariableNamesTest {
  private static final ModelSpec SPEC = ModelSpec.charModel(CellType.LSTM, 2, 8, 4, 0.1, 5, 12, LossOn.LAST);

  private static List<String> variables(Graph g) {
    List<String> names = new ArrayList<>();
    g.operations().forEachRemaining(op -> {
      if (((GraphOperation) op).type().equals("VariableV2")) {
        names.add(op.name());
      }
    });
    return names;
  }

  @Test
  void servingGraphVariablesAreKerasWeightNames() {
    try (InferenceGraph g = InferenceGraph.build(SPEC, WeightInitializer.initialize(SPEC, 1), SessionOptions.cpuOnly())) {
      assertThat(variables(g.graph())).containsExactlyElementsOf(SPEC.weights().stream().map(WeightSpec::name).toList())
          .contains("embedding/embeddings", "lstm/kernel", "lstm/recurrent_kernel", "lstm/bias",
              "lstm_1/kernel", "lstm_1/recurrent_kernel", "lstm_1/bias", "dense/kernel", "dense/bias");
    }
  }

  @Test
  void trainingGraphAddsAdamSlotsUnderAdam() {
    try (TrainingGraph g = TrainingGraph.build(SPEC, AdamConfig.KERAS_DEFAULTS, SessionOptions.cpuOnly())) {
      List<String> names = variables(g.graph());
      List<String> expected = new ArrayList<>(SPEC.weights().stream().map(WeightSpec::name).toList());
      expected.add("adam/iterations");
      for (WeightSpec w : SPEC.weights()) {
        expected.add("adam/" + w.name() + "_m");
        expected.add("adam/" + w.name() + "_v");
      }
      assertThat(names).containsExactlyInAnyOrderElementsOf(expected);
    }
  }
}

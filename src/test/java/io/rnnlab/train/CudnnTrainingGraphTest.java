package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Network;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.runtime.SessionOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.GraphOperation;

/**
 * The cuDNN training graph builds on any machine (TF checks every op's inputs as it is added):
 * one fused forward and one fused backward kernel per recurrent layer and no per-step ops.
 * Running it needs a GPU (CudnnParityTest).
 */
class CudnnTrainingGraphTest {
  @ParameterizedTest
  @CsvSource({"lstm,1,0,last", "lstm,2,16,all", "simple_rnn,2,0,all", "simple_rnn,1,16,last", "gru,1,0,last",
      "gru,2,16,all"})
  void oneFusedKernelEachWayPerLayer(String cell, int layers, int embedding, String lossOn) {
    ModelSpec spec = ModelSpec.charModel(CellType.parse(cell), layers, 24, embedding, 0.2, 30, 9,
        LossOn.parse(lossOn));
    try (TrainingGraph g = TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, SessionOptions.cpuOnly(),
        Network.Recurrence.CUDNN)) {
      Map<String, Integer> types = new HashMap<>();
      g.graph().operations().forEachRemaining(o -> types.merge(o.type(), 1, Integer::sum));
      assertThat(types.get("CudnnRNNV3")).isEqualTo(layers);
      assertThat(types.get("CudnnRNNBackpropV3")).isEqualTo(layers);
      assertThat(types).doesNotContainKeys("Tanh", "Sigmoid", "TanhGrad", "SigmoidGrad");
    }
  }

  /**
   * A layer with recurrent dropout runs unrolled (cuDNN has none; Keras unrolls it too); a cell's
   * dropout on its input alone, and Dropout anywhere, keep the fused kernel.
   */
  @org.junit.jupiter.api.Test
  void aLayerWithRecurrentDropoutRunsUnrolledTheOthersFused() {
    ModelSpec spec = new ModelSpec(List.of(new RecurrentSpec(CellType.GRU, 0.1, 0), new RecurrentSpec(CellType.LSTM, 0.1, 0.2),
        new RecurrentSpec(CellType.SIMPLE_RNN, 0, 0)), 24, 16, List.of(0.1, 0.2, 0.0, 0.1), 30, 9, Head.SOFTMAX,
        LossOn.ALL, 0);
    try (TrainingGraph g = TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, SessionOptions.cpuOnly(),
        Network.Recurrence.CUDNN)) {
      Map<String, Integer> types = new HashMap<>();
      g.graph().operations().forEachRemaining(o -> types.merge(o.type(), 1, Integer::sum));
      assertThat(types.get("CudnnRNNV3")).isEqualTo(2);
      assertThat(types.get("CudnnRNNBackpropV3")).isEqualTo(2);
      assertThat(types).containsKeys("Sigmoid", "SigmoidGrad"); // the LSTM's 30 unrolled steps
    }
  }

  @ParameterizedTest
  @CsvSource({"lstm", "simple_rnn", "gru"})
  void regressionModelsToo(String cell) {
    ModelSpec spec = ModelSpec.regression(CellType.parse(cell), 1, 20, 5, 1);
    try (TrainingGraph g = TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, SessionOptions.cpuOnly(),
        Network.Recurrence.CUDNN)) {
      long fused = 0;
      for (var it = g.graph().operations(); it.hasNext(); ) {
        GraphOperation o = (GraphOperation) it.next();
        fused += o.type().startsWith("CudnnRNN") ? 1 : 0;
      }
      assertThat(fused).isEqualTo(2);
    }
  }
}

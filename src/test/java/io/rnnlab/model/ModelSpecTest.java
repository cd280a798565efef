package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The model as data: Keras's parameter counts, a JSON round trip, and the size limits. */
class ModelSpecTest {
  /** Specs with the "Total params" Keras's model.summary() printed for the same Sequential. */
  static Stream<Arguments> kerasCounts() {
    return Stream.of(
        Arguments.of(ModelSpec.charModel(CellType.LSTM, 1, 128, 0, 0, 10, 22, LossOn.LAST), 80_150L),
        Arguments.of(ModelSpec.charModel(CellType.SIMPLE_RNN, 1, 128, 0, 0, 10, 22, LossOn.LAST), 22_166L),
        Arguments.of(ModelSpec.charModel(CellType.LSTM, 2, 32, 0, 0.1, 10, 31, LossOn.LAST), 17_535L),
        Arguments.of(ModelSpec.charModel(CellType.SIMPLE_RNN, 1, 64, 0, 0, 10, 22, LossOn.LAST), 6_998L),
        // Embedding(65, 256) + 2 x LSTM(512) + Dense(65): 16,640 + 1,574,912 + 2,099,200 + 33,345
        Arguments.of(ModelSpec.charModel(CellType.LSTM, 2, 512, 256, 0.2, 100, 65, LossOn.LAST), 3_724_097L),
        Arguments.of(ModelSpec.regression(CellType.LSTM, 1, 20, 5, 1), 1_781L),
        // saved_models/variants/: gru-embedding, gru-onehot, td-2xgru-celldrop (GRU's bias has two rows)
        Arguments.of(ModelSpec.charModel(CellType.GRU, 1, 16, 8, 0, 10, 40, LossOn.LAST), 2_248L),
        Arguments.of(ModelSpec.charModel(CellType.GRU, 1, 16, 0, 0, 10, 40, LossOn.LAST), 3_464L),
        Arguments.of(ModelSpec.charModel(CellType.GRU, 2, 16, 8, 0, 10, 40, LossOn.ALL), 3_880L));
  }

  @ParameterizedTest
  @MethodSource("kerasCounts")
  void parameterCountIsKerasTotalAndTheSumOfTheWeights(ModelSpec spec, long keras) {
    assertThat(spec.parameterCount()).isEqualTo(keras)
        .isEqualTo(spec.weights().stream().mapToLong(WeightSpec::size).sum());
  }

  @ParameterizedTest
  @MethodSource("kerasCounts")
  void jsonRoundTripGivesTheSameSpec(ModelSpec spec, long ignored) {
    assertThat(ModelSpec.fromJson(spec.toJson(), "test")).isEqualTo(spec);
  }

  /** What spec.json held before per-layer cells and dropout existed: still the same model. */
  static final String OLD_SPEC_JSON = "{\"cell\": \"lstm\", \"layers\": 2, \"units\": 512, \"embedding_dim\": 256,"
      + " \"dropout\": 0.2, \"seq_len\": 100, \"vocab_size\": 65, \"head\": \"softmax\", \"loss_on\": \"last\","
      + " \"input_features\": 0}";

  @Test
  void anOldSpecReadsAsDropoutAfterEachLayerAndAPresetsIsWrittenAsBefore() throws Exception {
    ModelSpec old = ModelSpec.fromJson(OLD_SPEC_JSON, "spec.json");
    assertThat(old).isEqualTo(ModelSpec.charModel(CellType.LSTM, 2, 512, 256, 0.2, 100, 65, LossOn.LAST));
    assertThat(old.dropouts()).containsExactly(0.0, 0.2, 0.2);
    assertThat(old.dropoutAfterEach()).isEqualTo(0.2);
    var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(mapper.readTree(old.toJson())).isEqualTo(mapper.readTree(OLD_SPEC_JSON));
  }

  @Test
  void mixedCellsDropoutAnywhereAndCellDropoutRoundTripThroughJson() throws Exception {
    // Embedding → Dropout(0.05) → GRU(dropout 0.1, recurrent 0.2) → LSTM → Dropout(0.1) → Dense
    ModelSpec spec = new ModelSpec(List.of(new RecurrentSpec(CellType.GRU, 0.1, 0.2), RecurrentSpec.of(CellType.LSTM)),
        16, 8, List.of(0.05, 0.0, 0.1), 10, 40, Head.SOFTMAX, LossOn.LAST, 0);
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(spec.toJson());
    assertThat(json.get("cell").asText()).isEqualTo("gru");
    assertThat(json.get("dropout").asDouble()).isZero();
    assertThat(json.get("dropouts").toString()).isEqualTo("[0.05,0.0,0.1]");
    assertThat(json.get("cells").toString()).isEqualTo("[\"gru\",\"lstm\"]");
    assertThat(json.get("cell_dropout").toString()).isEqualTo("[[0.1,0.2],[0.0,0.0]]");
    assertThat(ModelSpec.fromJson(spec.toJson(), "test")).isEqualTo(spec);
    assertThat(spec.dropoutAfterEach()).isNaN();
    // Keras's names, per class in model order; the state: h of the GRU, then h and c of the LSTM
    assertThat(spec.recurrentLayerName(0)).isEqualTo("gru");
    assertThat(spec.recurrentLayerName(1)).isEqualTo("lstm");
    assertThat(spec.stateSize()).isEqualTo(3 * 16);
    assertThat(spec.describe()).isEqualTo(
        "gru(16)+lstm(16) emb 8 vocab 40 dropout [0.05, 0, 0.1] cell dropout [0.1/0.2, 0/0] seq 10 loss on last");
    assertThat(spec.parameterCount()).isEqualTo(4_360L) // saved_models/variants/gru-lstm: Keras's count
        .isEqualTo(spec.weights().stream().mapToLong(WeightSpec::size).sum());
    ModelSpec lstmSimple = new ModelSpec(List.of(RecurrentSpec.of(CellType.LSTM), RecurrentSpec.of(CellType.SIMPLE_RNN)),
        16, 0, List.of(0.0, 0.0, 0.0), 10, 40, Head.SOFTMAX, LossOn.LAST, 0);
    assertThat(lstmSimple.parameterCount()).isEqualTo(4_856L); // lstm-simplernn
    assertThat(ModelSpec.charModel(CellType.LSTM, 3, 8, 0, 0, 10, 40, LossOn.LAST).recurrentLayerName(2))
        .isEqualTo("lstm_2");
  }

  @Test
  void aBrokenPerLayerFieldIsOneLineNamingIt() {
    String base = OLD_SPEC_JSON.substring(0, OLD_SPEC_JSON.length() - 1);
    assertThatThrownBy(() -> ModelSpec.fromJson(base + ", \"dropouts\": [0.1, 0.2]}", "s.json"))
        .isInstanceOf(UserInputException.class)
        .hasMessage("model spec s.json: dropouts must have 3 rates (after the input, then after each of the 2"
            + " recurrent layers), got 2");
    assertThatThrownBy(() -> ModelSpec.fromJson(base + ", \"cells\": [\"gru\", null]}", "s.json"))
        .hasMessage("model spec s.json: cells must name the cell of each of the 2 layers, got [GRU, null]");
    assertThatThrownBy(() -> ModelSpec.fromJson(base + ", \"cell_dropout\": [[0.1], [0, 0]]}", "s.json"))
        .hasMessage("model spec s.json: cell_dropout must give [dropout, recurrent_dropout] for each of the 2 layers");
    assertThatThrownBy(() -> ModelSpec.fromJson(base + ", \"cell_dropout\": [[0.1, 1.0], [0, 0]]}", "s.json"))
        .hasMessage("model spec s.json: recurrent_dropout must be in [0, 1), got 1.0");
    assertThatThrownBy(() -> ModelSpec.fromJson(base + ", \"dropouts\": [0, 1.5, 0]}", "s.json"))
        .hasMessage("model spec s.json: dropout must be in [0, 1), got 1.5");
  }

  @Test
  void aModelTooLargeToHoldIsRefusedBeforeAnyWeightExists() {
    // 4·8192·(65 + 8192 + 1) + 8193·65
    assertThatThrownBy(() -> ModelSpec.charModel(CellType.LSTM, 1, 8192, 0, 0, 100, 65, LossOn.LAST))
        .isInstanceOf(UserInputException.class)
        .hasMessage("the model would have 271,130,689 parameters, over the 50,000,000 rnnlab trains;"
            + " use fewer units or layers");
    assertThatThrownBy(() -> ModelSpec.charModel(CellType.LSTM, 16, 8192, 0, 0, 100, 65, LossOn.LAST))
        .isInstanceOf(UserInputException.class).hasMessageStartingWith("the model would have 8,324,685,889 parameters");
    // just under the limit is a model
    assertThat(ModelSpec.charModel(CellType.LSTM, 2, 1536, 0, 0, 100, 65, LossOn.LAST).parameterCount())
        .isLessThan(ModelSpec.MAX_PARAMETERS);
  }
}

package io.rnnlab.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
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

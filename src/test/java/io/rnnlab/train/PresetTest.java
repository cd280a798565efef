package io.rnnlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.InvalidSetting;
import io.rnnlab.data.SplitMode;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The presets as composed records: every value the README's preset table states. */
class PresetTest {
  /** name, data, model and training of a preset on one line, in the order of the old flat record. */
  static String flat(Preset p) {
    DataConfig d = p.data();
    Architecture a = p.architecture();
    TrainConfig t = p.train();
    return String.join(" ", List.of(p.name(), d.corpus(), a.cellNames(), a.layers() + "x" + a.units(),
        "emb" + a.embeddingDim(), "drop" + a.dropouts(), "seq" + a.seqLen(), "step" + d.step(),
        "loss-" + a.lossOn().jsonName(), "val" + d.validationFraction(), d.split().name().toLowerCase(),
        "epochs" + t.epochs(), "batch" + t.batchSize(), "lr" + t.adam().learningRate(),
        "valbatches" + t.validationBatches(), "samples" + d.samples(), "seed" + t.seed()));
  }

  @Test
  void presetsAreTheTutorialsSettings() {
    assertThat(Preset.ALL).extracting(PresetTest::flat).containsExactly(
        "sum-rnn sum simple_rnn 1x20 emb0 drop[0.0, 0.0] seq5 step1 loss-last val0.2 contiguous epochs150 batch32 lr0.001 valbatches0 samples1000 seed42",
        "sum-lstm sum lstm 1x20 emb0 drop[0.0, 0.0] seq5 step1 loss-last val0.2 contiguous epochs150 batch32 lr0.001 valbatches0 samples1000 seed42",
        "hello-rnn hello simple_rnn 1x128 emb0 drop[0.0, 0.0] seq10 step1 loss-last val0.0 contiguous epochs100 batch16 lr0.001 valbatches0 samples0 seed42",
        "hello-lstm hello lstm 1x128 emb0 drop[0.0, 0.0] seq10 step1 loss-last val0.0 contiguous epochs100 batch16 lr0.001 valbatches0 samples0 seed42",
        "shakespeare-lstm256 tiny-shakespeare lstm 1x256 emb0 drop[0.0, 0.0] seq100 step1 loss-all val0.1 contiguous epochs10 batch64 lr0.003 valbatches100 samples0 seed42",
        "shakespeare-2x512 tiny-shakespeare lstm 2x512 emb256 drop[0.0, 0.2, 0.2] seq100 step3 loss-last val0.1 random epochs20 batch64 lr0.001 valbatches0 samples0 seed42");
  }

  @Test
  void eachWithReplacesOneFieldAndKeepsTheRest() {
    Preset p = Preset.named("shakespeare-2x512");
    Preset q = p.withArchitecture(p.architecture().withCell(CellType.SIMPLE_RNN))
        .withData(p.data().withSplit(SplitMode.CONTIGUOUS))
        .withTrain(p.train().withBatchSize(8));
    assertThat(q.architecture())
        .isEqualTo(Architecture.uniform(CellType.SIMPLE_RNN, 2, 512, 256, 0.2, 100, LossOn.LAST));
    assertThat(q.architecture().dropouts()).containsExactly(0.0, 0.2, 0.2);
    assertThat(q.data()).isEqualTo(p.data().withSplit(SplitMode.CONTIGUOUS));
    assertThat(q.data().step()).isEqualTo(3);
    assertThat(q.train()).isEqualTo(new TrainConfig(20, 8, AdamConfig.KERAS_DEFAULTS, 42, 0, 0, 10, 3, 0));
    assertThat(q.name()).isEqualTo(p.name());
  }

  @Test
  void dropoutGoesWhereTheFlagsPutIt() {
    Architecture a = Preset.named("shakespeare-2x512").architecture();
    assertThat(a.withDropouts(List.of(0.1, 0.0, 0.3)).dropouts()).containsExactly(0.1, 0.0, 0.3);
    assertThat(a.withDropout(0.5).dropouts()).containsExactly(0.0, 0.5, 0.5);
    // more layers copy the last one and the Dropout after it; fewer keep the first ones
    Architecture mixed = a.withDropouts(List.of(0.1, 0.0, 0.3)).withCell(CellType.GRU);
    assertThat(mixed.withLayers(3).dropouts()).containsExactly(0.1, 0.0, 0.3, 0.3);
    assertThat(mixed.withLayers(3).cellNames()).isEqualTo("gru");
    assertThat(mixed.withLayers(1).dropouts()).containsExactly(0.1, 0.0);
    assertThatThrownBy(() -> a.withDropouts(List.of(0.1, 0.2)))
        .isInstanceOf(InvalidSetting.class)
        .hasMessage("dropouts must give 3 rates (after the input, then after each of the 2 recurrent layers), got 2");
    assertThatThrownBy(() -> a.withDropout(1.0)).hasMessage("dropout must be in [0, 1), got 1.0");
  }

  @Test
  void anOutOfRangeSettingNamesItsField() {
    assertThatThrownBy(() -> TrainConfig.DEFAULTS.withBatchSize(0))
        .isInstanceOf(InvalidSetting.class)
        .hasMessage("batch_size must be in [1, 65536], got 0")
        .satisfies(e -> assertThat(((InvalidSetting) e).messageNaming("--batch-size"))
            .isEqualTo("--batch-size must be in [1, 65536], got 0"));
    assertThatThrownBy(() -> TrainConfig.DEFAULTS.withValidationBatches(-1))
        .hasMessage("validation_batches must be >= 0, got -1");
  }
}

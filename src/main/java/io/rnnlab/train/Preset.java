package io.rnnlab.train;

import io.rnnlab.UserInputException;
import io.rnnlab.data.CorpusSource;
import io.rnnlab.data.DatasetCache;
import io.rnnlab.data.SplitMode;
import io.rnnlab.data.SumTask;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import java.util.Arrays;
import java.util.List;

/**
 * The classic Keras tutorials' settings, by name: plain data in three parts, each its own record
 * with {@code with…} methods. The CLI starts from a preset and each flag replaces one field;
 * a preset states only where it differs from the parts' defaults.
 */
public record Preset(String name, String description, DataConfig data, Architecture architecture, TrainConfig train) {
  private static final String SHAKESPEARE = DatasetCache.TINY_SHAKESPEARE.name();

  public static final List<Preset> ALL = List.of(
      sum("sum-rnn", CellType.SIMPLE_RNN),
      sum("sum-lstm", CellType.LSTM),
      hello("hello-rnn", CellType.SIMPLE_RNN),
      hello("hello-lstm", CellType.LSTM),
      new Preset("shakespeare-lstm256",
          "Tiny Shakespeare, one-hot chars, LSTM(256), seq 100, batch 64 (the Keras LSTM tutorial's "
              + "model); loss on all steps and lr 0.003 learn ~3x faster per step than the tutorial's "
              + "--loss-on last --lr 0.001, which reproduces it exactly",
          DataConfig.of(SHAKESPEARE),
          Architecture.DEFAULT.withUnits(256).withLossOn(LossOn.ALL),
          TrainConfig.DEFAULTS.withEpochs(10).withBatchSize(64)
              .withAdam(AdamConfig.KERAS_DEFAULTS.withLearningRate(0.003)).withValidationBatches(100)),
      new Preset("shakespeare-2x512",
          "Tiny Shakespeare, Embedding(256) + 2x LSTM(512) + Dropout(0.2), seq 100, step 3, "
              + "90/10 random split, batch 64, 20 epochs (reference: test loss 1.4326, acc 0.5768)",
          DataConfig.of(SHAKESPEARE).withStep(3).withSplit(SplitMode.RANDOM),
          Architecture.DEFAULT.withLayers(2).withUnits(512).withEmbeddingDim(256).withDropout(0.2),
          TrainConfig.DEFAULTS.withEpochs(20).withBatchSize(64)));

  private static Preset sum(String name, CellType cell) {
    return new Preset(name,
        "sequence-sum toy: " + cell.kerasName() + "(20) + Dense(1), MSE, 1000 samples of 5 numbers, 80/20",
        DataConfig.of(SumTask.NAME).withValidationFraction(0.2).withSamples(1000),
        Architecture.DEFAULT.withCell(cell).withUnits(20).withSeqLen(5),
        TrainConfig.DEFAULTS.withEpochs(150));
  }

  private static Preset hello(String name, CellType cell) {
    return new Preset(name,
        "the 'hello world' sentence, one-hot chars, " + cell.kerasName() + "(128), seq 10, batch 16, 100 epochs",
        DataConfig.of(CorpusSource.BUILTIN_HELLO).withValidationFraction(0.0),
        Architecture.DEFAULT.withCell(cell).withSeqLen(10),
        TrainConfig.DEFAULTS.withEpochs(100).withBatchSize(16));
  }

  public static Preset named(String name) {
    return ALL.stream().filter(p -> p.name.equals(name)).findFirst().orElseThrow(() ->
        new UserInputException("unknown preset '" + name + "' (known: "
            + String.join(", ", ALL.stream().map(Preset::name).toList()) + ")"));
  }

  public static String[] names() {
    return ALL.stream().map(Preset::name).toArray(String[]::new);
  }

  public Preset withData(DataConfig d) {
    return new Preset(name, description, d, architecture, train);
  }

  public Preset withArchitecture(Architecture a) {
    return new Preset(name, description, data, a, train);
  }

  public Preset withTrain(TrainConfig t) {
    return new Preset(name, description, data, architecture, t);
  }

  @Override
  public String toString() {
    return name + " " + Arrays.asList(architecture.cellNames(), architecture.layers() + "x" + architecture.units(),
        "seq " + architecture.seqLen());
  }
}

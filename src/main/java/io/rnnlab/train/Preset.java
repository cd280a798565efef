package io.rnnlab.train;

import io.rnnlab.UserInputException;
import io.rnnlab.data.SplitMode;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.LossOn;
import java.util.Arrays;
import java.util.List;

/**
 * The classic Keras tutorials' settings, by name. Plain data: the CLI starts from a preset and
 * every flag overrides one field.
 *
 * @param data "hello" (built-in sentence), "tiny-shakespeare" (downloaded, or --data), "sum" (toy)
 * @param samples sum task only: how many sequences to generate
 */
public record Preset(
    String name,
    String description,
    String data,
    CellType cell,
    int layers,
    int units,
    int embeddingDim,
    double dropout,
    int seqLen,
    int step,
    Head head,
    LossOn lossOn,
    double validationFraction,
    SplitMode split,
    int epochs,
    int batchSize,
    double learningRate,
    int validationBatches,
    int samples) {

  public static final List<Preset> ALL = List.of(
      sum("sum-rnn", CellType.SIMPLE_RNN),
      sum("sum-lstm", CellType.LSTM),
      hello("hello-rnn", CellType.SIMPLE_RNN),
      hello("hello-lstm", CellType.LSTM),
      new Preset("shakespeare-lstm256",
          "Tiny Shakespeare, one-hot chars, LSTM(256), seq 100, batch 64 (the Keras LSTM tutorial's "
              + "model); loss on all steps and lr 0.003 learn ~3x faster per step than the tutorial's "
              + "--loss-on last --lr 0.001, which reproduces it exactly",
          "tiny-shakespeare", CellType.LSTM, 1, 256, 0, 0.0, 100, 1, Head.SOFTMAX, LossOn.ALL,
          0.1, SplitMode.CONTIGUOUS, 10, 64, 0.003, 100, 0),
      new Preset("shakespeare-2x512",
          "Tiny Shakespeare, Embedding(256) + 2x LSTM(512) + Dropout(0.2), seq 100, step 3, "
              + "90/10 random split, batch 64, 20 epochs (reference: test loss 1.4326, acc 0.5768)",
          "tiny-shakespeare", CellType.LSTM, 2, 512, 256, 0.2, 100, 3, Head.SOFTMAX, LossOn.LAST,
          0.1, SplitMode.RANDOM, 20, 64, 0.001, 0, 0));

  private static Preset sum(String name, CellType cell) {
    return new Preset(name,
        "sequence-sum toy: " + cell.kerasName() + "(20) + Dense(1), MSE, 1000 samples of 5 numbers, 80/20",
        "sum", cell, 1, 20, 0, 0.0, 5, 1, Head.REGRESSION, LossOn.LAST, 0.2, SplitMode.CONTIGUOUS,
        150, 32, 0.001, 0, 1000);
  }

  private static Preset hello(String name, CellType cell) {
    return new Preset(name,
        "the 'hello world' sentence, one-hot chars, " + cell.kerasName() + "(128), seq 10, batch 16, 100 epochs",
        "hello", cell, 1, 128, 0, 0.0, 10, 1, Head.SOFTMAX, LossOn.LAST, 0.0, SplitMode.CONTIGUOUS,
        100, 16, 0.001, 0, 0);
  }

  public static Preset named(String name) {
    return ALL.stream().filter(p -> p.name.equals(name)).findFirst().orElseThrow(() ->
        new UserInputException("unknown preset '" + name + "' (known: "
            + String.join(", ", ALL.stream().map(Preset::name).toList()) + ")"));
  }

  public static String[] names() {
    return ALL.stream().map(Preset::name).toArray(String[]::new);
  }

  @Override
  public String toString() {
    return name + " " + Arrays.asList(cell.kerasName(), layers + "x" + units, "seq " + seqLen);
  }
}

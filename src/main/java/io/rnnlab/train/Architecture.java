package io.rnnlab.train;

import io.rnnlab.InvalidSetting;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.RecurrentSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Preset}'s model: a {@link ModelSpec} less what the data decides (the vocabulary, or the
 * regression head's features). {@link ModelSpec} checks the sizes once the data is known.
 *
 * @param recurrent the recurrent layers, each its cell and the cell's own dropout (a preset's are
 *     all one cell without; a Keras file read by {@code --init-from} may mix them)
 * @param embeddingDim 0 = one-hot input
 * @param dropouts Dropout rates by position: after the input, then after each recurrent layer
 */
public record Architecture(List<RecurrentSpec> recurrent, int units, int embeddingDim, List<Double> dropouts,
    int seqLen, LossOn lossOn) {

  /** One one-hot LSTM(128) over windows of 100, loss on the last step: the Keras text tutorials' model. */
  public static final Architecture DEFAULT = uniform(CellType.LSTM, 1, 128, 0, 0.0, 100, LossOn.LAST);

  public Architecture {
    recurrent = List.copyOf(recurrent);
    dropouts = List.copyOf(dropouts);
  }

  /** {@code layers} layers of {@code cell}, Dropout({@code dropout}) after each (none after the input). */
  public static Architecture uniform(CellType cell, int layers, int units, int embeddingDim, double dropout,
      int seqLen, LossOn lossOn) {
    return new Architecture(ModelSpec.stack(cell, layers), units, embeddingDim,
        ModelSpec.dropoutAfterEach(layers, dropout), seqLen, lossOn);
  }

  /** The model part of {@code spec} (a Keras file's model, as {@code --init-from} starts from it). */
  public static Architecture of(ModelSpec spec) {
    return new Architecture(spec.recurrent(), spec.units(), spec.embeddingDim(), spec.dropouts(), spec.seqLen(),
        spec.lossOn());
  }

  /** The char model over {@code vocabSize} symbols. */
  public ModelSpec charModel(int vocabSize) {
    return new ModelSpec(recurrent, units, embeddingDim, dropouts, seqLen, vocabSize, Head.SOFTMAX, lossOn, 0);
  }

  /** The sequence → one number model with {@code features} inputs per step (the sum task). */
  public ModelSpec regression(int features) {
    return new ModelSpec(recurrent, units, 0, dropouts, seqLen, 0, Head.REGRESSION, LossOn.LAST, features);
  }

  public int layers() {
    return recurrent.size();
  }

  /** {@code lstm}, or {@code gru+lstm} for mixed cells. */
  public String cellNames() {
    return RecurrentSpec.cellNames(recurrent);
  }

  /** Every layer {@code c}, each keeping its own dropout. */
  public Architecture withCell(CellType c) {
    return new Architecture(recurrent.stream().map(r -> r.withCell(c)).toList(), units, embeddingDim, dropouts,
        seqLen, lossOn);
  }

  /**
   * {@code n} recurrent layers: the first n of these, then copies of the last one, each added
   * layer with the Dropout after it that the last one has.
   */
  public Architecture withLayers(int n) {
    if (n < 1) {
      throw new InvalidSetting("layers", "must be at least 1, got " + n);
    }
    List<RecurrentSpec> r = new ArrayList<>(recurrent.subList(0, Math.min(n, layers())));
    List<Double> d = new ArrayList<>(dropouts.subList(0, Math.min(n, layers()) + 1));
    while (r.size() < n) {
      r.add(recurrent.get(layers() - 1));
      d.add(dropouts.get(layers()));
    }
    return new Architecture(r, units, embeddingDim, d, seqLen, lossOn);
  }

  public Architecture withUnits(int n) {
    return new Architecture(recurrent, n, embeddingDim, dropouts, seqLen, lossOn);
  }

  public Architecture withEmbeddingDim(int n) {
    return new Architecture(recurrent, units, n, dropouts, seqLen, lossOn);
  }

  /** Dropout({@code rate}) after each recurrent layer and none after the input (the tutorials' stacking). */
  public Architecture withDropout(double rate) {
    checkRate("dropout", rate);
    return new Architecture(recurrent, units, embeddingDim, ModelSpec.dropoutAfterEach(layers(), rate), seqLen,
        lossOn);
  }

  /** Dropout rates by position: after the input, then after each recurrent layer (0: none). */
  public Architecture withDropouts(List<Double> rates) {
    if (rates.size() != layers() + 1) {
      throw new InvalidSetting("dropouts", "must give " + (layers() + 1) + " rates (after the input, then after each of the "
          + layers() + " recurrent layers), got " + rates.size());
    }
    rates.forEach(r -> checkRate("dropouts", r));
    return new Architecture(recurrent, units, embeddingDim, rates, seqLen, lossOn);
  }

  public Architecture withSeqLen(int n) {
    return new Architecture(recurrent, units, embeddingDim, dropouts, n, lossOn);
  }

  public Architecture withLossOn(LossOn l) {
    return new Architecture(recurrent, units, embeddingDim, dropouts, seqLen, l);
  }

  private static void checkRate(String field, double rate) {
    if (!(rate >= 0 && rate < 1)) {
      throw new InvalidSetting(field, "must be in [0, 1), got " + rate);
    }
  }
}

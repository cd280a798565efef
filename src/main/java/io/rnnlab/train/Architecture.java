package io.rnnlab.train;

import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;

/**
 * A {@link Preset}'s model: a {@link ModelSpec} less what the data decides (the vocabulary, or the
 * regression head's features). {@link ModelSpec} checks the sizes once the data is known.
 *
 * @param embeddingDim 0 = one-hot input
 */
public record Architecture(CellType cell, int layers, int units, int embeddingDim, double dropout, int seqLen,
    LossOn lossOn) {

  /** One one-hot LSTM(128) over windows of 100, loss on the last step: the Keras text tutorials' model. */
  public static final Architecture DEFAULT = new Architecture(CellType.LSTM, 1, 128, 0, 0.0, 100, LossOn.LAST);

  /** The char model over {@code vocabSize} symbols. */
  public ModelSpec charModel(int vocabSize) {
    return ModelSpec.charModel(cell, layers, units, embeddingDim, dropout, seqLen, vocabSize, lossOn);
  }

  /** The sequence → one number model with {@code features} inputs per step (the sum task). */
  public ModelSpec regression(int features) {
    return ModelSpec.regression(cell, layers, units, seqLen, features);
  }

  public Architecture withCell(CellType c) {
    return new Architecture(c, layers, units, embeddingDim, dropout, seqLen, lossOn);
  }

  public Architecture withLayers(int n) {
    return new Architecture(cell, n, units, embeddingDim, dropout, seqLen, lossOn);
  }

  public Architecture withUnits(int n) {
    return new Architecture(cell, layers, n, embeddingDim, dropout, seqLen, lossOn);
  }

  public Architecture withEmbeddingDim(int n) {
    return new Architecture(cell, layers, units, n, dropout, seqLen, lossOn);
  }

  public Architecture withDropout(double rate) {
    return new Architecture(cell, layers, units, embeddingDim, rate, seqLen, lossOn);
  }

  public Architecture withSeqLen(int n) {
    return new Architecture(cell, layers, units, embeddingDim, dropout, n, lossOn);
  }

  public Architecture withLossOn(LossOn l) {
    return new Architecture(cell, layers, units, embeddingDim, dropout, seqLen, l);
  }
}

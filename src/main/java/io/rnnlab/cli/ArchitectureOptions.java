package io.rnnlab.cli;

import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.train.Architecture;
import picocli.CommandLine.Option;

/** Flags that replace a preset's model ({@link Architecture}); an absent flag keeps the preset's value. */
final class ArchitectureOptions {
  @Option(names = "--cell", description = "lstm or simple_rnn") String cell;
  @Option(names = "--layers") Integer layers;
  @Option(names = "--units") Integer units;
  @Option(names = "--embedding-dim", description = "0 = one-hot input") Integer embeddingDim;
  @Option(names = "--dropout") Double dropout;
  @Option(names = "--seq-len") Integer seqLen;
  @Option(names = "--loss-on", description = "last (Keras return_sequences=False) or all") String lossOn;

  Architecture applyTo(Architecture a) {
    a = cell == null ? a : a.withCell(CellType.parse(cell));
    a = layers == null ? a : a.withLayers(layers);
    a = units == null ? a : a.withUnits(units);
    a = embeddingDim == null ? a : a.withEmbeddingDim(embeddingDim);
    a = dropout == null ? a : a.withDropout(dropout);
    a = seqLen == null ? a : a.withSeqLen(seqLen);
    return lossOn == null ? a : a.withLossOn(LossOn.parse(lossOn));
  }
}

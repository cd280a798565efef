package io.rnnlab.cli;

import io.rnnlab.UserInputException;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.train.Architecture;
import java.util.List;
import picocli.CommandLine.Option;

/** Flags that replace a preset's model ({@link Architecture}); an absent flag keeps the preset's value. */
final class ArchitectureOptions {
  @Option(names = "--cell", description = "lstm, gru or simple_rnn (every recurrent layer)") String cell;
  @Option(names = "--layers") Integer layers;
  @Option(names = "--units") Integer units;
  @Option(names = "--embedding-dim", description = "0 = one-hot input") Integer embeddingDim;
  @Option(names = "--dropout", paramLabel = "R", description = "Dropout(R) after each recurrent layer, none after the input")
  Double dropout;
  @Option(names = "--dropouts", split = ",", paramLabel = "R,R,…",
      description = "Dropout rate by position: after the input (or Embedding), then after each recurrent layer; 0 = none")
  List<Double> dropouts;
  @Option(names = "--seq-len") Integer seqLen;
  @Option(names = "--loss-on", description = "last (Keras return_sequences=False) or all") String lossOn;

  Architecture applyTo(Architecture a) {
    if (dropout != null && dropouts != null) {
      throw new UserInputException("--dropout and --dropouts both place Dropout layers; give one of them");
    }
    a = cell == null ? a : a.withCell(CellType.parse(cell));
    a = layers == null ? a : a.withLayers(layers);
    a = units == null ? a : a.withUnits(units);
    a = embeddingDim == null ? a : a.withEmbeddingDim(embeddingDim);
    a = dropout == null ? a : a.withDropout(dropout);
    a = dropouts == null ? a : a.withDropouts(dropouts);
    a = seqLen == null ? a : a.withSeqLen(seqLen);
    return lossOn == null ? a : a.withLossOn(LossOn.parse(lossOn));
  }
}

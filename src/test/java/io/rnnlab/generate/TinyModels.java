package io.rnnlab.generate;

import io.rnnlab.AtomicFiles;
import io.rnnlab.data.Corpus;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.SavedModelExporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hello-corpus char models with seeded random weights, exported for generation tests. */
public final class TinyModels {
  public static final String HELLO = Corpus.hello().text();
  public static final Vocabulary VOCAB = Vocabulary.fromText(HELLO);
  public static final int SEQ = 10;

  private TinyModels() {}

  public static ModelSpec lstm(int embeddingDim, LossOn lossOn) {
    return ModelSpec.charModel(CellType.LSTM, 1, 16, embeddingDim, 0.0, SEQ, VOCAB.size(), lossOn);
  }

  /**
   * Keras initialisers times 3: untrained weights at their usual scale give nearly uniform
   * probabilities, which would make greedy chains hinge on ties and parity checks trivially small.
   */
  public static Weights weights(ModelSpec spec, long seed) {
    Map<String, HostTensor> scaled = new LinkedHashMap<>();
    WeightInitializer.initialize(spec, seed).asMap().forEach((name, t) -> {
      float[] d = t.data().clone();
      for (int i = 0; i < d.length; i++) {
        d[i] *= 3f;
      }
      scaled.put(name, new HostTensor(t.shape(), d));
    });
    return new Weights(scaled);
  }

  /** An rnnlab SavedModel at {@code dir}. */
  public static Path export(ModelSpec spec, Weights weights, Path dir) throws IOException {
    SavedModelExporter.export(spec, VOCAB, weights, dir, SessionOptions.cpuOnly());
    return dir;
  }

  /** A finished run directory: spec.json, vocab.json and saved_model/. */
  public static Path runDirectory(ModelSpec spec, Weights weights, Path dir) throws IOException {
    AtomicFiles.writeString(RunDirectory.at(dir).spec(), spec.toJson());
    VOCAB.write(RunDirectory.at(dir).vocab());
    export(spec, weights, dir.resolve("saved_model"));
    return dir;
  }
}

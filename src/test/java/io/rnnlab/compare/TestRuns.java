package io.rnnlab.compare;

import io.rnnlab.data.Corpus;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.run.TrainJob;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.SavedModelExporter;
import io.rnnlab.train.Preset;
import io.rnnlab.train.StopSignal;
import io.rnnlab.train.TrainListener;
import io.rnnlab.train.TrainSetup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Run directories for the compare tests: tiny real trainings, or hand-written files. */
public final class TestRuns {
  private TestRuns() {}

  /** A few epochs of a tiny char model on the hello sentence, exported like {@code rnnlab train}. */
  public static Path trainHello(Path dir, CellType cell, int units, int epochs, long seed) throws IOException {
    Preset hello = Preset.named("hello-lstm");
    Preset p = hello.withArchitecture(hello.architecture().withCell(cell).withUnits(units))
        .withData(hello.data().withValidationFraction(0.2))
        .withTrain(hello.train().withEpochs(epochs).withSeed(seed)
            .withAdam(hello.train().adam().withLearningRate(0.01)));
    TrainSetup.Prepared prep = TrainSetup.prepare(p, Corpus::hello);
    TrainJob.Outcome outcome = TrainJob.run(new TrainJob.Request(prep.spec(), prep.vocab(), prep.data(),
        prep.config(), dir, false, null, SessionOptions.cpuOnly()), new TrainListener() {}, new StopSignal());
    SavedModelExporter.export(prep.spec(), prep.vocab(), outcome.weights(), dir.resolve("saved_model"),
        SessionOptions.cpuOnly());
    return dir;
  }

  /** A run directory written by hand: spec.json, vocab.json for char models, and the given CSVs (null = absent). */
  public static Path synthetic(Path dir, ModelSpec spec, Vocabulary vocab, String history, String metrics)
      throws IOException {
    Files.createDirectories(dir);
    Files.writeString(RunDirectory.at(dir).spec(), spec.toJson());
    if (vocab != null) {
      vocab.write(RunDirectory.at(dir).vocab());
    }
    if (history != null) {
      Files.writeString(RunDirectory.at(dir).history(), history);
    }
    if (metrics != null) {
      Files.writeString(RunDirectory.at(dir).metrics(), metrics);
    }
    return dir;
  }

  public static ModelSpec charSpec(CellType cell, int units, int vocab) {
    return ModelSpec.charModel(cell, 1, units, 0, 0.0, 10, vocab, io.rnnlab.model.LossOn.LAST);
  }
}

package io.rnnlab.run;

import io.rnnlab.AtomicFiles;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.RunLock;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.Checkpoints;
import io.rnnlab.train.StopSignal;
import io.rnnlab.train.TrainConfig;
import io.rnnlab.train.TrainListener;
import io.rnnlab.train.TrainState;
import io.rnnlab.train.Trainer;
import io.rnnlab.train.TrainingData;
import io.rnnlab.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One training run in a {@link RunDirectory}, start to finish: lock the directory, write what the
 * run is (spec, config, vocabulary), build the graph, start fresh (seeded Keras initialisers or
 * imported weights) or resume from the newest valid checkpoint, and run the {@link Trainer}.
 */
public final class TrainJob {
  /** What to train and where. {@code vocab} is null for regression; {@code initialWeights} may be null. */
  public record Request(ModelSpec spec, Vocabulary vocab, TrainingData data, TrainConfig config,
      Path out, boolean resume, Weights initialWeights, SessionOptions session) {}

  /** The trainer's result and the weights the run ended with (null when it diverged). */
  public record Outcome(Trainer.Result result, Weights weights) {}

  private TrainJob() {}

  public static Outcome run(Request r, TrainListener listener, StopSignal stop) throws IOException {
    RunDirectory run = RunDirectory.at(r.out());
    run.checkBeforeTraining(r.resume());
    try {
      Files.createDirectories(r.out());
    } catch (IOException e) {
      throw AtomicFiles.unwritable(r.out(), "--out", e);
    }
    try (RunLock lock = RunLock.acquire(r.out())) {
      Checkpoints checkpoints = new Checkpoints(run.checkpoints(), r.config().keepCheckpoints(), listener::message);
      TrainState start = TrainState.start();
      Checkpoints.Checkpoint resumeFrom = null;
      if (r.resume()) {
        resumeFrom = checkpoints.latestValid().orElseThrow(() -> new UserInputException(
            "--resume: no valid checkpoint in " + run.checkpoints()));
        if (!resumeFrom.spec().equals(r.spec())) {
          throw new UserInputException("--resume: the run in " + r.out() + " trained "
              + resumeFrom.spec().describe() + ", but the flags ask for " + r.spec().describe());
        }
        checkSameVocabulary(r, run);
        start = resumeFrom.state();
      } else if (!checkpoints.list().isEmpty()) {
        throw new UserInputException(r.out() + " already holds a run; pass --resume to continue it or choose another --out");
      }
      run.describe(r.spec(), r.config(), r.vocab());
      try (TrainingGraph graph = TrainingGraph.build(r.spec(), r.config().adam(), r.session())) {
        if (resumeFrom != null) {
          graph.restore(resumeFrom.snapshot());
          listener.message("resumed from " + resumeFrom.dir().getFileName() + " (epoch "
              + (start.epoch() + 1) + ", step " + start.globalStep() + ")");
        } else {
          graph.initialize(r.initialWeights() != null
              ? r.initialWeights()
              : WeightInitializer.initialize(r.spec(), r.config().seed()));
        }
        Trainer trainer = new Trainer(r.spec(), r.config(), listener, checkpoints, run.history(), run.metrics(), stop);
        Trainer.Result result = trainer.fit(graph, r.data(), start);
        Weights weights = result.outcome() == Trainer.Outcome.DIVERGED ? null : graph.weights();
        return new Outcome(result, weights);
      }
    }
  }

  private static void checkSameVocabulary(Request r, RunDirectory run) {
    Path file = run.vocab();
    if (r.vocab() != null && Files.exists(file) && !Vocabulary.read(file).equals(r.vocab())) {
      throw new UserInputException("--resume: the corpus gives a different vocabulary than "
          + file + " (" + r.vocab().size() + " vs " + Vocabulary.read(file).size() + " symbols); pass the same --data");
    }
  }
}

package io.rnnlab.train;

import io.rnnlab.AtomicFiles;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.RunLock;
import io.rnnlab.runtime.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One training run in a run directory, start to finish: lock the directory, write spec.json and
 * vocab.json, build the graph, start fresh (seeded Keras initialisers or imported weights) or
 * resume from the newest valid checkpoint, and run the {@link Trainer}.
 *
 * <p>Layout: {@code spec.json}, {@code train.json}, {@code vocab.json}, {@code history.csv}, {@code checkpoints/}
 * (plus {@code saved_model/} and {@code tensorboard/}, written by their own stages).
 */
public final class TrainJob {
  public static final String SPEC = "spec.json";
  public static final String VOCAB = "vocab.json";
  public static final String HISTORY = "history.csv";
  public static final String CHECKPOINTS = "checkpoints";
  /** The final export, written when training ends. */
  public static final String SAVED_MODEL = "saved_model";
  /** Per-epoch timing beside Keras's history: epoch, steps, wall_seconds, chars_per_second. */
  public static final String METRICS = "metrics.csv";
  /** How the run trains ({@link TrainConfig}: epochs, batch, Adam, seed, …), rewritten at every start. */
  public static final String TRAIN = "train.json";

  /** What to train and where. {@code vocab} is null for regression; {@code initialWeights} may be null. */
  public record Request(ModelSpec spec, Vocabulary vocab, TrainingData data, TrainConfig config,
      Path out, boolean resume, Weights initialWeights, SessionOptions session) {}

  /** The trainer's result and the weights the run ended with (null when it diverged). */
  public record Outcome(Trainer.Result result, Weights weights) {}

  private TrainJob() {}

  public static Outcome run(Request r, TrainListener listener, StopSignal stop) throws IOException {
    checkRunDirectory(r);
    try {
      Files.createDirectories(r.out());
    } catch (IOException e) {
      throw AtomicFiles.unwritable(r.out(), "--out", e);
    }
    try (RunLock lock = RunLock.acquire(r.out())) {
      Checkpoints checkpoints = new Checkpoints(r.out().resolve(CHECKPOINTS), r.config().keepCheckpoints(),
          listener::message);
      TrainState start = TrainState.start();
      Checkpoints.Checkpoint resumeFrom = null;
      if (r.resume()) {
        resumeFrom = checkpoints.latestValid().orElseThrow(() -> new UserInputException(
            "--resume: no valid checkpoint in " + r.out().resolve(CHECKPOINTS)));
        if (!resumeFrom.spec().equals(r.spec())) {
          throw new UserInputException("--resume: the run in " + r.out() + " trained "
              + resumeFrom.spec().describe() + ", but the flags ask for " + r.spec().describe());
        }
        checkSameVocabulary(r);
        start = resumeFrom.state();
      } else if (!checkpoints.list().isEmpty()) {
        throw new UserInputException(r.out() + " already holds a run; pass --resume to continue it or choose another --out");
      }
      AtomicFiles.writeString(r.out().resolve(SPEC), r.spec().toJson());
      AtomicFiles.writeString(r.out().resolve(TRAIN), r.config().toJson());
      if (r.vocab() != null) {
        r.vocab().write(r.out().resolve(VOCAB));
      }
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
        Trainer trainer = new Trainer(r.spec(), r.config(), listener, checkpoints,
            r.out().resolve(HISTORY), r.out().resolve(METRICS), stop);
        Trainer.Result result = trainer.fit(graph, r.data(), start);
        Weights weights = result.outcome() == Trainer.Outcome.DIVERGED ? null : graph.weights();
        return new Outcome(result, weights);
      }
    }
  }

  /**
   * What can be known before anything is created: --out names a directory, a resumed run has
   * checkpoints, and nothing the run writes is blocked by a directory or file of the wrong kind
   * (which would otherwise fail after an epoch of training).
   */
  private static void checkRunDirectory(Request r) {
    if (r.out().toString().isBlank()) {
      throw new UserInputException("--out must name a directory, got an empty path");
    }
    for (String dir : new String[] {CHECKPOINTS, SAVED_MODEL, TensorBoardLogger.DIR}) {
      Path p = r.out().resolve(dir);
      if (Files.exists(p) && !Files.isDirectory(p)) {
        throw new UserInputException(p + " is a file, where the run writes its " + dir + "/ directory; move it away");
      }
    }
    Path checkpoints = r.out().resolve(CHECKPOINTS);
    if (r.resume() && !Files.isDirectory(checkpoints)) {
      throw new UserInputException("--resume: no checkpoints in " + r.out() + " (" + checkpoints
          + " does not exist); start the run without --resume");
    }
    for (String file : new String[] {SPEC, TRAIN, VOCAB, HISTORY, METRICS}) {
      Path p = r.out().resolve(file);
      if (Files.exists(p) && !Files.isRegularFile(p)) {
        throw new UserInputException(p + " is not a regular file, where the run writes its " + file + "; move it away");
      }
    }
  }

  private static void checkSameVocabulary(Request r) {
    Path file = r.out().resolve(VOCAB);
    if (r.vocab() != null && Files.exists(file) && !Vocabulary.read(file).equals(r.vocab())) {
      throw new UserInputException("--resume: the corpus gives a different vocabulary than "
          + file + " (" + r.vocab().size() + " vs " + Vocabulary.read(file).size() + " symbols); pass the same --data");
    }
  }
}

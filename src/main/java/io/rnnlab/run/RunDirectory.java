package io.rnnlab.run;

import io.rnnlab.AtomicFiles;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.savedmodel.RnnlabModel;
import io.rnnlab.savedmodel.SavedModelInspector;
import io.rnnlab.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * A run directory ({@code rnnlab train --out DIR}): the one place that knows its layout, and the
 * reading and writing of the files that describe the run.
 *
 * <pre>
 * spec.json      the model ({@link ModelSpec})         train.json   how it trains ({@link TrainConfig})
 * vocab.json     char models' vocabulary              history.csv  Keras CSVLogger history
 * metrics.csv    per-epoch timing                     checkpoints/ {@link io.rnnlab.train.Checkpoints}
 * saved_model/   the export when training ends        tensorboard/ event files
 * </pre>
 *
 * (plus {@code .lock}, {@link io.rnnlab.runtime.RunLock}'s while a process trains here).
 */
public final class RunDirectory {
  private static final String SPEC = "spec.json";
  private static final String TRAIN = "train.json";
  private static final String VOCAB = "vocab.json";
  private static final String HISTORY = "history.csv";
  private static final String METRICS = "metrics.csv";
  private static final String CHECKPOINTS = "checkpoints";
  private static final String SAVED_MODEL = "saved_model";
  private static final String TENSORBOARD = "tensorboard";

  private final Path dir;

  private RunDirectory(Path dir) {
    this.dir = dir;
  }

  public static RunDirectory at(Path dir) {
    return new RunDirectory(dir);
  }

  /** Where a run goes when {@code --out} is not given: {@code runs/<preset>-<yyyyMMdd-HHmmss>}. */
  public static RunDirectory fresh(String preset) {
    return at(Path.of("runs", preset + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
  }

  public Path path() {
    return dir;
  }

  public Path spec() {
    return dir.resolve(SPEC);
  }

  /** Per-epoch timing beside Keras's history: epoch, steps, wall_seconds, chars_per_second. */
  public Path metrics() {
    return dir.resolve(METRICS);
  }

  /** How the run trains ({@link TrainConfig}: epochs, batch, Adam, seed, …), rewritten at every start. */
  public Path train() {
    return dir.resolve(TRAIN);
  }

  public Path vocab() {
    return dir.resolve(VOCAB);
  }

  public Path history() {
    return dir.resolve(HISTORY);
  }

  public Path checkpoints() {
    return dir.resolve(CHECKPOINTS);
  }

  /** The final export, written when training ends. */
  public Path savedModel() {
    return dir.resolve(SAVED_MODEL);
  }

  public Path tensorboard() {
    return dir.resolve(TENSORBOARD);
  }

  public ModelSpec readSpec() {
    return ModelSpec.read(spec());
  }

  public Vocabulary readVocabulary() {
    return Vocabulary.read(vocab());
  }

  /** {@code train.json}, absent in runs trained before it was written. */
  public Optional<TrainConfig> readTrainConfig() {
    return Files.isRegularFile(train()) ? Optional.of(TrainConfig.read(train())) : Optional.empty();
  }

  /** What the run is: spec.json, train.json and (char models) vocab.json, each written atomically. */
  void describe(ModelSpec spec, TrainConfig config, Vocabulary vocab) throws IOException {
    AtomicFiles.writeString(spec(), spec.toJson());
    AtomicFiles.writeString(train(), config.toJson());
    if (vocab != null) {
      vocab.write(vocab());
    }
  }

  /**
   * What can be known before anything is created: the directory is named, a resumed run has
   * checkpoints, and nothing the run writes is blocked by a directory or file of the wrong kind
   * (which would otherwise fail after an epoch of training).
   */
  void checkBeforeTraining(boolean resume) {
    if (dir.toString().isBlank()) {
      throw new UserInputException("--out must name a directory, got an empty path");
    }
    for (String sub : new String[] {CHECKPOINTS, SAVED_MODEL, TENSORBOARD}) {
      Path p = dir.resolve(sub);
      if (Files.exists(p) && !Files.isDirectory(p)) {
        throw new UserInputException(p + " is a file, where the run writes its " + sub + "/ directory; move it away");
      }
    }
    if (resume && !Files.isDirectory(checkpoints())) {
      throw new UserInputException("--resume: no checkpoints in " + dir + " (" + checkpoints()
          + " does not exist); start the run without --resume");
    }
    for (String file : new String[] {SPEC, TRAIN, VOCAB, HISTORY, METRICS}) {
      Path p = dir.resolve(file);
      if (Files.exists(p) && !Files.isRegularFile(p)) {
        throw new UserInputException(p + " is not a regular file, where the run writes its " + file + "; move it away");
      }
    }
  }

  /**
   * The model a user names with {@code path} (generate, predict, compare): a run directory stands
   * for its {@code saved_model/}; any other path for itself, which {@link
   * io.rnnlab.savedmodel.CharModels#open} tells apart.
   *
   * @throws UserInputException for a run directory that has not exported its model yet
   */
  public static Path model(Path path) {
    Optional<Path> exported = exportOf(path);
    if (exported.isPresent()) {
      return exported.get();
    }
    if (Files.isDirectory(path) && !Files.isRegularFile(path.resolve(SavedModelInspector.GRAPH_FILE))
        && Files.isRegularFile(at(path).spec())) {
      throw new UserInputException("run directory " + path + " has no saved_model/ yet (the run has not finished); "
          + "finish it with rnnlab train --resume --out " + path);
    }
    return path;
  }

  /**
   * As {@link #model}, for {@code inspect}, which describes any SavedModel and points a run
   * without one at {@code rnnlab export}.
   */
  public static Path savedModelToInspect(Path path) {
    Optional<Path> exported = exportOf(path);
    if (exported.isPresent()) {
      return exported.get();
    }
    RunDirectory run = at(path);
    if (Files.isDirectory(path) && !SavedModelInspector.hasGraph(path)
        && (Files.exists(run.checkpoints()) || Files.exists(run.spec()))) {
      throw new UserInputException(path + " has no " + SavedModelInspector.GRAPH_FILE
          + "; it looks like an rnnlab run directory: use " + run.savedModel() + " or 'rnnlab export --run " + path + "'");
    }
    return path;
  }

  /** A run directory's exported model, when {@code path} is a run directory (not itself a model) and has one. */
  private static Optional<Path> exportOf(Path path) {
    if (!Files.isDirectory(path) || RnnlabModel.isSavedModel(path)) {
      return Optional.empty();
    }
    Path saved = at(path).savedModel();
    return RnnlabModel.isSavedModel(saved) ? Optional.of(saved) : Optional.empty();
  }

  @Override
  public String toString() {
    return dir.toString();
  }
}

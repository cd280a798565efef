package io.rnnlab.interop;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.CharModel;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.runtime.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A SavedModel rnnlab exported ({@link SavedModelExporter}), as a {@link CharModel}: found in a
 * run directory ({@code saved_model/}) or given directly (a directory with {@code
 * assets/spec.json} and {@code assets/vocab.json}), loaded with tag {@code serve}.
 *
 * <p>Both signatures are called through a {@link SignatureCall}: feeds and fetches resolved once,
 * input buffers reused while the batch size stays the same, and TF's C API instead of TF Java's
 * runner where possible. At one character per call, {@code SessionFunction.call} spends more time
 * around the step than in it (docs/BENCHMARKS.md, Generation). Not thread-safe.
 */
public final class RnnlabSavedModel implements CharModel {
  private final Path dir;
  private final ModelSpec spec;
  private final Vocabulary vocab;
  private final SavedModelBundle bundle;
  private final SignatureCall serving;
  private final SignatureCall step; // null: not exported (an older or regression model)

  private RnnlabSavedModel(Path dir, ModelSpec spec, Vocabulary vocab, SavedModelBundle bundle) {
    this.dir = dir;
    this.spec = spec;
    this.vocab = vocab;
    this.bundle = bundle;
    this.serving = SignatureCall.open(bundle, InferenceGraph.SERVING, List.of("inputs"), List.of("probabilities"));
    try {
      this.step = bundle.signatures().stream().anyMatch(s -> s.key().equals(InferenceGraph.STEP))
          ? SignatureCall.open(bundle, InferenceGraph.STEP, List.of("char_ids", "state"), List.of("probabilities", "state"))
          : null;
    } catch (RuntimeException e) {
      serving.close();
      throw e;
    }
  }

  /**
   * The rnnlab SavedModel directory {@code path} is or holds: {@code path} itself when it has
   * {@code saved_model.pb} and {@code assets/spec.json}, else {@code path/saved_model} when that
   * does (a run directory).
   */
  public static Optional<Path> locate(Path path) {
    for (Path candidate : new Path[] {path, path.resolve("saved_model")}) {
      if (Files.isRegularFile(candidate.resolve("saved_model.pb"))
          && Files.isRegularFile(candidate.resolve("assets").resolve(SavedModelExporter.SPEC))) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Opens {@code path} (see {@link #locate}). {@code vocabOverride}, when not null, replaces
   * {@code assets/vocab.json} and must have the model's vocabulary size.
   */
  public static RnnlabSavedModel open(Path path, Path vocabOverride, SessionOptions options) {
    Path dir = locate(path).orElseThrow(() -> new UserInputException(path
        + " is not an rnnlab model: expected saved_model.pb and assets/spec.json in it or in its saved_model/"));
    Path assets = dir.resolve("assets");
    ModelSpec spec = ModelSpec.read(assets.resolve(SavedModelExporter.SPEC));
    if (!spec.isCharModel()) {
      throw new UserInputException(dir + " holds a regression model (" + spec.describe()
          + "); only char models generate text");
    }
    Path vocabFile = vocabOverride != null ? vocabOverride : assets.resolve(SavedModelExporter.VOCAB);
    Vocabulary vocab = Vocabulary.read(vocabFile);
    if (vocab.size() != spec.vocabSize()) {
      throw new UserInputException("vocabulary " + vocabFile + " has " + vocab.size()
          + " characters but the model " + dir + " was trained on " + spec.vocabSize()
          + "; pass the vocab.json of the run that trained it");
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.loader(dir.toString()).withTags("serve")
          .withConfigProto(options.toConfig()).load();
    } catch (TensorFlowException e) {
      throw new UserInputException("cannot load SavedModel " + dir + ": " + e.getMessage(), e);
    }
    try {
      checkSpecFitsGraph(dir, spec, bundle);
      return new RnnlabSavedModel(dir, spec, vocab, bundle);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * {@code assets/spec.json} must describe the graph beside it: an edited or swapped spec would
   * otherwise fail deep inside TensorFlow at the first window, or feed the step a state of the
   * wrong width.
   */
  private static void checkSpecFitsGraph(Path dir, ModelSpec spec, SavedModelBundle bundle) {
    List<Long> input = spec.oneHotInput() ? List.of((long) spec.seqLen(), (long) spec.vocabSize())
        : List.of((long) spec.seqLen());
    for (SavedModelInspector.SignatureInfo s : SavedModelInspector.signatures(bundle)) {
      String name = s.key().equals(InferenceGraph.SERVING) ? "inputs" : s.key().equals(InferenceGraph.STEP) ? "state" : null;
      List<Long> expected = s.key().equals(InferenceGraph.SERVING) ? input : List.of((long) spec.stateSize());
      for (SavedModelInspector.TensorInfo t : s.inputs()) {
        boolean fits = t.shape() != null && !t.shape().isEmpty()
            && t.shape().subList(1, t.shape().size()).equals(expected);
        if (t.name().equals(name) && !fits) {
          throw new UserInputException(dir.resolve("assets").resolve(SavedModelExporter.SPEC) + " describes "
              + spec.describe() + ", but the graph's " + s.key() + " signature takes " + t.type()
              + "; the spec does not belong to this SavedModel");
        }
      }
    }
  }

  public ModelSpec spec() {
    return spec;
  }

  @Override
  public Vocabulary vocabulary() {
    return vocab;
  }

  @Override
  public int seqLen() {
    return spec.seqLen();
  }

  @Override
  public boolean hasStep() {
    return step != null;
  }

  @Override
  public int stateSize() {
    return step == null ? 0 : spec.stateSize();
  }

  @Override
  public float[][] predictWindow(int[][] windows) {
    int rows = windows.length;
    int seq = spec.seqLen();
    for (int[] w : windows) {
      if (w.length != seq) {
        throw new IllegalArgumentException("windows must have " + seq + " ids, got " + w.length);
      }
    }
    if (spec.oneHotInput()) {
      int v = spec.vocabSize();
      float[] x = new float[rows * seq * v];
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < seq; t++) {
          x[(r * seq + t) * v + checkId(windows[r][t])] = 1f;
        }
      }
      serving.feedFloats(0, x, rows, seq, v);
    } else {
      int[] x = new int[rows * seq];
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < seq; t++) {
          x[r * seq + t] = checkId(windows[r][t]);
        }
      }
      serving.feedInts(0, x, rows, seq);
    }
    float[] probs = serving.run()[0];
    // Loss on all steps: [rows, seq, vocab]; the next character is the last step's prediction.
    int perRow = probs.length / rows;
    return rows(probs, rows, perRow - spec.vocabSize(), spec.vocabSize());
  }

  @Override
  public float[][] step(int[] ids, float[][] state) {
    if (step == null) {
      throw new IllegalStateException(describe() + " has no step signature");
    }
    int rows = ids.length;
    int s = spec.stateSize();
    int[] checked = new int[rows];
    float[] flat = new float[rows * s];
    for (int r = 0; r < rows; r++) {
      checked[r] = checkId(ids[r]);
      System.arraycopy(state[r], 0, flat, r * s, s);
    }
    step.feedInts(0, checked, rows);
    step.feedFloats(1, flat, rows, s);
    float[][] out = step.run();
    for (int r = 0; r < rows; r++) {
      System.arraycopy(out[1], r * s, state[r], 0, s);
    }
    return rows(out[0], rows, 0, spec.vocabSize());
  }

  @Override
  public String describe() {
    return "rnnlab " + spec.describe() + " (" + dir + ")";
  }

  @Override
  public void close() {
    serving.close();
    if (step != null) {
      step.close();
    }
    bundle.close();
  }

  private int checkId(int id) {
    if (id < 0 || id >= spec.vocabSize()) {
      throw new IllegalArgumentException("char id " + id + " outside the vocabulary of " + spec.vocabSize());
    }
    return id;
  }

  /** Rows of {@code width} values starting at {@code offset} within each of {@code n} equal blocks. */
  private static float[][] rows(float[] flat, int n, int offset, int width) {
    int block = flat.length / n;
    float[][] out = new float[n][width];
    for (int r = 0; r < n; r++) {
      System.arraycopy(flat, r * block + offset, out[r], 0, width);
    }
    return out;
  }
}

package io.rnnlab.savedmodel;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.CharModel;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.keras.KerasArchive;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.runtime.SessionOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A model on rnnlab's own graph, as a {@link CharModel}: its two signatures ({@link
 * InferenceGraph}: {@code serving_default} and {@code step}) over a session that this object
 * owns. Two sources:
 *
 * <ul>
 *   <li>an rnnlab SavedModel ({@link SavedModelExporter}), found in a run directory ({@code
 *       saved_model/}) or given directly (a directory with {@code assets/spec.json} and {@code
 *       assets/vocab.json}), loaded with tag {@code serve};
 *   <li>a Keras {@code .keras} file ({@link KerasArchive}): its spec and weights built into the
 *       same graph in memory, so a model trained in Keras gets the one-step path too.
 * </ul>
 *
 * <p>Both signatures are called through a {@link SignatureCall}: feeds and fetches resolved once,
 * input buffers reused while the batch size stays the same, and TF's C API instead of TF Java's
 * runner where possible. At one character per call, {@code SessionFunction.call} spends more time
 * around the step than in it (docs/BENCHMARKS.md, Generation). Not thread-safe.
 */
public final class RnnlabModel implements CharModel {
  /**
   * The window a Keras model that takes sequences of any length gets for window mode: the
   * tutorials' seq_len. Stateful mode, its default, needs none.
   */
  public static final int ANY_LENGTH_WINDOW = 100;

  private final String source;
  private final ModelSpec spec;
  private final Vocabulary vocab;
  private final AutoCloseable owner; // the SavedModelBundle or InferenceGraph holding the session
  private final SignatureCall serving;
  private final SignatureCall step; // null: not exported (an older or regression model)
  private final boolean stepByDefault;

  private RnnlabModel(String source, ModelSpec spec, Vocabulary vocab, AutoCloseable owner,
      Function<String, SignatureCall> signatures, boolean hasStep, boolean stepByDefault) {
    this.source = source;
    this.spec = spec;
    this.vocab = vocab;
    this.owner = owner;
    this.serving = signatures.apply(InferenceGraph.SERVING);
    try {
      this.step = hasStep ? signatures.apply(InferenceGraph.STEP) : null;
    } catch (RuntimeException e) {
      serving.close();
      throw e;
    }
    this.stepByDefault = hasStep && stepByDefault;
  }

  /** The tensors rnnlab feeds and fetches of signature {@code key}, in the order the calls use. */
  private static List<String> inputs(String key) {
    return key.equals(InferenceGraph.STEP) ? List.of("char_ids", "state") : List.of("inputs");
  }

  private static List<String> outputs(String key) {
    return key.equals(InferenceGraph.STEP) ? List.of("probabilities", "state") : List.of("probabilities");
  }

  /** Whether {@code dir} is an rnnlab SavedModel: {@code saved_model.pb} and {@code assets/spec.json}. */
  public static boolean isSavedModel(Path dir) {
    return Files.isRegularFile(dir.resolve(SavedModelInspector.GRAPH_FILE))
        && Files.isRegularFile(dir.resolve("assets").resolve(SavedModelExporter.SPEC));
  }

  /**
   * Opens the rnnlab SavedModel {@code dir} (see {@link #isSavedModel}). {@code vocabOverride},
   * when not null, replaces {@code assets/vocab.json} and must have the model's vocabulary size.
   */
  public static RnnlabModel open(Path dir, Path vocabOverride, SessionOptions options) {
    if (!isSavedModel(dir)) {
      throw new UserInputException(dir + " is not an rnnlab model: expected saved_model.pb and assets/spec.json in it");
    }
    Path assets = dir.resolve("assets");
    ModelSpec spec = ModelSpec.read(assets.resolve(SavedModelExporter.SPEC));
    requireCharModel(spec, dir);
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
      boolean hasStep = bundle.signatures().stream().anyMatch(s -> s.key().equals(InferenceGraph.STEP));
      return new RnnlabModel(dir.toString(), spec, vocab, bundle,
          key -> SignatureCall.open(bundle, key, inputs(key), outputs(key)), hasStep, true);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  /**
   * Builds a Keras {@code .keras} file's model. The vocabulary is {@code vocabOverride}, else the
   * first of {@link VocabularyLookup#kerasCandidates} that exists.
   *
   * <p>Generation defaults to what the Keras model computes on the input it was built for: the
   * tutorials' sliding window for a fixed window length (a stateful run would carry the state
   * past it, which Keras never does), the one-step path for a model that takes any length (the
   * same as Keras running it on the whole text).
   */
  public static RnnlabModel openKeras(Path file, Path vocabOverride, SessionOptions options) {
    KerasArchive.Model m = KerasArchive.read(file, ANY_LENGTH_WINDOW, false); // vocabulary: below
    requireCharModel(m.spec(), file);
    Vocabulary vocab = VocabularyLookup.findForKeras(file, vocabOverride).requireSize(m.spec().vocabSize(), file);
    InferenceGraph graph = InferenceGraph.build(m.spec(), m.weights(), options);
    try {
      return new RnnlabModel(file + (m.anyLength() ? ", any length" : ""), m.spec(), vocab, graph,
          key -> SignatureCall.open(graph.graph(), graph.session(), graph.signature(key), inputs(key), outputs(key)),
          true, stepByDefault(m));
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** The default above: the step path only for a Keras model built for any length. */
  private static boolean stepByDefault(KerasArchive.Model m) {
    return m.anyLength();
  }

  /**
   * What {@link #openKeras} makes of a {@code .keras} file, without building the graph ({@code
   * inspect}).
   *
   * @param vocabulary the one {@link #openKeras} would use; null when none is found or the model
   *     is not a char model
   * @param defaultMode how {@code generate} runs it by default; null for a regression model
   * @param problem why {@code generate} cannot run it; null when it can
   */
  public record KerasFit(KerasArchive.Model model, VocabularyLookup.Found vocabulary, Mode defaultMode,
      String problem) {}

  public static KerasFit inspectKeras(Path file, Path vocabOverride) {
    KerasArchive.Model m = KerasArchive.read(file, ANY_LENGTH_WINDOW, false); // vocabulary: below
    if (!m.spec().isCharModel()) {
      return new KerasFit(m, null, null, "a regression model; only char models generate text");
    }
    Mode mode = stepByDefault(m) ? Mode.STATEFUL : Mode.WINDOW;
    VocabularyLookup.Found found = null;
    try {
      found = VocabularyLookup.findForKeras(file, vocabOverride);
      found.requireSize(m.spec().vocabSize(), file);
      return new KerasFit(m, found, mode, null);
    } catch (UserInputException e) {
      return new KerasFit(m, found, mode, e.getMessage());
    }
  }

  private static void requireCharModel(ModelSpec spec, Path where) {
    if (!spec.isCharModel()) {
      throw new UserInputException(where + " holds a regression model (" + spec.describe()
          + "); only char models generate text");
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
  public boolean stepByDefault() {
    return stepByDefault;
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
    return "rnnlab " + spec.describe() + " (" + source + ")";
  }

  @Override
  public void close() {
    serving.close();
    if (step != null) {
      step.close();
    }
    try {
      owner.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing " + source + ": " + e.getMessage(), e);
    }
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

package io.rnnlab.interop;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rnnlab.UserInputException;
import io.rnnlab.runtime.SessionOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;

/**
 * Opens any SavedModel directory (rnnlab's or one written by Python) and says what it holds: tags,
 * signatures, and each input and output with dtype and shape.
 *
 * <p>Everything that can be wrong with the files is found before TensorFlow sees them, or
 * translated from TensorFlow's exception, into one-line {@link UserInputException}s. Two checks
 * exist because TensorFlow alone gets them wrong: {@code saved_model.pb} is parsed in Java first
 * (a corrupt file then fails with a readable message instead of a native error), and a missing
 * {@code variables/} is reported up front, because TensorFlow loads such a model without complaint
 * and only fails on the first call ("Could not find variable ...").
 */
public final class SavedModelInspector {
  public static final String SERVE_TAG = "serve";
  static final String GRAPH_FILE = "saved_model.pb";
  static final String TEXT_GRAPH_FILE = "saved_model.pbtxt";
  static final String VARIABLES = "variables";
  static final String VARIABLES_INDEX = "variables.index";

  private SavedModelInspector() {}

  /** One input or output of a signature; {@code shape} is null when even the rank is unknown. */
  public record TensorInfo(String name, String dtype, List<Long> shape) {
    public TensorInfo {
      shape = shape == null ? null : List.copyOf(shape);
    }

    public int rank() {
      return shape == null ? -1 : shape.size();
    }

    /** Size of dimension {@code d}, -1 when free. */
    public long dim(int d) {
      return shape.get(d);
    }

    /** {@code float32[-1, 10, 22]}, the form messages and {@code inspect} use. */
    public String type() {
      return dtype + (shape == null ? "[unknown rank]" : shape.toString());
    }

    @Override
    public String toString() {
      return name + " " + type();
    }
  }

  /** A signature with its inputs and outputs sorted by name. */
  public record SignatureInfo(String key, String methodName, List<TensorInfo> inputs, List<TensorInfo> outputs) {
    public SignatureInfo {
      methodName = methodName == null ? "" : methodName;
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
    }
  }

  /** What {@link #inspect} found; signatures in {@link #signatures} order. */
  public record Description(Path dir, List<String> tags, List<SignatureInfo> signatures) {
    public Description {
      tags = List.copyOf(tags);
      signatures = List.copyOf(signatures);
    }
  }

  /**
   * Whether {@code rnnlab generate} can use the model, judged from its signatures and the files
   * beside it (no TensorFlow call): the signature, input form and vocabulary it would use, or the
   * one-line reason it cannot ({@code problem}, null when none). {@code vocab} may be null.
   */
  public record CharModelFit(String signature, String inputForm, String inputDtype, int seqLen, int vocabDim,
      Path vocabularyFile, int vocabularySize, String problem) {
    public boolean ok() {
      return problem == null;
    }
  }

  public static CharModelFit charModelFit(Description d, Path vocab) {
    CharSignature sig;
    try {
      sig = CharSignature.of(CharSignature.choose(d.signatures(), d.dir()));
    } catch (UserInputException e) {
      return new CharModelFit(null, null, null, 0, 0, null, 0, e.getMessage());
    }
    Path file = null;
    int size = 0;
    String problem = null;
    try {
      VocabularyLookup.Found found = VocabularyLookup.find(d.dir(), vocab);
      file = found.file();
      size = found.vocabulary().size();
      if (sig.vocabDim() > 0 && size != sig.vocabDim()) {
        problem = "vocabulary " + file + " has " + size + " symbols, the model's output has " + sig.vocabDim();
      }
    } catch (UserInputException e) {
      problem = e.getMessage();
    }
    return new CharModelFit(sig.key(), sig.form().label, sig.input().dtype(), sig.seqLen(), sig.vocabDim(), file,
        size, problem);
  }

  /** Loads the model once (which also restores its weights) and describes it. */
  public static Description inspect(Path dir) {
    try (SavedModelBundle bundle = load(dir, SessionOptions.cpuOnly())) {
      return new Description(dir, bundle.metaGraphDef().getMetaInfoDef().getTagsList(), signatures(bundle));
    }
  }

  /**
   * Every callable signature of a loaded bundle ({@code __saved_model_init_op} is not one),
   * {@code serving_default} first, then by key.
   */
  public static List<SignatureInfo> signatures(SavedModelBundle bundle) {
    return bundle.signatures().stream()
        .map(SavedModelInspector::describe)
        .sorted(Comparator.comparing((SignatureInfo s) -> !s.key().equals(CharSignature.SERVING_DEFAULT))
            .thenComparing(SignatureInfo::key))
        .toList();
  }

  static SignatureInfo describe(Signature s) {
    return new SignatureInfo(s.key(), s.methodName(), tensors(s.getInputs()), tensors(s.getOutputs()));
  }

  private static List<TensorInfo> tensors(Map<String, Signature.TensorDescription> byName) {
    List<TensorInfo> out = new ArrayList<>();
    byName.forEach((name, d) -> out.add(new TensorInfo(name, dtypeName(d.dataType), shape(d.shape))));
    out.sort(Comparator.comparing(TensorInfo::name));
    return out;
  }

  private static List<Long> shape(Shape s) {
    return s == null || s.isUnknown() ? null : s.toListOrNull();
  }

  /** NumPy's names, which is what a Python user sees in {@code saved_model_cli} and Keras. */
  static String dtypeName(DataType t) {
    return switch (t) {
      case DT_FLOAT -> "float32";
      case DT_DOUBLE -> "float64";
      case DT_HALF -> "float16";
      default -> t.name().replaceFirst("^DT_", "").toLowerCase(Locale.ROOT);
    };
  }

  /**
   * Validates {@code dir} and loads its {@code serve} meta graph. The caller owns the bundle.
   *
   * @throws UserInputException naming the directory and what is wrong with it
   */
  public static SavedModelBundle load(Path dir, SessionOptions options) {
    checkFiles(dir);
    try {
      return SavedModelBundle.loader(dir.toString())
          .withTags(SERVE_TAG)
          .withConfigProto(options.toConfig())
          .load();
    } catch (TensorFlowException e) {
      throw new UserInputException(dir + ": " + loadFailure(e), e);
    }
  }

  private static String loadFailure(TensorFlowException e) {
    String first = firstLine(e.getMessage());
    String all = String.valueOf(e.getMessage());
    // TF names the failing node (RestoreV2) or file (variables/...) only somewhere in its message
    if (all.contains("RestoreV2") || all.contains("/" + VARIABLES + "/")) {
      return "cannot restore the weights from " + VARIABLES + "/ (" + first
          + "); the variables files are truncated or do not belong to this saved_model.pb";
    }
    return "TensorFlow cannot load this SavedModel (" + first + ")";
  }

  /** The checks that need no TensorFlow, in the order a user would fix them. */
  static void checkFiles(Path dir) {
    if (!Files.exists(dir)) {
      throw new UserInputException(dir + " does not exist; pass a SavedModel directory (the one holding "
          + GRAPH_FILE + ")");
    }
    if (!Files.isDirectory(dir)) {
      String h5 = KerasArchive.h5Hint(dir);
      if (h5 != null) {
        throw new UserInputException(h5);
      }
      String hint = dir.getFileName() != null && dir.getFileName().toString().equals(GRAPH_FILE)
          ? "pass its directory " + dir.toAbsolutePath().getParent()
          : "pass the directory holding " + GRAPH_FILE;
      throw new UserInputException(dir + " is a file, not a SavedModel directory; " + hint);
    }
    Path pb = dir.resolve(GRAPH_FILE);
    if (Files.isRegularFile(pb)) {
      checkGraph(dir, pb);
    } else if (!Files.isRegularFile(dir.resolve(TEXT_GRAPH_FILE))) {
      String hint = Files.exists(dir.resolve("checkpoints")) || Files.exists(dir.resolve("spec.json"))
          ? "it looks like an rnnlab run directory: use " + dir.resolve("saved_model") + " or 'rnnlab export --run "
              + dir + "'"
          : "it is not a SavedModel directory";
      throw new UserInputException(dir + " has no " + GRAPH_FILE + "; " + hint);
    }
    checkVariables(dir);
  }

  private static void checkGraph(Path dir, Path pb) {
    SavedModel proto;
    try (InputStream in = Files.newInputStream(pb)) {
      proto = SavedModel.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new UserInputException(pb + " is not a SavedModel graph (truncated or corrupt: "
          + firstLine(e.getMessage()).split("(?<=\\.)\\s", 2)[0].replaceFirst("\\.$", "") + "); export the model again", e);
    } catch (IOException e) {
      throw new UserInputException("cannot read " + pb + " (" + e.getClass().getSimpleName() + ": "
          + firstLine(e.getMessage()) + ")", e);
    }
    if (proto.getMetaGraphsCount() == 0) {
      throw new UserInputException(pb + " holds no meta graph (empty or truncated file); export the model again");
    }
    List<List<String>> tagSets = proto.getMetaGraphsList().stream()
        .map(MetaGraphDef::getMetaInfoDef)
        .map(m -> (List<String>) m.getTagsList())
        .toList();
    if (tagSets.stream().noneMatch(t -> t.contains(SERVE_TAG))) {
      throw new UserInputException(dir + " has no meta graph tagged '" + SERVE_TAG + "' (tag sets: " + tagSets
          + "); export it for serving (Keras 3 model.export, tf.saved_model.save)");
    }
  }

  private static void checkVariables(Path dir) {
    Path vars = dir.resolve(VARIABLES);
    if (!Files.isDirectory(vars)) {
      throw new UserInputException(dir + " has no " + VARIABLES + "/ directory, so it has no weights; copy the whole "
          + "SavedModel directory, " + VARIABLES + "/ included");
    }
    boolean hasData;
    try (Stream<Path> files = Files.list(vars)) {
      hasData = files.anyMatch(p -> p.getFileName().toString().startsWith(VARIABLES + ".data-"));
    } catch (IOException e) {
      throw new UserInputException("cannot list " + vars + " (" + e.getClass().getSimpleName() + ")", e);
    }
    if (!Files.isRegularFile(vars.resolve(VARIABLES_INDEX)) || !hasData) {
      throw new UserInputException(vars + " lacks " + (hasData ? VARIABLES_INDEX : "its variables.data-* files")
          + ", so the weights are missing; copy the whole SavedModel directory again");
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    String line = s.strip().split("\\R", 2)[0].strip();
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}

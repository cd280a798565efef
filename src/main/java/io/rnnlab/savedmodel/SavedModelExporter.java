package io.rnnlab.savedmodel;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.AtomicFiles;
import io.rnnlab.Json;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Tensors;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.SessionOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Writes an rnnlab SavedModel that Python loads with {@code tf.saved_model.load} and Keras 3 with
 * {@code TFSMLayer}: signatures {@code serving_default} and {@code step} (see {@link
 * InferenceGraph}), and under {@code assets/} the vocabulary, the spec and {@code
 * reference_io.json} (fixed inputs with the outputs Java computed), so a Python user needs nothing
 * else and can check the numbers.
 */
public final class SavedModelExporter {
  public static final String VOCAB = "vocab.json";
  public static final String SPEC = "spec.json";
  public static final String REFERENCE_IO = "reference_io.json";

  /** What an exported SavedModel directory holds; replacing one that holds more would delete that too. */
  private static final Set<String> SAVED_MODEL_ENTRIES =
      Set.of(SavedModelInspector.GRAPH_FILE, "variables", "assets", "fingerprint.pb");

  private static final ObjectMapper JSON = Json.MAPPER;

  private SavedModelExporter() {}

  /** Exports atomically: the directory appears complete or not at all. */
  public static void export(ModelSpec spec, Vocabulary vocab, Weights weights, Path target,
      SessionOptions options) throws IOException {
    if (spec.isCharModel() && (vocab == null || vocab.size() != spec.vocabSize())) {
      throw new IllegalArgumentException("a char model needs its vocabulary of " + spec.vocabSize() + " symbols");
    }
    Path staging = AtomicFiles.stagingDirectory(target);
    try (InferenceGraph model = InferenceGraph.build(spec, weights, options)) {
      Path out = staging.resolve("model");
      var exporter = SavedModelBundle.exporter(out.toString())
          .withSession(model.session())
          .withSignature(model.serving());
      if (model.step() != null) {
        exporter.withSignature(model.step());
      }
      exporter.export();
      Path assets = Files.createDirectories(out.resolve("assets"));
      if (vocab != null) {
        Files.writeString(assets.resolve(VOCAB), vocab.toJson());
      }
      Files.writeString(assets.resolve(SPEC), spec.toJson());
      Files.writeString(assets.resolve(REFERENCE_IO), JSON.writeValueAsString(referenceIo(model)));
      AtomicFiles.publishDirectory(out, target);
    } finally {
      AtomicFiles.deleteTree(staging);
    }
  }

  /** Fixed, non-trivial inputs (batch 2) and the outputs of both signatures for them. */
  static Map<String, Object> referenceIo(InferenceGraph model) {
    ModelSpec spec = model.spec();
    Map<String, Object> io = new LinkedHashMap<>();
    ReferenceInputs in = ReferenceInputs.of(spec);
    try (Tensor x = in.servingInput();
        Result r = model.session().function(model.serving()).call(Map.of("inputs", x))) {
      String outName = spec.isCharModel() ? "probabilities" : "prediction";
      Tensor y = r.get(outName).orElseThrow();
      io.put(InferenceGraph.SERVING, Map.of(
          "inputs", in.servingInputNested(),
          outName, NestedArrays.nest(Tensors.floats(y), y.shape().asArray())));
    }
    if (model.step() != null) {
      try (Tensor ids = Tensors.ints(in.stepIds(), 2);
          TFloat32 state = Tensors.floats(in.stepState(), 2, spec.stateSize());
          Result r = model.session().function(model.step()).call(Map.of("char_ids", ids, "state", state))) {
        Tensor p = r.get("probabilities").orElseThrow();
        Tensor s = r.get("state").orElseThrow();
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("char_ids", List.of(in.stepIds()[0], in.stepIds()[1]));
        step.put("state", NestedArrays.nest(in.stepState(), new long[] {2, spec.stateSize()}));
        step.put("probabilities", NestedArrays.nest(Tensors.floats(p), p.shape().asArray()));
        step.put("state_out", NestedArrays.nest(Tensors.floats(s), s.shape().asArray()));
        io.put(InferenceGraph.STEP, step);
      }
    }
    return io;
  }

  /** Replacing is fine for a SavedModel; anything else there is not ours to delete. */
  public static void checkTarget(Path out) throws IOException {
    if (!Files.exists(out)) {
      AtomicFiles.checkWritableLocation(out, "--out");
      return;
    }
    if (!Files.isDirectory(out)) {
      throw new UserInputException("--out " + out + " is a file; choose a new directory");
    }
    Optional<String> foreign = AtomicFiles.foreignEntry(out, SAVED_MODEL_ENTRIES);
    if (foreign.isPresent()) {
      throw new UserInputException("--out " + out + " holds " + foreign.get() + ", which is not part of an"
          + " rnnlab SavedModel; choose a new directory (an rnnlab SavedModel there would be replaced)");
    }
  }
}

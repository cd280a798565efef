package io.rnnlab.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.InferenceGraph;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.model.Tensors;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.AdamConfig;
import io.rnnlab.train.Batch;
import io.rnnlab.train.TrainingGraph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Result;
import org.tensorflow.Tensor;

/**
 * The Java side of {@code python-compat/tests/test_keras_parity.py}, which compiles this one file
 * against the launcher's jar and runs it (it is a dev tool, not a user command):
 *
 * <pre>
 *   fixtures DIR          for each parity case: DIR/CASE.keras (+ .vocab.json) from Java weights,
 *                         and DIR/CASE.json with a fixed input batch, Java's outputs for it, and
 *                         one Java Adam step (batch, loss, updated weights by rnnlab name)
 *   predict REQ.json OUT  (REQ may be an array of requests) loads REQ.model (a .keras, a model of any length
 *                         given the window REQ.seq_len_if_any, or with REQ.spec any Keras weights file, as
 *                         --init-from does), runs REQ.input, and greedy-generates REQ.greedy chars
 *                         after REQ.prompt in window mode; writes OUT.json
 *
 *   check SPEC|- FILE...  reads each FILE (with SPEC.json as --init-from would, or "-": as a
 *                         .keras archive) and prints one JSON line per file: what was read, or
 *                         the one-line user error
 * </pre>
 *
 * User errors go to stderr as one line with exit code 2, as the CLI does.
 */
public final class KerasParityMain {
  static final String HELLO =
      "hello world. this is a simple example of character level text generation using rnn and lstm.";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SessionOptions CPU = SessionOptions.cpuOnly();
  /** The clipnorm case's norm: see {@link #clippedAdamStep}. */
  static final double CLIPNORM = 1e-4;

  /** The architectures the parity tests cover: small, a second or two each. */
  static Map<String, ModelSpec> cases() {
    int v = Vocabulary.fromText(HELLO).size();
    Map<String, ModelSpec> c = new LinkedHashMap<>();
    c.put("simplernn-onehot", ModelSpec.charModel(CellType.SIMPLE_RNN, 1, 16, 0, 0, 10, v, LossOn.LAST));
    c.put("lstm-onehot", ModelSpec.charModel(CellType.LSTM, 1, 16, 0, 0, 10, v, LossOn.LAST));
    c.put("2xlstm-onehot-dropout", ModelSpec.charModel(CellType.LSTM, 2, 16, 0, 0.2, 10, v, LossOn.LAST));
    c.put("2xlstm-emb-dropout", ModelSpec.charModel(CellType.LSTM, 2, 16, 8, 0.2, 10, v, LossOn.LAST));
    c.put("2xsimplernn-emb-all", ModelSpec.charModel(CellType.SIMPLE_RNN, 2, 16, 8, 0, 10, v, LossOn.ALL));
    c.put("lstm-onehot-all-dropout", ModelSpec.charModel(CellType.LSTM, 1, 16, 0, 0.3, 10, v, LossOn.ALL));
    c.put("lstm-regression", ModelSpec.regression(CellType.LSTM, 1, 20, 5, 1));
    c.put("gru-emb", ModelSpec.charModel(CellType.GRU, 1, 16, 8, 0, 10, v, LossOn.LAST));
    // Embedding → Dropout → GRU → Dropout → LSTM → Dense: mixed cells, Dropout not after every layer
    c.put("gru-lstm-emb-dropouts", new ModelSpec(List.of(RecurrentSpec.of(CellType.GRU), RecurrentSpec.of(CellType.LSTM)),
        16, 8, List.of(0.1, 0.2, 0.0), 10, v, Head.SOFTMAX, LossOn.LAST, 0));
    // one-hot → Dropout → LSTM(dropout, recurrent_dropout) → GRU(dropout) → Dropout → Dense on every step
    c.put("lstm-gru-onehot-celldrop-all", new ModelSpec(List.of(new RecurrentSpec(CellType.LSTM, 0.2, 0.2),
        new RecurrentSpec(CellType.GRU, 0.1, 0)), 16, 0, List.of(0.1, 0.0, 0.1), 10, v, Head.SOFTMAX, LossOn.ALL, 0));
    return c;
  }

  public static void main(String[] args) throws Exception {
    try {
      switch (args.length > 0 ? args[0] : "") {
        case "fixtures" -> fixtures(Path.of(args[1]));
        case "predict" -> predict(Path.of(args[1]), Path.of(args[2]));
        case "check" -> check(args[1], Arrays.copyOfRange(args, 2, args.length));
        default -> throw new IllegalArgumentException(
            "usage: fixtures DIR | predict REQUEST.json OUT.json | check SPEC.json|- FILE...");
      }
    } catch (UserInputException e) {
      System.err.println("rnnlab: error: " + e.getMessage());
      System.exit(2);
    }
  }

  static void fixtures(Path dir) throws Exception {
    Files.createDirectories(dir);
    Vocabulary vocab = Vocabulary.fromText(HELLO);
    long seed = 1;
    for (var c : cases().entrySet()) {
      ModelSpec spec = c.getValue();
      // Random, not Keras-initial, weights: zero biases would hide a swapped bias or gate block.
      Weights weights = perturbed(WeightInitializer.initialize(spec, seed++), seed);
      KerasArchive.write(spec, spec.isCharModel() ? vocab : null, weights, dir.resolve(c.getKey() + ".keras"));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("spec", JSON.readTree(spec.toJson()));
      out.put("parameter_count", spec.parameterCount());
      out.put("keras_layers", kerasLayers(spec));
      Input in = Input.fixed(spec, 3);
      out.put("input", in.json());
      try (InferenceGraph g = InferenceGraph.build(spec, weights, CPU)) {
        out.put("output", serve(g, in));
      }
      out.put("adam", adamStep(spec, weights, AdamConfig.KERAS_DEFAULTS));
      out.put("adam_clipnorm", clippedAdamStep(spec, weights, vocab, dir.resolve(c.getKey() + "-clipnorm.keras")));
      out.put("adam_resumed", resumedAdamStep(spec, weights, vocab, dir.resolve(c.getKey() + "-resumed.keras")));
      JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(c.getKey() + ".json").toFile(), out);
    }
  }

  /** Keras's layer classes in order, as {@code model.layers} lists them after loading. */
  static List<String> kerasLayers(ModelSpec spec) {
    List<String> l = new ArrayList<>();
    if (spec.embeddingDim() > 0) {
      l.add("Embedding");
    }
    if (spec.inputDropout() > 0) {
      l.add("Dropout");
    }
    for (int i = 0; i < spec.layers(); i++) {
      l.add(KerasNames.recurrentClass(spec.cell(i)));
      if (spec.dropoutAfter(i) > 0) {
        l.add("Dropout");
      }
    }
    l.add("Dense");
    return l;
  }

  /**
   * One Adam step from these weights, with dropout off: Keras draws other dropout masks, so the
   * Python side sets its Dropout rates and its cells' dropout to 0 for this step (the graph is
   * otherwise the training one).
   */
  private static Map<String, Object> adamStep(ModelSpec spec, Weights weights, AdamConfig adam) {
    Input in = Input.fixed(spec, 4);
    Batch batch = in.batch();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", in.json());
    out.put("targets", spec.isCharModel() ? tensorJson(ints(batch.targets()), targetShape(spec, 4))
        : tensorJson(batch.values(), new int[] {4, 1}));
    try (TrainingGraph g = TrainingGraph.build(noDropout(spec), adam, CPU)) {
      g.initialize(weights);
      out.put("loss", g.trainStep(batch, 0, 0).loss());
      out.put("weights", weightsJson(g));
    }
    return out;
  }

  /**
   * {@link #adamStep} with Keras's {@code clipnorm}, and {@code keras} written from the same
   * weights with that Adam compiled in: Keras's step from the file must land where Java's did. The
   * norm is small enough that the clipped gradients sit near Adam's ε, where the step grows with
   * them: clipped and unclipped steps differ plainly.
   */
  private static Map<String, Object> clippedAdamStep(ModelSpec spec, Weights weights, Vocabulary vocab, Path keras)
      throws java.io.IOException {
    AdamConfig adam = AdamConfig.KERAS_DEFAULTS.withClipnorm(CLIPNORM);
    KerasArchive.write(spec, spec.isCharModel() ? vocab : null, weights, KerasArchive.Optimizer.fresh(adam), keras);
    Map<String, Object> out = new LinkedHashMap<>(adamStep(spec, weights, adam));
    out.put("clipnorm", CLIPNORM);
    return out;
  }

  private static ModelSpec noDropout(ModelSpec spec) {
    return new ModelSpec(spec.recurrent().stream().map(r -> RecurrentSpec.of(r.cell())).toList(), spec.units(),
        spec.embeddingDim(), ModelSpec.dropoutAfterEach(spec.layers(), 0), spec.seqLen(), spec.vocabSize(), spec.head(),
        spec.lossOn(), spec.inputFeatures());
  }

  private static Map<String, Object> weightsJson(TrainingGraph g) {
    Map<String, Object> out = new LinkedHashMap<>();
    g.weights().asMap().forEach((k, t) -> out.put(k, tensorJson(t.data(), t.shape())));
    return out;
  }

  /**
   * Two Java Adam steps, then {@code keras} written with the optimizer's state at that point, then
   * a third step: Keras, loading the file and taking that third step, must land where Java did,
   * which it can only do if the file carries Adam's iterations and moments.
   */
  private static Map<String, Object> resumedAdamStep(ModelSpec spec, Weights weights, Vocabulary vocab, Path keras)
      throws java.io.IOException {
    Batch batch = Input.fixed(spec, 4).batch();
    Map<String, Object> out = new LinkedHashMap<>();
    try (TrainingGraph g = TrainingGraph.build(noDropout(spec), AdamConfig.KERAS_DEFAULTS, CPU)) {
      g.initialize(weights);
      g.trainStep(batch, 0, 0);
      g.trainStep(batch, 0, 1);
      TrainingGraph.OptimizerSnapshot state = g.snapshot();
      KerasArchive.write(spec, spec.isCharModel() ? vocab : null, g.weights(),
          new KerasArchive.Optimizer(AdamConfig.KERAS_DEFAULTS, state.iterations(), state.tensors()), keras);
      out.put("iterations", state.iterations());
      out.put("loss", g.trainStep(batch, 0, 2).loss());
      out.put("weights", weightsJson(g));
    }
    return out;
  }

  private static int[] targetShape(ModelSpec spec, int rows) {
    return spec.lossOn() == LossOn.LAST ? new int[] {rows} : new int[] {rows, spec.seqLen()};
  }

  /** One request, or an array of them (one JVM for several files) answered by an array. */
  static void predict(Path request, Path response) throws Exception {
    JsonNode req = JSON.readTree(request.toFile());
    if (req.isArray()) {
      List<Object> out = new ArrayList<>();
      for (JsonNode r : req) {
        out.add(predict(r));
      }
      JSON.writeValue(response.toFile(), out);
    } else {
      JSON.writeValue(response.toFile(), predict(req));
    }
  }

  private static Map<String, Object> predict(JsonNode req) throws Exception {
    Path model = Path.of(req.get("model").asText());
    ModelSpec spec;
    Weights weights;
    Vocabulary vocab;
    if (req.hasNonNull("spec")) {
      spec = ModelSpec.fromJson(req.get("spec").toString(), "request");
      KerasWeightsImport.Imported imported = KerasWeightsImport.load(model, spec);
      weights = imported.weights();
      vocab = imported.vocab();
    } else {
      KerasArchive.Model m = KerasArchive.read(model, req.path("seq_len_if_any").asInt(0));
      spec = m.spec();
      weights = m.weights();
      vocab = m.vocab();
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("spec", JSON.readTree(spec.toJson()));
    out.put("vocab", vocab == null ? null : vocab.symbols());
    try (InferenceGraph g = InferenceGraph.build(spec, weights, CPU)) {
      if (req.hasNonNull("input")) {
        out.put("output", serve(g, Input.from(spec, req.get("input"))));
      }
      if (req.hasNonNull("prompt")) {
        out.put("greedy", greedy(g, vocab, req.get("prompt").asText(), req.get("greedy").asInt()));
      }
    }
    return out;
  }

  static void check(String specFile, String[] files) throws Exception {
    ModelSpec spec = specFile.equals("-") ? null : ModelSpec.read(Path.of(specFile));
    for (String f : files) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("file", f);
      try {
        ModelSpec read = spec == null ? KerasArchive.read(Path.of(f)).spec() : spec;
        if (spec != null) {
          KerasWeightsImport.load(Path.of(f), spec);
        }
        line.put("spec", read.describe());
      } catch (UserInputException e) {
        line.put("error", e.getMessage());
      }
      System.out.println(JSON.writeValueAsString(line));
    }
  }

  /** Window-mode greedy generation, as train_keras.py's {@code greedy}: last seq_len ids → argmax. */
  private static String greedy(InferenceGraph g, Vocabulary vocab, String prompt, int length) {
    ModelSpec spec = g.spec();
    int[] ids = vocab.encode(prompt);
    int seq = spec.seqLen();
    List<Integer> window = new ArrayList<>();
    for (int id : ids) {
      window.add(id);
    }
    StringBuilder text = new StringBuilder();
    for (int n = 0; n < length; n++) {
      int[] last = window.subList(window.size() - seq, window.size()).stream().mapToInt(Integer::intValue).toArray();
      float[] p = run(g, new Input(spec, 1, last, null)).data();
      int best = 0;
      for (int i = 1; i < p.length; i++) {
        if (p[i] > p[best]) {
          best = i;
        }
      }
      window.add(best);
      text.append(vocab.decode(best));
    }
    return text.toString();
  }

  private static Map<String, Object> serve(InferenceGraph g, Input in) {
    HostTensor y = run(g, in);
    return tensorJson(y.data(), y.shape());
  }

  /** The serving signature: probabilities (char models) or predictions. */
  private static HostTensor run(InferenceGraph g, Input in) {
    try (Tensor x = in.tensor();
        Result r = g.session().function(g.serving()).call(Map.of("inputs", x))) {
      return Tensors.toHost(r.get(g.spec().isCharModel() ? "probabilities" : "prediction").orElseThrow());
    }
  }

  /** Keras-initial weights plus noise, so every weight (biases too) is distinct and non-zero. */
  private static Weights perturbed(Weights w, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    w.asMap().forEach((k, t) -> {
      float[] d = t.data().clone();
      for (int i = 0; i < d.length; i++) {
        d[i] += (float) (rng.nextGaussian() * 0.1);
      }
      out.put(k, new HostTensor(t.shape(), d));
    });
    return new Weights(out);
  }

  static Map<String, Object> tensorJson(float[] data, int[] shape) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("shape", shape);
    List<Float> values = new ArrayList<>(data.length);
    for (float f : data) {
      values.add(f);
    }
    m.put("data", values);
    return m;
  }

  private static float[] ints(int[] a) {
    float[] f = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      f[i] = a[i];
    }
    return f;
  }

  /** A batch of model inputs: char ids (fed as ids or one-hot, as the model takes them) or features. */
  record Input(ModelSpec spec, int rows, int[] ids, float[] features) {
    /** Windows of the hello text (char models) or a fixed pattern in [0, 1) (regression). */
    static Input fixed(ModelSpec spec, int rows) {
      int seq = spec.seqLen();
      if (!spec.isCharModel()) {
        float[] f = new float[rows * seq * spec.inputFeatures()];
        for (int i = 0; i < f.length; i++) {
          f[i] = (float) ((i * 0.37 + 0.11) % 1.0);
        }
        return new Input(spec, rows, null, f);
      }
      int[] text = Vocabulary.fromText(HELLO).encode(HELLO);
      int[] ids = new int[rows * seq];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(text, r * 7, ids, r * seq, seq);
      }
      return new Input(spec, rows, ids, null);
    }

    static Input from(ModelSpec spec, JsonNode json) {
      int rows = json.get("shape").get(0).asInt();
      JsonNode data = json.get("data");
      if (spec.isCharModel()) {
        int[] ids = new int[data.size()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = data.get(i).asInt();
        }
        return new Input(spec, rows, ids, null);
      }
      float[] f = new float[data.size()];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) data.get(i).asDouble();
      }
      return new Input(spec, rows, null, f);
    }

    /** Ids for char models (Python one-hot-encodes them for one-hot models), else features. */
    Map<String, Object> json() {
      int seq = spec.seqLen();
      return ids != null ? tensorJson(ints(ids), new int[] {rows, seq})
          : tensorJson(features, new int[] {rows, seq, spec.inputFeatures()});
    }

    Tensor tensor() {
      int seq = spec.seqLen();
      if (features != null) {
        return Tensors.floats(features, rows, seq, spec.inputFeatures());
      }
      if (spec.embeddingDim() > 0) {
        return Tensors.ints(ids, rows, seq);
      }
      int v = spec.vocabSize();
      float[] x = new float[ids.length * v];
      for (int i = 0; i < ids.length; i++) {
        x[i * v + ids[i]] = 1f;
      }
      return Tensors.floats(x, rows, seq, v);
    }

    /** This input with the next characters as targets (char models) or the row sums (regression). */
    Batch batch() {
      int seq = spec.seqLen();
      if (features != null) {
        float[] sums = new float[rows];
        for (int i = 0; i < features.length; i++) {
          sums[i / (seq * spec.inputFeatures())] += features[i];
        }
        return Batch.regression(rows, features, sums);
      }
      int[] text = Vocabulary.fromText(HELLO).encode(HELLO);
      boolean all = spec.lossOn() == LossOn.ALL;
      int[] targets = new int[all ? rows * seq : rows];
      for (int r = 0; r < rows; r++) {
        if (all) {
          System.arraycopy(text, r * 7 + 1, targets, r * seq, seq);
        } else {
          targets[r] = text[r * 7 + seq];
        }
      }
      return Batch.chars(rows, ids, targets);
    }
  }
}

package io.rnnlab.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rnnlab.Json;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.RecurrentSpec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Keras model config (Keras 3 {@code config.json}, or the same layer configs as tf_keras writes
 * them) → {@link ModelSpec}, accepting exactly the models rnnlab computes identically: [InputLayer]
 * [Embedding] (SimpleRNN | LSTM | GRU)… Dense, with Dropout anywhere before the head, as a
 * Sequential or as a Functional model whose layers form that one chain. The recurrent layers may
 * mix cells and carry their own {@code dropout} / {@code recurrent_dropout}; the Dense head may be
 * wrapped in {@code TimeDistributed} (the same Dense on every step), end in softmax, be followed
 * by a softmax layer ({@code Activation('softmax')}, {@code Softmax()}), or give logits (linear,
 * one unit per symbol: rnnlab's softmax head computes those logits, then the softmax). Layers that
 * only act in training (Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout)
 * are the identity at inference wherever they are; those rnnlab does not train are recorded in
 * {@link Parsed#trainingProblems}. Anything whose math rnnlab would silently get wrong (another
 * cell, a wrapper, a branch, a non-default activation, missing biases, returned states, masking,
 * a GRU with {@code reset_after=False}, …) is refused with the offending layer named.
 */
final class KerasConfigReader {
  private static final String SUPPORTED = "rnnlab reads Sequential (or single-chain Functional) models of"
      + " [Embedding] → SimpleRNN, LSTM or GRU layers → Dense, with Dropout anywhere";
  /** Layers that change nothing at inference ({@code training=False}): Keras's own training-time noise. */
  private static final Set<String> NOISE = Set.of("SpatialDropout1D", "GaussianNoise", "GaussianDropout",
      "AlphaDropout");

  private final String source;
  private final int seqLenIfAny;

  private KerasConfigReader(String source, int seqLenIfAny) {
    this.source = source;
    this.seqLenIfAny = seqLenIfAny;
  }

  /**
   * What a config describes. {@code anyLength}: the model takes sequences of any length, and
   * {@code spec.seqLen()} is the caller's choice; {@code logits}: its Dense head is linear; {@code
   * denseGroup}: where Keras 3 keeps the head's weights ({@code dense}, or {@code
   * time_distributed/layer} for a wrapped one); {@code trainingProblems}: why rnnlab cannot train
   * this model as Keras would (training-time layers it does not train), one line each, empty when
   * it can; inference ignores them.
   */
  record Parsed(ModelSpec spec, boolean anyLength, boolean logits, String denseGroup, List<String> trainingProblems) {}

  /**
   * @param seqLenIfAny the window length to give a model that takes sequences of any length; 0
   *     refuses such models (rnnlab's graphs unroll a fixed length)
   */
  static Parsed parse(String json, String source, int seqLenIfAny) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UserInputException(source + ": config.json is not valid JSON ("
          + Messages.firstLine(e.getOriginalMessage()) + ")");
    }
    return new KerasConfigReader(source, seqLenIfAny).model(root);
  }

  private Parsed model(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw fail("config.json does not describe a Keras model");
    }
    List<JsonNode> layers = layers(root);
    Chain chain = new Chain();
    for (int i = 0; i < layers.size(); i++) {
      add(chain, layers.get(i), i == 0);
    }
    checkComplete(chain);
    if (chain.input == null) {
      chain.input = Shape.of(firstNonNull(root.path("config").get("build_input_shape"),
          root.path("build_config").get("input_shape")));
    }
    return spec(chain);
  }

  /** The model's layers in call order: a Sequential's list, or a Functional model's one chain. */
  private List<JsonNode> layers(JsonNode root) {
    String cls = root.path("class_name").asText("");
    return switch (cls) {
      case "Sequential" -> {
        JsonNode list = root.path("config").path("layers");
        if (!list.isArray() || list.isEmpty()) {
          throw fail("the Sequential model has no layers");
        }
        List<JsonNode> all = new ArrayList<>();
        list.forEach(all::add);
        yield all;
      }
      case "Functional", "Model" -> functionalChain(root.path("config"));
      default -> throw fail("the model is a " + (cls.isEmpty() ? "model of unknown class" : cls)
          + ", not a Sequential or Functional model; " + SUPPORTED);
    };
  }

  /** One more layer of the chain, refused unless it stands where rnnlab's models have it. */
  private void add(Chain chain, JsonNode layer, boolean first) {
    String kind = layer.path("class_name").asText("");
    JsonNode c = layer.path("config");
    String name = c.path("name").asText(kind.toLowerCase(Locale.ROOT));
    if (chain.dense != null) {
      addAfterDense(chain, name, kind, c);
      return;
    }
    checkFloat32(name, kind, c);
    switch (kind) {
      case "InputLayer" -> {
        if (!first) {
          throw unsupported(name, kind, "is not the first layer");
        }
        chain.input = Shape.of(c.has("batch_shape") ? c.get("batch_shape") : c.get("batch_input_shape"));
      }
      case "Embedding" -> addEmbedding(chain, name, kind, c);
      case "SimpleRNN", "LSTM", "GRU" -> {
        chain.recurrent.add(recurrent(name, kind, c));
        chain.dropouts.add(null);
        chain.inputIfUnknown(c);
      }
      case "Dropout" -> addDropout(chain, name, kind, c);
      case "Dense" -> setHead(chain, name, c, KerasNames.DENSE);
      case "TimeDistributed" -> addTimeDistributed(chain, name, kind, c);
      default -> {
        if (!NOISE.contains(kind)) {
          throw unsupported(name, kind.isEmpty() ? "unknown class" : kind, "is not supported; " + SUPPORTED);
        }
        chain.layersBeforeEmbedding = true;
        chain.trainingProblems.add(noise(name, kind));
        chain.inputIfUnknown(c);
      }
    }
  }

  private void setHead(Chain chain, String name, JsonNode c, String group) {
    if (chain.recurrent.isEmpty()) {
      throw unsupported(name, "Dense", "comes before any recurrent layer");
    }
    chain.dense = c;
    chain.denseName = name;
    chain.denseGroup = group;
  }

  /**
   * {@code TimeDistributed(Dense)}: the Dense on every step, which is what Keras 3's Dense does on
   * a sequence; Keras files its weights under the wrapper ({@code time_distributed/layer}).
   */
  private void addTimeDistributed(Chain chain, String name, String kind, JsonNode c) {
    JsonNode inner = c.path("layer");
    String innerKind = inner.path("class_name").asText("");
    if (!innerKind.equals("Dense")) {
      throw unsupported(name, kind, "wraps " + (innerKind.isEmpty() ? "an unknown layer" : "a " + innerKind)
          + "; rnnlab reads TimeDistributed(Dense) only");
    }
    if (!chain.recurrent.isEmpty() && !chain.recurrent.get(chain.recurrent.size() - 1).returnSequences) {
      throw unsupported(name, kind, "needs a sequence, but the recurrent layer before it has return_sequences=False");
    }
    JsonNode dense = inner.path("config");
    checkFloat32(dense.path("name").asText("dense"), "Dense", dense);
    setHead(chain, dense.path("name").asText("dense"), dense, "time_distributed/layer");
  }

  /**
   * After the Dense head only a softmax layer may follow, once, and only a linear Dense; and
   * training-time layers, the identity at inference (rnnlab trains no Dropout there).
   */
  private void addAfterDense(Chain chain, String name, String kind, JsonNode c) {
    if (kind.equals("Dropout") || NOISE.contains(kind)) {
      chain.trainingProblems.add(unsupported(name, kind, "comes after the Dense output layer, where rnnlab trains no"
          + " dropout").getMessage());
      return;
    }
    boolean softmax = isSoftmax(kind, c);
    if (chain.softmaxLayer || !softmax || !chain.dense.path("activation").asText("linear").equals("linear")) {
      throw unsupported(name, kind, "comes after the Dense output layer"
          + (chain.softmaxLayer || !softmax ? "" : ", which already has an activation"));
    }
    chain.softmaxLayer = true;
  }

  private void addEmbedding(Chain chain, String name, String kind, JsonNode c) {
    if (!chain.recurrent.isEmpty() || chain.vocabFromEmbedding != null || chain.layersBeforeEmbedding) {
      throw unsupported(name, kind, "must come first, before the recurrent layers");
    }
    require(name, kind, c, "mask_zero", false, "masking changes the recurrence");
    chain.vocabFromEmbedding = intField(name, c, "input_dim");
    chain.embeddingDim = intField(name, c, "output_dim");
    chain.inputIfUnknown(c);
  }

  /**
   * A Dropout at the position it stands: after the input (or Embedding), or after a recurrent
   * layer. rnnlab trains one Dropout per position, over all of the tensor (Keras's default
   * noise_shape); anything else is still the identity at inference.
   */
  private void addDropout(Chain chain, String name, String kind, JsonNode c) {
    chain.layersBeforeEmbedding = true;
    double rate = c.path("rate").asDouble(Double.NaN);
    if (!(rate >= 0 && rate < 1)) {
      throw unsupported(name, kind, "has rate " + c.path("rate") + "; a rate is in [0, 1)");
    }
    int position = chain.recurrent.size();
    if (!c.path("noise_shape").isNull() && !c.path("noise_shape").isMissingNode()) {
      chain.trainingProblems.add(unsupported(name, kind, "has a noise_shape; rnnlab trains Dropout over the whole"
          + " tensor").getMessage());
    } else if (chain.dropouts.get(position) != null) {
      chain.trainingProblems.add(unsupported(name, kind, "follows another Dropout; rnnlab trains one Dropout per"
          + " position").getMessage());
    } else {
      chain.dropouts.set(position, rate);
    }
    chain.inputIfUnknown(c);
  }

  private String noise(String name, String kind) {
    return unsupported(name, kind, "is a training-time noise layer rnnlab does not train (generate, predict and"
        + " inspect read it as the identity, as Keras does outside training)").getMessage();
  }

  /** The chain has a recurrent layer and a head. */
  private void checkComplete(Chain chain) {
    if (chain.recurrent.isEmpty() || chain.dense == null) {
      throw fail("the model needs a SimpleRNN, LSTM or GRU layer and a Dense output layer; " + SUPPORTED);
    }
  }

  /** {@code Activation('softmax')} or {@code Softmax()} over the last axis. */
  private static boolean isSoftmax(String kind, JsonNode c) {
    return switch (kind) {
      case "Activation" -> c.path("activation").asText("").equals("softmax");
      case "Softmax" -> c.path("axis").isMissingNode() || c.path("axis").asInt(0) == -1
          || (c.path("axis").isArray() && c.path("axis").size() == 1 && c.path("axis").get(0).asInt(0) == -1);
      default -> false;
    };
  }

  /**
   * A Functional model's layers in call order, when they form one chain from its single input to
   * its single output, each layer called once on the one before: the same model as a Sequential.
   * Keras 3 and tf_keras write the links differently ({@link #caller}).
   */
  private List<JsonNode> functionalChain(JsonNode config) {
    JsonNode all = config.path("layers");
    if (!all.isArray() || all.isEmpty()) {
      throw fail("the Functional model has no layers");
    }
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode layer : all) {
      byName.put(layer.path("name").asText(layer.path("config").path("name").asText("")), layer);
    }
    String input = endpoint(config.get("input_layers"), "inputs");
    String output = endpoint(config.get("output_layers"), "outputs");
    Deque<JsonNode> chain = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    for (String at = output; ; ) {
      JsonNode layer = byName.get(at);
      if (layer == null || !seen.add(at)) {
        throw fail("the Functional model's layer graph is inconsistent at '" + at + "'");
      }
      chain.addFirst(layer);
      if (at.equals(input)) {
        break;
      }
      at = caller(at, layer);
    }
    if (chain.size() != all.size()) {
      throw fail("the Functional model has layers off the one path from its input to its output"
          + " (a branch or an unused layer); " + SUPPORTED);
    }
    return new ArrayList<>(chain);
  }

  /** The one layer named by {@code input_layers}/{@code output_layers}: Keras 3 writes {@code [name, 0, 0]}, tf_keras {@code [[name, 0, 0]]}. */
  private String endpoint(JsonNode refs, String what) {
    JsonNode ref = refs != null && refs.isArray() && refs.size() == 1 && refs.get(0).isArray() ? refs.get(0) : refs;
    if (ref == null || !ref.isArray() || ref.size() < 1 || !ref.get(0).isTextual()) {
      throw fail("the Functional model has " + (refs != null && refs.isArray() && refs.size() > 1
          ? refs.size() + " " + what : "no readable " + what) + "; rnnlab models have one input and one output");
    }
    return ref.get(0).asText();
  }

  /**
   * The layer whose output {@code layer} is called on. It must be called exactly once, on one
   * tensor, with no argument that changes its math (an initial state, a mask).
   */
  private String caller(String name, JsonNode layer) {
    String kind = layer.path("class_name").asText("");
    JsonNode nodes = layer.path("inbound_nodes");
    if (!nodes.isArray() || nodes.size() != 1) {
      throw unsupported(name, kind, nodes.isArray() && nodes.size() > 1
          ? "is called " + nodes.size() + " times (a shared layer)" : "has no input in the Functional graph");
    }
    JsonNode node = nodes.get(0);
    JsonNode history;
    JsonNode kwargs;
    if (node.isObject()) { // Keras 3: {"args": [keras_tensor], "kwargs": {...}}
      JsonNode args = node.path("args");
      JsonNode tensors = args.size() == 1 && args.get(0).isArray() ? args.get(0) : args; // Add([a, b])
      if (!args.isArray() || tensors.size() != 1) {
        throw unsupported(name, kind, "is called on " + tensors.size() + " tensors; rnnlab layers take one");
      }
      history = tensors.get(0).path("config").path("keras_history");
      kwargs = node.path("kwargs");
    } else { // tf_keras: [[name, node, tensor, {kwargs}]]
      if (!node.isArray() || node.size() != 1) {
        throw unsupported(name, kind, "is called on " + node.size() + " tensors; rnnlab layers take one");
      }
      history = node.get(0);
      kwargs = history.path(3);
    }
    for (var it = kwargs.fields(); it.hasNext(); ) {
      var arg = it.next();
      boolean harmless = arg.getKey().equals("training") || (arg.getKey().equals("mask") && arg.getValue().isNull());
      if (!harmless) {
        throw unsupported(name, kind, "is called with " + arg.getKey() + "=…; rnnlab layers take only their input");
      }
    }
    if (!history.isArray() || history.size() < 3 || !history.get(0).isTextual() || history.get(2).asInt(-1) != 0) {
      throw unsupported(name, kind, "takes a tensor rnnlab cannot trace to a single earlier layer");
    }
    return history.get(0).asText();
  }

  private Parsed spec(Chain chain) {
    checkStack(chain.recurrent);
    Recurrent first = chain.recurrent.get(0);
    LossOn lossOn = chain.recurrent.get(chain.recurrent.size() - 1).returnSequences ? LossOn.ALL : LossOn.LAST;
    String denseName = chain.denseName;
    if (!chain.dense.path("use_bias").asBoolean(true)) {
      throw unsupported(denseName, "Dense", "has use_bias=False");
    }
    int outUnits = intField(denseName, chain.dense, "units");
    String activation = chain.softmaxLayer ? "softmax" : chain.dense.path("activation").asText("linear");
    Window window = window(chain);
    // Keras users often end a char model in a linear Dense and train with from_logits=True.
    boolean logits = activation.equals("linear") && outUnits > 1 && outUnits == window.inputWidth();
    Head head = chain.vocabFromEmbedding != null || activation.equals("softmax") || logits
        ? Head.SOFTMAX : Head.REGRESSION;
    checkHead(denseName, head, logits, activation, outUnits, window.inputWidth(), lossOn);
    List<RecurrentSpec> layers = new ArrayList<>();
    for (Recurrent r : chain.recurrent) {
      layers.add(new RecurrentSpec(r.cell, r.dropout, r.recurrentDropout));
    }
    List<Double> dropouts = chain.dropouts.stream().map(d -> d == null ? 0.0 : d).toList();
    try {
      ModelSpec spec = head == Head.SOFTMAX
          ? new ModelSpec(layers, first.units, chain.embeddingDim, dropouts, window.seqLen(), outUnits, Head.SOFTMAX,
              lossOn, 0)
          : new ModelSpec(layers, first.units, 0, dropouts, window.seqLen(), 0, Head.REGRESSION, LossOn.LAST,
              chain.input.features);
      return new Parsed(spec, window.anyLength(), logits, chain.denseGroup, List.copyOf(chain.trainingProblems));
    } catch (UserInputException e) { // sizes out of rnnlab's range
      throw fail(e.getMessage());
    }
  }

  /** The recurrent layers as rnnlab stacks them: one width, sequences between them. */
  private void checkStack(List<Recurrent> recurrent) {
    Recurrent first = recurrent.get(0);
    for (int i = 0; i < recurrent.size(); i++) {
      Recurrent r = recurrent.get(i);
      if (r.units != first.units) {
        throw unsupported(r.name, r.kind, "has " + r.units + " units but " + first.name + " has " + first.units
            + "; rnnlab stacks layers of equal width");
      }
      if (i < recurrent.size() - 1 && !r.returnSequences) {
        throw unsupported(r.name, r.kind, "has return_sequences=False but feeds another recurrent layer");
      }
    }
  }

  /**
   * The window and the input's width per step.
   *
   * @param anyLength the model takes any length; {@code seqLen} is then the caller's choice
   */
  private record Window(int seqLen, boolean anyLength, int inputWidth) {}

  private Window window(Chain chain) {
    Shape input = chain.input;
    if (input == null) {
      throw fail("config.json gives no input shape; expected Input(shape=(SEQ_LEN, …)) as the first layer");
    }
    boolean anyLength = input.seqLen == null;
    if (anyLength && seqLenIfAny <= 0) {
      throw fail("the model takes sequences of any length; rnnlab needs a fixed one (Input(shape=(SEQ_LEN, …)))");
    }
    if (chain.vocabFromEmbedding == null && input.features == null) {
      throw fail("the input has no feature axis; expected Input(shape=(SEQ_LEN, FEATURES))");
    }
    return new Window(anyLength ? seqLenIfAny : input.seqLen, anyLength,
        chain.vocabFromEmbedding != null ? chain.vocabFromEmbedding : input.features);
  }

  /** A char model's head predicts the symbols it reads; a regression head is one linear unit on the last step. */
  private void checkHead(String denseName, Head head, boolean logits, String activation, int outUnits, int inputWidth,
      LossOn lossOn) {
    if (head == Head.SOFTMAX && !logits) {
      requireActivation(denseName, activation, "softmax");
    } else if (head == Head.REGRESSION) {
      requireActivation(denseName, activation, "linear");
    }
    if (head == Head.SOFTMAX && outUnits != inputWidth) {
      throw unsupported(denseName, "Dense", "has " + outUnits + " units but the model reads " + inputWidth
          + " symbols; a char model predicts the symbols it reads");
    }
    if (head == Head.REGRESSION && (outUnits != 1 || lossOn != LossOn.LAST)) {
      throw unsupported(denseName, "Dense", "is linear with " + outUnits + " unit(s)"
          + (lossOn == LossOn.ALL ? " on every step" : "") + "; rnnlab's regression head is one Dense(1) on the last step");
    }
  }

  private void requireActivation(String name, String activation, String wanted) {
    if (!activation.equals(wanted)) {
      throw unsupported(name, "Dense", "has activation '" + activation + "'; rnnlab's head here is " + wanted
          + (wanted.equals("softmax") ? " (or linear: logits, one per symbol)" : ""));
    }
  }

  /** A recurrent layer's settings; everything else must keep the defaults rnnlab computes. */
  private Recurrent recurrent(String name, String kind, JsonNode c) {
    require(name, kind, c, "return_state", false, "rnnlab layers return outputs only");
    require(name, kind, c, "go_backwards", false, "rnnlab runs forward in time");
    require(name, kind, c, "stateful", false, "rnnlab resets the state for every sequence");
    require(name, kind, c, "time_major", false, "rnnlab takes batch-major input");
    require(name, kind, c, "use_bias", true, "rnnlab layers have a bias");
    String activation = c.path("activation").asText("tanh");
    if (!activation.equals("tanh")) {
      throw unsupported(name, kind, "has activation '" + activation + "'; rnnlab's cells use tanh");
    }
    CellType cell = switch (kind) {
      case "LSTM" -> CellType.LSTM;
      case "GRU" -> CellType.GRU;
      default -> CellType.SIMPLE_RNN;
    };
    if (cell != CellType.SIMPLE_RNN) {
      String rec = c.path("recurrent_activation").asText("sigmoid");
      if (!rec.equals("sigmoid")) {
        throw unsupported(name, kind, "has recurrent_activation '" + rec + "'; rnnlab's " + kind + " uses sigmoid");
      }
    }
    if (cell == CellType.GRU) {
      require(name, kind, c, "reset_after", true, "its reset gate acts before the recurrent product, with a bias of"
          + " one row; rnnlab's GRU is Keras's default reset_after=True");
    }
    double[] rates = new double[2];
    String[] fields = {"dropout", "recurrent_dropout"};
    for (int i = 0; i < 2; i++) {
      JsonNode r = c.path(fields[i]);
      rates[i] = r.isMissingNode() || r.isNull() ? 0 : r.asDouble(Double.NaN);
      if (!(rates[i] >= 0 && rates[i] < 1)) {
        throw unsupported(name, kind, "has " + fields[i] + "=" + r + "; a rate is in [0, 1)");
      }
    }
    return new Recurrent(name, kind, cell, intField(name, c, "units"), c.path("return_sequences").asBoolean(false),
        rates[0], rates[1]);
  }

  private void require(String name, String kind, JsonNode c, String field, boolean wanted, String why) {
    JsonNode v = c.get(field);
    if (v != null && !v.isNull() && v.asBoolean() != wanted) {
      throw unsupported(name, kind, "has " + field + "=" + (wanted ? "False" : "True") + "; " + why);
    }
  }

  /** Mixed precision or float64 layers would compute differently from rnnlab's float32 graph. */
  private void checkFloat32(String name, String kind, JsonNode c) {
    JsonNode dtype = c.get("dtype");
    if (dtype == null || dtype.isNull() || kind.equals("InputLayer")) {
      return;
    }
    String policy = dtype.isTextual() ? dtype.asText() : dtype.path("config").path("name").asText("float32");
    if (!policy.equals("float32")) {
      throw unsupported(name, kind, "computes in " + policy + "; rnnlab computes in float32");
    }
  }

  private int intField(String name, JsonNode c, String field) {
    JsonNode v = c.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw fail("layer '" + name + "' has no integer " + field);
    }
    return v.asInt();
  }

  private static JsonNode firstNonNull(JsonNode a, JsonNode b) {
    return a != null && !a.isNull() ? a : b;
  }

  private UserInputException unsupported(String name, String kind, String what) {
    return fail("layer '" + name + "' (" + kind + ") " + what);
  }

  private UserInputException fail(String message) {
    return new UserInputException(source + ": " + message);
  }

  /** The layers read so far, in model order. */
  private static final class Chain {
    Shape input;
    Integer vocabFromEmbedding; // null: one-hot or regression input
    int embeddingDim;
    boolean layersBeforeEmbedding; // a Dropout or noise layer already: an Embedding may not follow
    final List<Recurrent> recurrent = new ArrayList<>();
    /** The Dropout rate at each position so far: after the input, after each recurrent layer; null: none. */
    final List<Double> dropouts = new ArrayList<>(java.util.Collections.singletonList(null));
    final List<String> trainingProblems = new ArrayList<>();
    JsonNode dense;
    String denseName = "dense";
    String denseGroup = KerasNames.DENSE;
    boolean softmaxLayer; // Dense(V) then Activation('softmax'), as the classic Keras example writes it

    /** A layer's own {@code batch_input_shape} (Keras 2 puts the input shape on the first layer). */
    void inputIfUnknown(JsonNode c) {
      if (input == null) {
        input = Shape.of(c.get("batch_input_shape"));
      }
    }
  }

  private record Recurrent(String name, String kind, CellType cell, int units, boolean returnSequences,
      double dropout, double recurrentDropout) {}

  /** A batch input shape [batch, seq] or [batch, seq, features]; nulls are "any". */
  private record Shape(Integer seqLen, Integer features) {
    static Shape of(JsonNode a) {
      if (a == null || !a.isArray() || a.size() < 2 || a.size() > 3) {
        return null;
      }
      return new Shape(dim(a.get(1)), a.size() == 3 ? dim(a.get(2)) : null);
    }

    /**
     * A size, or null for "any" (JSON null). Sizes past int range read as the largest int and
     * anything else (10.5, "ten") as the smallest: values every later check refuses.
     */
    private static Integer dim(JsonNode d) {
      if (d == null || d.isNull()) {
        return null;
      }
      if (!d.isIntegralNumber()) {
        return Integer.MIN_VALUE;
      }
      return d.canConvertToInt() ? d.asInt() : d.asLong() > 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    }
  }
}

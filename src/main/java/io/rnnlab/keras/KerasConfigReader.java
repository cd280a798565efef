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
 * [Embedding] (SimpleRNN | LSTM) [Dropout] … Dense, as a Sequential or as a Functional model whose
 * layers form that one chain. The Dense head may end in softmax, be followed by a softmax layer
 * ({@code Activation('softmax')}, {@code Softmax()}), or give logits (linear, one unit per symbol:
 * rnnlab's softmax head computes those logits, then the softmax). Anything whose math
 * rnnlab would silently get wrong (another cell, a wrapper, a branch, a non-default activation,
 * missing biases, returned states, masking, …) is refused with the offending layer named.
 */
final class KerasConfigReader {
  private static final String SUPPORTED = "rnnlab reads Sequential (or single-chain Functional) models of"
      + " [Embedding] → SimpleRNN or LSTM layers [each followed by Dropout] → Dense";

  private final String source;
  private final int seqLenIfAny;

  private KerasConfigReader(String source, int seqLenIfAny) {
    this.source = source;
    this.seqLenIfAny = seqLenIfAny;
  }

  /**
   * What a config describes. {@code anyLength}: the model takes sequences of any length, and
   * {@code spec.seqLen()} is the caller's choice; {@code logits}: its Dense head is linear.
   */
  record Parsed(ModelSpec spec, boolean anyLength, boolean logits) {}

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
      case "SimpleRNN", "LSTM" -> {
        chain.recurrent.add(recurrent(name, kind, c));
        chain.inputIfUnknown(c);
      }
      case "Dropout" -> addDropout(chain, name, kind, c);
      case "Dense" -> {
        if (chain.recurrent.isEmpty()) {
          throw unsupported(name, kind, "comes before any recurrent layer");
        }
        chain.dense = c;
        chain.denseName = name;
      }
      default -> throw unsupported(name, kind.isEmpty() ? "unknown class" : kind, "is not supported; " + SUPPORTED);
    }
  }

  /** After the Dense head only a softmax layer may follow, once, and only a linear Dense. */
  private void addAfterDense(Chain chain, String name, String kind, JsonNode c) {
    boolean softmax = isSoftmax(kind, c);
    if (chain.softmaxLayer || !softmax || !chain.dense.path("activation").asText("linear").equals("linear")) {
      throw unsupported(name, kind, "comes after the Dense output layer"
          + (chain.softmaxLayer || !softmax ? "" : ", which already has an activation"));
    }
    chain.softmaxLayer = true;
  }

  private void addEmbedding(Chain chain, String name, String kind, JsonNode c) {
    if (!chain.recurrent.isEmpty() || chain.vocabFromEmbedding != null) {
      throw unsupported(name, kind, "must come first, before the recurrent layers");
    }
    require(name, kind, c, "mask_zero", false, "masking changes the recurrence");
    chain.vocabFromEmbedding = intField(name, c, "input_dim");
    chain.embeddingDim = intField(name, c, "output_dim");
    chain.inputIfUnknown(c);
  }

  /** One Dropout right after each recurrent layer, all at one rate: rnnlab's only dropout. */
  private void addDropout(Chain chain, String name, String kind, JsonNode c) {
    List<Recurrent> recurrent = chain.recurrent;
    if (recurrent.isEmpty() || recurrent.get(recurrent.size() - 1).dropout != null) {
      throw unsupported(name, kind, "is not right after a recurrent layer; rnnlab places one Dropout after each");
    }
    if (!c.path("noise_shape").isNull() && !c.path("noise_shape").isMissingNode()) {
      throw unsupported(name, kind, "has a noise_shape");
    }
    double rate = c.path("rate").asDouble(Double.NaN);
    if (chain.dropout != null && rate != chain.dropout) {
      throw unsupported(name, kind, "has rate " + rate + " but an earlier Dropout has " + chain.dropout
          + "; rnnlab uses one rate for all");
    }
    chain.dropout = rate;
    recurrent.get(recurrent.size() - 1).dropout = rate;
  }

  /** The chain has a recurrent layer and a head, and a Dropout after every recurrent layer or none. */
  private void checkComplete(Chain chain) {
    if (chain.recurrent.isEmpty() || chain.dense == null) {
      throw fail("the model needs a SimpleRNN or LSTM layer and a Dense output layer; " + SUPPORTED);
    }
    if (chain.dropout != null && chain.recurrent.stream().anyMatch(r -> r.dropout == null)) {
      Recurrent bare = chain.recurrent.stream().filter(r -> r.dropout == null).findFirst().orElseThrow();
      throw unsupported(bare.name, bare.kind, "has no Dropout after it while other recurrent layers do");
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
    Recurrent first = checkStack(chain.recurrent);
    LossOn lossOn = chain.recurrent.get(chain.recurrent.size() - 1).returnSequences ? LossOn.ALL : LossOn.LAST;
    String denseName = chain.denseName;
    if (!chain.dense.path("use_bias").asBoolean(true)) {
      throw unsupported(denseName, "Dense", "has use_bias=False");
    }
    int outUnits = intField(denseName, chain.dense, "units");
    String activation = chain.softmaxLayer ? "softmax" : chain.dense.path("activation").asText("linear");
    CellType cell = first.kind.equals("LSTM") ? CellType.LSTM : CellType.SIMPLE_RNN;
    Window window = window(chain);
    // Keras users often end a char model in a linear Dense and train with from_logits=True.
    boolean logits = activation.equals("linear") && outUnits > 1 && outUnits == window.inputWidth();
    Head head = chain.vocabFromEmbedding != null || activation.equals("softmax") || logits
        ? Head.SOFTMAX : Head.REGRESSION;
    checkHead(denseName, head, logits, activation, outUnits, window.inputWidth(), lossOn);
    double dropout = chain.dropout == null ? 0 : chain.dropout;
    try {
      ModelSpec spec = head == Head.SOFTMAX
          ? ModelSpec.charModel(cell, chain.recurrent.size(), first.units, chain.embeddingDim, dropout,
              window.seqLen(), outUnits, lossOn)
          : new ModelSpec(ModelSpec.stack(cell, chain.recurrent.size()), first.units, 0,
              ModelSpec.dropoutAfterEach(chain.recurrent.size(), dropout), window.seqLen(), 0, Head.REGRESSION,
              LossOn.LAST, chain.input.features);
      return new Parsed(spec, window.anyLength(), logits);
    } catch (UserInputException e) { // sizes out of rnnlab's range
      throw fail(e.getMessage());
    }
  }

  /** The recurrent layers as rnnlab stacks them: one kind, one width, sequences between them; the first. */
  private Recurrent checkStack(List<Recurrent> recurrent) {
    Recurrent first = recurrent.get(0);
    for (int i = 0; i < recurrent.size(); i++) {
      Recurrent r = recurrent.get(i);
      if (!r.kind.equals(first.kind)) {
        throw unsupported(r.name, r.kind, "differs from " + first.name + " (" + first.kind + "); rnnlab stacks one kind of cell");
      }
      if (r.units != first.units) {
        throw unsupported(r.name, r.kind, "has " + r.units + " units but " + first.name + " has " + first.units
            + "; rnnlab stacks layers of equal width");
      }
      if (i < recurrent.size() - 1 && !r.returnSequences) {
        throw unsupported(r.name, r.kind, "has return_sequences=False but feeds another recurrent layer");
      }
    }
    return first;
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
    if (kind.equals("LSTM")) {
      String rec = c.path("recurrent_activation").asText("sigmoid");
      if (!rec.equals("sigmoid")) {
        throw unsupported(name, kind, "has recurrent_activation '" + rec + "'; rnnlab's LSTM uses sigmoid");
      }
    }
    for (String rate : new String[] {"dropout", "recurrent_dropout"}) {
      double r = c.path(rate).asDouble(0);
      if (r != 0) {
        throw unsupported(name, kind, "has " + rate + "=" + r
            + "; rnnlab has no dropout inside the cell (use a Dropout layer after it)");
      }
    }
    return new Recurrent(name, kind, intField(name, c, "units"), c.path("return_sequences").asBoolean(false));
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
    final List<Recurrent> recurrent = new ArrayList<>();
    Double dropout; // the one rate of every Dropout; null: none
    JsonNode dense;
    String denseName = "dense";
    boolean softmaxLayer; // Dense(V) then Activation('softmax'), as the classic Keras example writes it

    /** A layer's own {@code batch_input_shape} (Keras 2 puts the input shape on the first layer). */
    void inputIfUnknown(JsonNode c) {
      if (input == null) {
        input = Shape.of(c.get("batch_input_shape"));
      }
    }
  }

  private static final class Recurrent {
    final String name;
    final String kind;
    final int units;
    final boolean returnSequences;
    Double dropout;

    Recurrent(String name, String kind, int units, boolean returnSequences) {
      this.name = name;
      this.kind = kind;
      this.units = units;
      this.returnSequences = returnSequences;
    }
  }

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

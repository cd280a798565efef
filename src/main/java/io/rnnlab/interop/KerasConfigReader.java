package io.rnnlab.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.UserInputException;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Keras model config (Keras 3 {@code config.json}, or the same layer configs as tf_keras writes
 * them) → {@link ModelSpec}, accepting exactly the models rnnlab computes identically: a
 * Sequential of [InputLayer] [Embedding] (SimpleRNN | LSTM) [Dropout] … Dense. Anything whose math
 * rnnlab would silently get wrong (another cell, a wrapper, a non-default activation, missing
 * biases, returned states, masking, …) is refused with the offending layer named.
 */
final class KerasConfigReader {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SUPPORTED =
      "rnnlab reads Sequential models of [Embedding] → SimpleRNN or LSTM layers [each followed by Dropout] → Dense";

  private final String source;

  private KerasConfigReader(String source) {
    this.source = source;
  }

  static ModelSpec parse(String json, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UserInputException(source + ": config.json is not valid JSON ("
          + e.getOriginalMessage().lines().findFirst().orElse("") + ")");
    }
    return new KerasConfigReader(source).model(root);
  }

  private ModelSpec model(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw fail("config.json does not describe a Keras model");
    }
    String cls = root.path("class_name").asText("");
    if (!cls.equals("Sequential")) {
      throw fail("the model is a " + (cls.isEmpty() ? "model of unknown class" : cls) + ", not a Sequential; " + SUPPORTED);
    }
    JsonNode layers = root.path("config").path("layers");
    if (!layers.isArray() || layers.isEmpty()) {
      throw fail("the Sequential model has no layers");
    }
    Shape input = null;
    Integer vocabFromEmbedding = null;
    int embeddingDim = 0;
    List<Recurrent> recurrent = new ArrayList<>();
    Double dropout = null;
    JsonNode dense = null;
    for (int i = 0; i < layers.size(); i++) {
      JsonNode layer = layers.get(i);
      String kind = layer.path("class_name").asText("");
      JsonNode c = layer.path("config");
      String name = c.path("name").asText(kind.toLowerCase(Locale.ROOT));
      if (dense != null) {
        throw unsupported(name, kind, "comes after the Dense output layer");
      }
      checkFloat32(name, kind, c);
      switch (kind) {
        case "InputLayer" -> {
          if (i != 0) {
            throw unsupported(name, kind, "is not the first layer");
          }
          input = Shape.of(c.has("batch_shape") ? c.get("batch_shape") : c.get("batch_input_shape"));
        }
        case "Embedding" -> {
          if (!recurrent.isEmpty() || vocabFromEmbedding != null) {
            throw unsupported(name, kind, "must come first, before the recurrent layers");
          }
          require(name, kind, c, "mask_zero", false, "masking changes the recurrence");
          vocabFromEmbedding = intField(name, c, "input_dim");
          embeddingDim = intField(name, c, "output_dim");
          if (input == null) {
            input = Shape.of(c.get("batch_input_shape"));
          }
        }
        case "SimpleRNN", "LSTM" -> {
          recurrent.add(recurrent(name, kind, c));
          if (input == null) {
            input = Shape.of(c.get("batch_input_shape"));
          }
        }
        case "Dropout" -> {
          if (recurrent.isEmpty() || recurrent.get(recurrent.size() - 1).dropout != null) {
            throw unsupported(name, kind, "is not right after a recurrent layer; rnnlab places one Dropout after each");
          }
          if (!c.path("noise_shape").isNull() && !c.path("noise_shape").isMissingNode()) {
            throw unsupported(name, kind, "has a noise_shape");
          }
          double rate = c.path("rate").asDouble(Double.NaN);
          if (dropout != null && rate != dropout) {
            throw unsupported(name, kind, "has rate " + rate + " but an earlier Dropout has " + dropout
                + "; rnnlab uses one rate for all");
          }
          dropout = rate;
          recurrent.get(recurrent.size() - 1).dropout = rate;
        }
        case "Dense" -> {
          if (recurrent.isEmpty()) {
            throw unsupported(name, kind, "comes before any recurrent layer");
          }
          dense = c;
        }
        default -> throw unsupported(name, kind.isEmpty() ? "unknown class" : kind, "is not supported; " + SUPPORTED);
      }
    }
    if (recurrent.isEmpty() || dense == null) {
      throw fail("the model needs a SimpleRNN or LSTM layer and a Dense output layer; " + SUPPORTED);
    }
    if (dropout != null && recurrent.stream().anyMatch(r -> r.dropout == null)) {
      Recurrent bare = recurrent.stream().filter(r -> r.dropout == null).findFirst().orElseThrow();
      throw unsupported(bare.name, bare.kind, "has no Dropout after it while other recurrent layers do");
    }
    if (input == null) {
      input = Shape.of(firstNonNull(root.path("config").get("build_input_shape"),
          root.path("build_config").get("input_shape")));
    }
    return spec(input, vocabFromEmbedding, embeddingDim, recurrent, dropout == null ? 0 : dropout, dense,
        layers.get(layers.size() - 1).path("config").path("name").asText("dense"));
  }

  private ModelSpec spec(Shape input, Integer embeddingVocab, int embeddingDim, List<Recurrent> recurrent,
      double dropout, JsonNode dense, String denseName) {
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
    LossOn lossOn = recurrent.get(recurrent.size() - 1).returnSequences ? LossOn.ALL : LossOn.LAST;
    if (!dense.path("use_bias").asBoolean(true)) {
      throw unsupported(denseName, "Dense", "has use_bias=False");
    }
    int outUnits = intField(denseName, dense, "units");
    String activation = dense.path("activation").asText("linear");
    CellType cell = first.kind.equals("LSTM") ? CellType.LSTM : CellType.SIMPLE_RNN;
    if (input == null || input.seqLen == null) {
      throw fail("the model takes sequences of any length; rnnlab needs a fixed one (Input(shape=(SEQ_LEN, …)))");
    }
    if (embeddingVocab == null && input.features == null) {
      throw fail("the input has no feature axis; expected Input(shape=(SEQ_LEN, FEATURES))");
    }
    Head head = embeddingVocab != null || activation.equals("softmax") ? Head.SOFTMAX : Head.REGRESSION;
    requireActivation(denseName, activation, head == Head.SOFTMAX ? "softmax" : "linear");
    int inputWidth = embeddingVocab != null ? embeddingVocab : input.features;
    if (head == Head.SOFTMAX && outUnits != inputWidth) {
      throw unsupported(denseName, "Dense", "has " + outUnits + " units but the model reads " + inputWidth
          + " symbols; a char model predicts the symbols it reads");
    }
    if (head == Head.REGRESSION && (outUnits != 1 || lossOn != LossOn.LAST)) {
      throw unsupported(denseName, "Dense", "is linear with " + outUnits + " unit(s)"
          + (lossOn == LossOn.ALL ? " on every step" : "") + "; rnnlab's regression head is one Dense(1) on the last step");
    }
    try {
      return head == Head.SOFTMAX
          ? ModelSpec.charModel(cell, recurrent.size(), first.units, embeddingDim, dropout, input.seqLen, outUnits, lossOn)
          : new ModelSpec(cell, recurrent.size(), first.units, 0, dropout, input.seqLen, 0, Head.REGRESSION,
              LossOn.LAST, input.features);
    } catch (UserInputException e) { // sizes out of rnnlab's range
      throw fail(e.getMessage());
    }
  }

  private void requireActivation(String name, String activation, String wanted) {
    if (!activation.equals(wanted)) {
      throw unsupported(name, "Dense", "has activation '" + activation + "'; rnnlab's head here is " + wanted);
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

    private static Integer dim(JsonNode d) {
      return d != null && d.isIntegralNumber() ? d.asInt() : null;
    }
  }
}

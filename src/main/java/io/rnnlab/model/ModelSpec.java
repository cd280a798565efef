package io.rnnlab.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.Json;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model as data, like Keras's {@code get_config}: every stage (training, export, generation,
 * Keras files) rebuilds its graph from this record and a set of named weights.
 *
 * <p>Input is char ids through an Embedding ({@code embeddingDim > 0}), one-hot chars ({@code
 * embeddingDim == 0}, softmax head), or {@code inputFeatures} floats per step (regression head).
 * Then the recurrent layers ({@code recurrent}: each its cell and the cell's own dropout, all
 * {@code units} wide), then the Dense head. {@code dropouts} are Keras's Dropout layers by
 * position: {@code [after the input or Embedding, after recurrent layer 1, …, after layer n]}, 0
 * where there is none (the presets: {@code [0, d, …, d]}).
 */
public record ModelSpec(
    List<RecurrentSpec> recurrent,
    int units,
    int embeddingDim,
    List<Double> dropouts,
    int seqLen,
    int vocabSize,
    Head head,
    LossOn lossOn,
    int inputFeatures) {

  private static final ObjectMapper JSON = Json.SPEC;

  /** Sizes past these are typos, not models; they would only fail later inside TF. */
  static final int MAX_UNITS = 8192;

  static final int MAX_LAYERS = 16;
  /**
   * rnnlab unrolls the recurrence statically, so building and optimising the graph grows with
   * the window: one sum-lstm step took 48 s at seq_len 500 and 174 s at 1000 on 2 cores, and
   * 10,000 never finished. The tutorials use 5 to 100.
   */
  public static final int MAX_SEQ_LEN = 1000;
  static final int MAX_VOCAB = 1 << 20;
  /**
   * Java holds a model's weights and, for checkpoints, Adam's two slots beside them: at this size
   * that is 600 MB of the launcher's 2 GB heap. The largest reference model has 3.4 M.
   */
  static final long MAX_PARAMETERS = 50_000_000;

  public ModelSpec {
    if (recurrent == null || dropouts == null || head == null || lossOn == null
        || recurrent.stream().anyMatch(java.util.Objects::isNull) || dropouts.stream().anyMatch(java.util.Objects::isNull)) {
      throw new UserInputException("model spec needs cell, head and loss_on");
    }
    check(recurrent.size(), 1, MAX_LAYERS, "layers");
    recurrent = List.copyOf(recurrent);
    dropouts = List.copyOf(dropouts);
    if (dropouts.size() != recurrent.size() + 1) {
      throw new UserInputException("dropouts must have " + (recurrent.size() + 1) + " rates (after the input, then"
          + " after each of the " + recurrent.size() + " recurrent layers), got " + dropouts.size());
    }
    dropouts.forEach(d -> RecurrentSpec.checkRate(d, "dropout"));
    check(units, 1, MAX_UNITS, "units");
    check(seqLen, 1, MAX_SEQ_LEN, "seq_len");
    if (head == Head.SOFTMAX) {
      check(vocabSize, 2, MAX_VOCAB, "vocab_size");
      check(embeddingDim, 0, MAX_UNITS, "embedding_dim");
      if (inputFeatures != 0) {
        throw new UserInputException("input_features is for regression models; char models use vocab_size");
      }
    } else {
      check(inputFeatures, 1, MAX_UNITS, "input_features");
      if (vocabSize != 0 || embeddingDim != 0) {
        throw new UserInputException("a regression model has no vocabulary or embedding");
      }
    }
    long parameters = parameterCount(recurrent, units, embeddingDim, head == Head.SOFTMAX ? vocabSize : 0, inputFeatures);
    if (parameters > MAX_PARAMETERS) {
      throw new UserInputException(String.format(java.util.Locale.ROOT,
          "the model would have %,d parameters, over the %,d rnnlab trains; use fewer units or layers", parameters,
          MAX_PARAMETERS));
    }
  }

  /** The parameter count from the sizes, in long arithmetic: before the check, products may be huge. */
  private static long parameterCount(List<RecurrentSpec> recurrent, int units, int embeddingDim, int vocab,
      int features) {
    long in = vocab > 0 ? (embeddingDim > 0 ? embeddingDim : vocab) : features;
    long count = vocab > 0 && embeddingDim > 0 ? (long) vocab * embeddingDim : 0;
    for (RecurrentSpec layer : recurrent) {
      long width = (long) layer.cell().gates() * units;
      long bias = java.util.Arrays.stream(Cell.of(layer.cell()).biasShape(units)).asLongStream()
          .reduce(1, Math::multiplyExact);
      count += (in + units) * width + bias;
      in = units;
    }
    long out = vocab > 0 ? vocab : 1;
    return count + (units + 1L) * out;
  }

  private static void check(int value, int min, int max, String name) {
    if (value < min || value > max) {
      throw new UserInputException(name + " must be in [" + min + ", " + max + "], got " + value);
    }
  }

  /** {@code layers} layers of one cell without dropout of their own. */
  public static List<RecurrentSpec> stack(CellType cell, int layers) {
    check(layers, 1, MAX_LAYERS, "layers");
    return java.util.Collections.nCopies(layers, RecurrentSpec.of(cell));
  }

  /** Dropout(rate) after each of {@code layers} recurrent layers and none after the input: the presets' form. */
  public static List<Double> dropoutAfterEach(int layers, double rate) {
    check(layers, 1, MAX_LAYERS, "layers");
    List<Double> d = new ArrayList<>(java.util.Collections.nCopies(layers + 1, rate));
    d.set(0, 0.0);
    return d;
  }

  /** A char model over {@code vocabSize} symbols: layers of one cell, Dropout(dropout) after each. */
  public static ModelSpec charModel(
      CellType cell, int layers, int units, int embeddingDim, double dropout, int seqLen,
      int vocabSize, LossOn lossOn) {
    return new ModelSpec(stack(cell, layers), units, embeddingDim, dropoutAfterEach(layers, dropout), seqLen,
        vocabSize, Head.SOFTMAX, lossOn, 0);
  }

  /** A sequence → one number model (the sequence-sum toy). */
  public static ModelSpec regression(CellType cell, int layers, int units, int seqLen, int features) {
    return new ModelSpec(stack(cell, layers), units, 0, dropoutAfterEach(layers, 0), seqLen, 0, Head.REGRESSION,
        LossOn.LAST, features);
  }

  public ModelSpec withVocabSize(int size) {
    return new ModelSpec(recurrent, units, embeddingDim, dropouts, seqLen, size, head, lossOn, inputFeatures);
  }

  public ModelSpec withSeqLen(int len) {
    return new ModelSpec(recurrent, units, embeddingDim, dropouts, len, vocabSize, head, lossOn, inputFeatures);
  }

  /** The number of recurrent layers. */
  public int layers() {
    return recurrent.size();
  }

  /** The cell of recurrent layer {@code i} (from 0). */
  public CellType cell(int i) {
    return recurrent.get(i).cell();
  }

  /** The rate of the Dropout after the input (one-hot, Embedding or features); 0: none. */
  public double inputDropout() {
    return dropouts.get(0);
  }

  /** The rate of the Dropout after recurrent layer {@code i} (from 0); 0: none. */
  public double dropoutAfter(int i) {
    return dropouts.get(i + 1);
  }

  /**
   * The rate R when the model's Dropout layers are Dropout(R) after each recurrent layer and
   * nowhere else (0: no Dropout at all), what {@code --dropout R} and the old single {@code
   * dropout} field say; NaN for any other placement.
   */
  public double dropoutAfterEach() {
    double r = dropouts.get(1);
    return dropouts.equals(dropoutAfterEach(layers(), r)) ? r : Double.NaN;
  }

  public boolean isCharModel() {
    return head == Head.SOFTMAX;
  }

  public boolean oneHotInput() {
    return isCharModel() && embeddingDim == 0;
  }

  /** Width of one time step's input to the first recurrent layer. */
  public int firstLayerInputDim() {
    if (!isCharModel()) {
      return inputFeatures;
    }
    return embeddingDim > 0 ? embeddingDim : vocabSize;
  }

  /** Width of recurrent layer {@code i}'s input. */
  public int inputDim(int i) {
    return i == 0 ? firstLayerInputDim() : units;
  }

  public int outputDim() {
    return isCharModel() ? vocabSize : 1;
  }

  /** Width of the flat state the step signature carries: layer by layer, h (then c for an LSTM). */
  public int stateSize() {
    int size = 0;
    for (RecurrentSpec r : recurrent) {
      size += r.cell().stateTensors() * units;
    }
    return size;
  }

  /**
   * Keras's default layer names, numbered per class in model order: lstm, lstm_1, …; in a GRU →
   * LSTM stack, gru and lstm. Keras 3 files a layer's weights under this name too.
   */
  public String recurrentLayerName(int index) {
    CellType cell = cell(index);
    int before = 0;
    for (int i = 0; i < index; i++) {
      before += cell(i) == cell ? 1 : 0;
    }
    return before == 0 ? cell.kerasName() : cell.kerasName() + "_" + before;
  }

  /** Every trainable weight, in Keras's order (the order of {@code model.weights}). */
  public List<WeightSpec> weights() {
    List<WeightSpec> w = new ArrayList<>();
    if (embeddingDim > 0) {
      w.add(new WeightSpec("embedding", "embeddings", new int[] {vocabSize, embeddingDim},
          WeightSpec.Init.UNIFORM_005));
    }
    for (int i = 0; i < layers(); i++) {
      String layer = recurrentLayerName(i);
      CellType cell = cell(i);
      int width = cell.gates() * units;
      w.add(new WeightSpec(layer, "kernel", new int[] {inputDim(i), width}, WeightSpec.Init.GLOROT_UNIFORM));
      w.add(new WeightSpec(layer, "recurrent_kernel", new int[] {units, width}, WeightSpec.Init.ORTHOGONAL));
      w.add(new WeightSpec(layer, "bias", Cell.of(cell).biasShape(units),
          cell == CellType.LSTM ? WeightSpec.Init.LSTM_BIAS : WeightSpec.Init.ZEROS));
    }
    w.add(new WeightSpec("dense", "kernel", new int[] {units, outputDim()}, WeightSpec.Init.GLOROT_UNIFORM));
    w.add(new WeightSpec("dense", "bias", new int[] {outputDim()}, WeightSpec.Init.ZEROS));
    return List.copyOf(w);
  }

  /** The number of weights, Keras's "Total params" (ModelSpecTest checks it against {@link #weights}). */
  public long parameterCount() {
    return parameterCount(recurrent, units, embeddingDim, isCharModel() ? vocabSize : 0, inputFeatures);
  }

  /**
   * {@code spec.json} as rnnlab has always written it (cell, layers, units, …, dropout), plus what
   * a model beyond the presets' form needs, only when it has it: {@code dropouts} (per position,
   * unless they are Dropout(dropout) after each recurrent layer), {@code cells} (a stack of
   * mixed cells; {@code cell} is then the first layer's) and {@code cell_dropout} ([dropout,
   * recurrent_dropout] per layer, when any is not 0). A preset's spec.json is therefore what it
   * was before these fields existed, and an old one reads as the same model.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Stored(CellType cell, int layers, int units, int embeddingDim, double dropout, int seqLen, int vocabSize,
      Head head, LossOn lossOn, int inputFeatures, List<Double> dropouts, List<CellType> cells,
      List<List<Double>> cellDropout) {

    static Stored of(ModelSpec s) {
      double each = s.dropoutAfterEach();
      boolean mixed = s.recurrent.stream().map(RecurrentSpec::cell).distinct().count() > 1;
      boolean cellDropout = s.recurrent.stream().anyMatch(RecurrentSpec::hasCellDropout);
      return new Stored(s.cell(0), s.layers(), s.units, s.embeddingDim, Double.isNaN(each) ? 0 : each, s.seqLen,
          s.vocabSize, s.head, s.lossOn, s.inputFeatures, Double.isNaN(each) ? s.dropouts : null,
          mixed ? s.recurrent.stream().map(RecurrentSpec::cell).toList() : null,
          cellDropout ? s.recurrent.stream().map(r -> List.of(r.dropout(), r.recurrentDropout())).toList() : null);
    }

    ModelSpec toSpec() {
      check(layers, 1, MAX_LAYERS, "layers");
      if (cell == null) {
        throw new UserInputException("model spec needs cell, head and loss_on");
      }
      if (cells != null && (cells.size() != layers || cells.stream().anyMatch(java.util.Objects::isNull))) {
        throw new UserInputException("cells must name the cell of each of the " + layers + " layers, got " + cells);
      }
      if (cellDropout != null && (cellDropout.size() != layers
          || cellDropout.stream().anyMatch(d -> d == null || d.size() != 2 || d.stream().anyMatch(java.util.Objects::isNull)))) {
        throw new UserInputException("cell_dropout must give [dropout, recurrent_dropout] for each of the " + layers
            + " layers");
      }
      List<RecurrentSpec> stack = new ArrayList<>();
      for (int i = 0; i < layers; i++) {
        CellType c = cells != null ? cells.get(i) : cell;
        stack.add(cellDropout == null ? RecurrentSpec.of(c)
            : new RecurrentSpec(c, cellDropout.get(i).get(0), cellDropout.get(i).get(1)));
      }
      return new ModelSpec(stack, units, embeddingDim, dropouts != null ? dropouts : dropoutAfterEach(layers, dropout),
          seqLen, vocabSize, head, lossOn, inputFeatures);
    }
  }

  /** The JSON form ({@link Stored}), wherever a spec is written (spec.json, checkpoint manifests). */
  @JsonValue
  Stored stored() {
    return Stored.of(this);
  }

  /** From the JSON form by {@link #JSON}'s rules, wherever a spec is read (a checkpoint manifest's too). */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ModelSpec fromTree(JsonNode tree) throws JsonProcessingException {
    Stored stored = JSON.treeToValue(tree, Stored.class);
    if (stored == null) {
      throw new UserInputException("empty");
    }
    return stored.toSpec();
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ModelSpec fromJson(String json, String source) {
    try {
      JsonNode tree = JSON.readTree(json);
      if (tree == null || tree.isNull() || tree.isMissingNode()) {
        throw new UserInputException("model spec " + source + " is empty");
      }
      return fromTree(tree);
    } catch (UserInputException e) {
      throw new UserInputException("model spec " + source + ": " + e.getMessage());
    } catch (JsonProcessingException e) {
      Throwable root = e.getCause() instanceof UserInputException u ? u : e;
      String msg = root instanceof UserInputException ? root.getMessage() : e.getOriginalMessage();
      throw new UserInputException("model spec " + source + " is not valid: " + Messages.cut(Messages.oneLine(msg), 200));
    }
  }

  public static ModelSpec read(Path file) {
    try {
      if (Files.exists(file)) {
        io.rnnlab.InputFiles.requireRegular(file, io.rnnlab.InputFiles.MIB, "model spec " + file);
      }
      return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (NoSuchFileException e) {
      throw new UserInputException("model spec " + file + " does not exist");
    } catch (IOException e) {
      throw new UserInputException("cannot read model spec " + file + ": " + e.getMessage());
    }
  }

  /**
   * One line for logs and reports: {@code 2x lstm(512) emb 256 dropout 0.2 seq 100 vocab 65 loss
   * on last}; a mixed stack {@code gru(16)+lstm(16)}, Dropout elsewhere than after each layer
   * {@code dropout [0.1, 0, 0.2]} (input, then after each layer), cell dropout {@code cell
   * dropout [0.2/0.2, 0.1/0]} (dropout/recurrent_dropout per layer).
   */
  public String describe() {
    StringBuilder s = new StringBuilder();
    String cells = RecurrentSpec.cellNames(recurrent);
    if (cells.contains("+")) {
      s.append(String.join("+", recurrent.stream().map(r -> r.cell().kerasName() + "(" + units + ")").toList()));
    } else {
      s.append(layers()).append("x ").append(cells).append('(').append(units).append(')');
    }
    if (isCharModel()) {
      s.append(embeddingDim > 0 ? " emb " + embeddingDim : " one-hot").append(" vocab ").append(vocabSize);
    } else {
      s.append(" regression, ").append(inputFeatures).append(" feature(s)");
    }
    double each = dropoutAfterEach();
    if (Double.isNaN(each)) {
      s.append(" dropout ").append(dropouts.stream().map(RecurrentSpec::rate).toList());
    } else if (each > 0) {
      s.append(" dropout ").append(each);
    }
    if (recurrent.stream().anyMatch(RecurrentSpec::hasCellDropout)) {
      s.append(" cell dropout ").append(recurrent.stream().map(RecurrentSpec::describeDropout).toList());
    }
    s.append(" seq ").append(seqLen).append(" loss on ").append(lossOn.jsonName());
    return s.toString();
  }
}

package io.rnnlab.model;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 */
public record ModelSpec(
    CellType cell,
    int layers,
    int units,
    int embeddingDim,
    double dropout,
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
    if (cell == null || head == null || lossOn == null) {
      throw new UserInputException("model spec needs cell, head and loss_on");
    }
    check(layers, 1, MAX_LAYERS, "layers");
    check(units, 1, MAX_UNITS, "units");
    check(seqLen, 1, MAX_SEQ_LEN, "seq_len");
    if (!(dropout >= 0 && dropout < 1)) {
      throw new UserInputException("dropout must be in [0, 1), got " + dropout);
    }
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
    long parameters = parameterCount(cell, layers, units, embeddingDim, head == Head.SOFTMAX ? vocabSize : 0, inputFeatures);
    if (parameters > MAX_PARAMETERS) {
      throw new UserInputException(String.format(java.util.Locale.ROOT,
          "the model would have %,d parameters, over the %,d rnnlab trains; use fewer units or layers", parameters,
          MAX_PARAMETERS));
    }
  }

  /** The parameter count from the sizes, in long arithmetic: before the check, products may be huge. */
  private static long parameterCount(CellType cell, int layers, int units, int embeddingDim, int vocab, int features) {
    long width = (long) cell.gates() * units;
    long bias = java.util.Arrays.stream(Cell.of(cell).biasShape(units)).asLongStream().reduce(1, Math::multiplyExact);
    long in = vocab > 0 ? (embeddingDim > 0 ? embeddingDim : vocab) : features;
    long count = vocab > 0 && embeddingDim > 0 ? (long) vocab * embeddingDim : 0;
    for (int i = 0; i < layers; i++) {
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

  /** A char model over {@code vocabSize} symbols. */
  public static ModelSpec charModel(
      CellType cell, int layers, int units, int embeddingDim, double dropout, int seqLen,
      int vocabSize, LossOn lossOn) {
    return new ModelSpec(
        cell, layers, units, embeddingDim, dropout, seqLen, vocabSize, Head.SOFTMAX, lossOn, 0);
  }

  /** A sequence → one number model (the sequence-sum toy). */
  public static ModelSpec regression(CellType cell, int layers, int units, int seqLen, int features) {
    return new ModelSpec(cell, layers, units, 0, 0.0, seqLen, 0, Head.REGRESSION, LossOn.LAST, features);
  }

  public ModelSpec withVocabSize(int size) {
    return new ModelSpec(cell, layers, units, embeddingDim, dropout, seqLen, size, head, lossOn, inputFeatures);
  }

  public ModelSpec withSeqLen(int len) {
    return new ModelSpec(cell, layers, units, embeddingDim, dropout, len, vocabSize, head, lossOn, inputFeatures);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore // derived from head; not a JSON field
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

  public int outputDim() {
    return isCharModel() ? vocabSize : 1;
  }

  /** Width of the flat state the step signature carries: per layer h (and c). */
  public int stateSize() {
    return layers * cell.stateTensors() * units;
  }

  /** Keras's default layer names: lstm, lstm_1, … */
  public String recurrentLayerName(int index) {
    return index == 0 ? cell.kerasName() : cell.kerasName() + "_" + index;
  }

  /** Every trainable weight, in Keras's order (the order of {@code model.weights}). */
  public List<WeightSpec> weights() {
    List<WeightSpec> w = new ArrayList<>();
    if (embeddingDim > 0) {
      w.add(new WeightSpec("embedding", "embeddings", new int[] {vocabSize, embeddingDim},
          WeightSpec.Init.UNIFORM_005));
    }
    int in = firstLayerInputDim();
    int width = cell.gates() * units;
    for (int i = 0; i < layers; i++) {
      String layer = recurrentLayerName(i);
      w.add(new WeightSpec(layer, "kernel", new int[] {in, width}, WeightSpec.Init.GLOROT_UNIFORM));
      w.add(new WeightSpec(layer, "recurrent_kernel", new int[] {units, width}, WeightSpec.Init.ORTHOGONAL));
      w.add(new WeightSpec(layer, "bias", Cell.of(cell).biasShape(units),
          cell == CellType.LSTM ? WeightSpec.Init.LSTM_BIAS : WeightSpec.Init.ZEROS));
      in = units;
    }
    w.add(new WeightSpec("dense", "kernel", new int[] {units, outputDim()}, WeightSpec.Init.GLOROT_UNIFORM));
    w.add(new WeightSpec("dense", "bias", new int[] {outputDim()}, WeightSpec.Init.ZEROS));
    return List.copyOf(w);
  }

  /** The number of weights, Keras's "Total params" (ModelSpecTest checks it against {@link #weights}). */
  public long parameterCount() {
    return parameterCount(cell, layers, units, embeddingDim, isCharModel() ? vocabSize : 0, inputFeatures);
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
      ModelSpec spec = JSON.readValue(json, ModelSpec.class);
      if (spec == null) {
        throw new UserInputException("model spec " + source + " is empty");
      }
      return spec;
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

  /** One line for logs and reports: {@code 2x lstm(512) emb 256 dropout 0.2 seq 100 vocab 65}. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append(layers).append("x ").append(cell.kerasName()).append('(').append(units).append(')');
    if (isCharModel()) {
      s.append(embeddingDim > 0 ? " emb " + embeddingDim : " one-hot").append(" vocab ").append(vocabSize);
    } else {
      s.append(" regression, ").append(inputFeatures).append(" feature(s)");
    }
    if (dropout > 0) {
      s.append(" dropout ").append(dropout);
    }
    s.append(" seq ").append(seqLen).append(" loss on ").append(lossOn.jsonName());
    return s.toString();
  }
}

package io.rnnlab.keras;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.WritableGroup;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.keras.KerasNames.Kind;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.model.WeightSpec;
import io.rnnlab.model.Weights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keras weights in HDF5: Keras 3's layout ({@code model.weights.h5} in a {@code .keras}, {@code
 * save_weights("x.weights.h5")}) read and written, and Keras 2's ({@code model.save("x.h5")},
 * {@code save_weights("x.h5")}) read. Where a weight lives is {@link KerasNames}'s business.
 */
public final class KerasH5Weights {
  private static final Pattern NUMBERED = Pattern.compile("(.*?)(?:_(\\d+))?");

  private KerasH5Weights() {}

  /**
   * Reads a Keras 2 {@code .h5} or Keras 3 {@code .weights.h5} file as weights for {@code spec}.
   * The file's architecture, as its weight shapes tell it, must match the spec's; otherwise a
   * one-line {@link UserInputException} names the difference.
   */
  public static Weights read(Path h5, ModelSpec spec) {
    String source = h5.getFileName().toString();
    if (!Files.isRegularFile(h5)) {
      throw new UserInputException(h5 + " does not exist or is not a file");
    }
    try (HdfFile file = new HdfFile(h5)) {
      Group keras3 = keras3Root(file);
      List<FoundLayer> layers = keras3 != null ? scanKeras3(keras3, spec, source) : scanKeras2(file, source);
      KerasArchitecture.requireSame(infer(layers, spec, source), spec, source);
      return toWeights(layers, spec, source);
    } catch (UserInputException e) {
      throw e;
    } catch (RuntimeException e) {
      // Not only HdfException: jhdf meets damage deep in a file with ArithmeticException and the like.
      throw new UserInputException(source + " is not a readable HDF5 weights file (" + Messages.of(e) + ")");
    }
  }

  /**
   * Writes Keras 3's {@code model.weights.h5}: the weights plus Adam's state, laid out as Keras
   * builds it when it compiles a loaded model (iterations, learning rate, then momentum and
   * velocity per weight in weight order), so loading restores it without a mismatch warning.
   * rnnlab's slots are Keras's variables: the same update rule (KerasAdam), the same meaning.
   */
  static void writeKeras3(ModelSpec spec, Weights weights, KerasArchive.Optimizer optimizer, Path out) {
    weights.checkFits(spec, "weights");
    Map<String, String> paths = KerasNames.keras3Paths(spec);
    try (WritableHdfFile file = HdfFile.write(out)) {
      Map<String, WritableGroup> groups = new HashMap<>();
      // jhdf 0.9.4 writes an unreadable file when the last object written is a group without
      // datasets, so only groups that hold datasets are created (Keras tolerates absent ones).
      for (var e : paths.entrySet()) {
        String path = e.getValue();
        int slash = path.lastIndexOf('/');
        group(file, groups, path.substring(0, slash)).putDataset(path.substring(slash + 1), array(weights.get(e.getKey())));
      }
      WritableGroup opt = group(file, groups, KerasNames.OPTIMIZER_VARS);
      opt.putDataset("0", Long.valueOf(optimizer.iterations()));
      opt.putDataset("1", Float.valueOf((float) optimizer.adam().learningRate()));
      int slot = 2;
      for (WeightSpec w : spec.weights()) {
        opt.putDataset(String.valueOf(slot++), array(optimizer.moment(w, "m"))); // momentum
        opt.putDataset(String.valueOf(slot++), array(optimizer.moment(w, "v"))); // velocity
      }
    }
  }

  /**
   * Reads the weights of {@code spec} from a Keras 3 weights file at the paths Keras uses for it,
   * the head's under {@code denseGroup} ({@link KerasNames#keras3Paths(ModelSpec, String)}).
   */
  static Weights readKeras3(HdfFile file, ModelSpec spec, String denseGroup, String source) {
    Group root = keras3Root(file);
    if (root == null) {
      throw new UserInputException(source + ": model.weights.h5 has no 'layers' group; it was not written by Keras 3");
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    Map<String, WeightSpec> specs = new HashMap<>();
    spec.weights().forEach(w -> specs.put(w.name(), w));
    for (var e : KerasNames.keras3Paths(spec, denseGroup).entrySet()) {
      String path = e.getValue().substring("layers/".length());
      Node node = find(root, path);
      if (!(node instanceof Dataset d)) {
        throw new UserInputException(source + ": model.weights.h5 has no " + e.getValue() + " (" + e.getKey()
            + "); the weights do not belong to the model in config.json");
      }
      out.put(e.getKey(), tensor(d, specs.get(e.getKey()), source));
    }
    return new Weights(out);
  }

  // --- scanning files of unknown architecture --------------------------------------------------

  /** A layer that holds weights, with its datasets by rnnlab weight name (kernel, bias, …). */
  private record FoundLayer(String name, Kind kind, Map<String, Dataset> weights) {
    int[] dims(String weight) {
      return weights.get(weight).getDimensions();
    }
  }

  private static Group keras3Root(HdfFile file) {
    for (String name : new String[] {"layers", "_layer_checkpoint_dependencies"}) {
      if (file.getChildren().get(name) instanceof Group g) {
        return g;
      }
    }
    return null;
  }

  /**
   * Keras 3: groups named by class (embedding, lstm_1, dense), numbered per class in model order.
   * Recurrent layers of different classes (gru, lstm) do not say which came first: they are put
   * in the order the wanted spec names them ({@code spec}), the others after.
   */
  private static List<FoundLayer> scanKeras3(Group layers, ModelSpec spec, String source) {
    List<FoundLayer> found = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    for (var e : layers.getChildren().entrySet()) {
      if (!(e.getValue() instanceof Group g) || !holdsData(g)) {
        continue; // InputLayer, Dropout
      }
      Matcher m = NUMBERED.matcher(e.getKey());
      m.matches();
      Kind kind = Kind.ofKeras3Group(m.group(1));
      if (kind == null) {
        throw new UserInputException(source + " has a '" + e.getKey() + "' layer with weights; "
            + "rnnlab reads Embedding, SimpleRNN, LSTM, GRU and Dense (or TimeDistributed(Dense)) layers only");
      }
      String prefix = Kind.keras3Prefix(m.group(1));
      Map<String, Dataset> weights = new LinkedHashMap<>();
      List<String> names = kind.weights();
      for (int i = 0; i < names.size(); i++) {
        if (!(find(g, prefix + kind.keras3Dataset(i)) instanceof Dataset d)) {
          throw new UserInputException(source + ": layer '" + e.getKey() + "' has no " + prefix + kind.keras3Dataset(i)
              + " (" + names.get(i) + ")");
        }
        weights.put(names.get(i), d);
      }
      found.add(new FoundLayer(e.getKey(), kind, weights));
      index.put(e.getKey(), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }
    List<String> wanted = new ArrayList<>();
    for (int i = 0; i < spec.layers(); i++) {
      wanted.add(spec.recurrentLayerName(i));
    }
    found.sort(Comparator.comparing((FoundLayer l) -> l.kind())
        .thenComparing(l -> wanted.contains(l.name()) ? wanted.indexOf(l.name()) : wanted.size())
        .thenComparing(l -> index.get(l.name())).thenComparing(FoundLayer::name));
    return found;
  }

  /** Keras 2: layer order in the {@code layer_names} attribute, weight paths in {@code weight_names}. */
  private static List<FoundLayer> scanKeras2(HdfFile file, String source) {
    Group root = file.getChildren().get("model_weights") instanceof Group g ? g : file;
    String[] layerNames = strings(root.getAttribute("layer_names"));
    if (layerNames == null) {
      throw new UserInputException(source + " holds no Keras weights (no 'layers' group, no layer_names attribute); "
          + "expected a Keras model.save(\"x.h5\") or save_weights file");
    }
    List<FoundLayer> found = new ArrayList<>();
    for (String layer : layerNames) {
      if (!(root.getChild(layer) instanceof Group g)) {
        throw new UserInputException(source + ": layer '" + layer + "' is listed but missing");
      }
      String[] weightNames = strings(g.getAttribute("weight_names"));
      if (weightNames == null || weightNames.length == 0) {
        continue;
      }
      Map<String, Dataset> weights = new LinkedHashMap<>();
      for (String w : weightNames) {
        if (!(find(g, w) instanceof Dataset d)) {
          throw new UserInputException(source + ": weight " + layer + "/" + w + " is listed but missing");
        }
        weights.put(KerasNames.weightOf(w), d);
      }
      Kind kind = Arrays.stream(Kind.values()).filter(k -> k.weights().equals(List.copyOf(weights.keySet())))
          .findFirst()
          .orElseThrow(() -> new UserInputException(source + ": layer '" + layer + "' has weights "
              + weights.keySet() + "; rnnlab reads Embedding, SimpleRNN, LSTM, GRU and Dense layers only"));
      found.add(new FoundLayer(layer, kind, weights));
    }
    return found;
  }

  /** The architecture the weight shapes describe, with the wanted spec's shape-free settings. */
  private static ModelSpec infer(List<FoundLayer> layers, ModelSpec wanted, String source) {
    List<Kind> kinds = layers.stream().map(FoundLayer::kind).toList();
    int recurrent = (int) kinds.stream().filter(k -> k == Kind.RECURRENT).count();
    boolean embedding = !kinds.isEmpty() && kinds.get(0) == Kind.EMBEDDING;
    List<Kind> expected = new ArrayList<>();
    if (embedding) {
      expected.add(Kind.EMBEDDING);
    }
    for (int i = 0; i < recurrent; i++) {
      expected.add(Kind.RECURRENT);
    }
    expected.add(Kind.DENSE);
    if (recurrent == 0 || !kinds.equals(expected)) {
      throw new UserInputException(source + " holds layers " + layers.stream().map(FoundLayer::name).toList()
          + "; rnnlab needs [Embedding,] SimpleRNN, LSTM or GRU layers, then one Dense");
    }
    FoundLayer first = layers.get(embedding ? 1 : 0);
    int units = first.dims("recurrent_kernel")[0];
    List<RecurrentSpec> cells = new ArrayList<>();
    for (FoundLayer l : layers.subList(embedding ? 1 : 0, layers.size() - 1)) {
      int[] rk = l.dims("recurrent_kernel");
      int gates = rk.length == 2 && rk[0] > 0 ? rk[1] / rk[0] : -1;
      CellType c = gates == 4 ? CellType.LSTM : gates == 3 ? CellType.GRU : gates == 1 ? CellType.SIMPLE_RNN : null;
      if (c == null || rk[0] != units || rk[1] != gates * units) {
        throw new UserInputException(source + ": layer '" + l.name() + "' has a recurrent kernel of shape "
            + Arrays.toString(rk) + "; rnnlab stacks SimpleRNN, LSTM or GRU layers of " + units + " units");
      }
      cells.add(RecurrentSpec.of(c));
    }
    int out = layers.get(layers.size() - 1).dims("kernel")[1];
    // The weights say nothing of dropout: the wanted model's, as its window and loss position.
    List<Double> dropouts = recurrent == wanted.layers() ? wanted.dropouts() : ModelSpec.dropoutAfterEach(recurrent, 0);
    try {
      if (embedding) {
        int[] e = layers.get(0).dims("embeddings");
        return new ModelSpec(cells, units, e[1], dropouts, wanted.seqLen(), e[0], Head.SOFTMAX,
            wanted.lossOn(), 0);
      }
      if (out == 1) {
        return new ModelSpec(cells, units, 0, dropouts, wanted.seqLen(), 0, Head.REGRESSION, LossOn.LAST,
            first.dims("kernel")[0]);
      }
      return new ModelSpec(cells, units, 0, dropouts, wanted.seqLen(), out, Head.SOFTMAX, wanted.lossOn(), 0);
    } catch (UserInputException e) {
      throw new UserInputException(source + ": " + e.getMessage());
    }
  }

  /** Found layers → rnnlab names, by position: embedding, lstm, lstm_1, …, dense. */
  private static Weights toWeights(List<FoundLayer> layers, ModelSpec spec, String source) {
    List<KerasNames.WeightLayer> want = KerasNames.weightLayers(spec);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (int i = 0; i < want.size(); i++) {
      for (WeightSpec w : want.get(i).weights()) {
        out.put(w.name(), tensor(layers.get(i).weights().get(w.weight()), w, source));
      }
    }
    return new Weights(out).checkFits(spec, source);
  }

  // --- HDF5 helpers -----------------------------------------------------------------------------

  private static HostTensor tensor(Dataset d, WeightSpec w, String source) {
    int[] dims = d.getDimensions();
    if (!Arrays.equals(dims, w.shape())) {
      throw new UserInputException(source + ": " + w.name() + " has shape " + Arrays.toString(dims)
          + ", the model needs " + Arrays.toString(w.shape()));
    }
    Object flat = d.getDataFlat();
    if (flat instanceof float[] f) {
      return new HostTensor(w.shape(), f);
    }
    if (flat instanceof double[] dd) {
      float[] f = new float[dd.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) dd[i];
      }
      return new HostTensor(w.shape(), f);
    }
    throw new UserInputException(source + ": " + w.name() + " holds " + d.getJavaType().getSimpleName()
        + " values, expected floats");
  }

  private static Node find(Group root, String path) {
    Node n = root;
    for (String part : path.split("/")) {
      if (!(n instanceof Group g)) {
        return null;
      }
      n = g.getChildren().get(part);
    }
    return n;
  }

  private static boolean holdsData(Group g) {
    for (Node n : g.getChildren().values()) {
      if (n instanceof Dataset || (n instanceof Group c && holdsData(c))) {
        return true;
      }
    }
    return false;
  }

  private static String[] strings(Attribute a) {
    if (a == null) {
      return null;
    }
    Object data = a.getData();
    if (data instanceof String[] s) {
      return s;
    }
    return data instanceof String s ? new String[] {s} : null;
  }

  private static WritableGroup group(WritableHdfFile file, Map<String, WritableGroup> groups, String path) {
    WritableGroup g = groups.get(path);
    if (g == null) {
      int slash = path.lastIndexOf('/');
      g = slash < 0 ? file.putGroup(path) : group(file, groups, path.substring(0, slash)).putGroup(path.substring(slash + 1));
      groups.put(path, g);
    }
    return g;
  }

  private static Object array(HostTensor t) {
    if (t.shape().length == 1) {
      return t.data();
    }
    float[][] rows = new float[t.shape()[0]][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = t.row(r);
    }
    return rows;
  }
}

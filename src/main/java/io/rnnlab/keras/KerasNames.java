package io.rnnlab.keras;

import io.rnnlab.model.CellType;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one mapping between rnnlab weight names ({@code lstm_1/recurrent_kernel}) and where Keras
 * keeps them. Every Keras reader and writer goes through here.
 *
 * <p>Keras 3 ({@code model.weights.h5} inside a {@code .keras}, and {@code .weights.h5}) files a
 * layer under its class name in snake case, numbered per class in model order ({@code
 * layers/lstm}, {@code layers/lstm_1}), never under the layer's own name, which changes from
 * session to session. rnnlab's layer names follow exactly that scheme, so the rnnlab layer name
 * is the Keras 3 group. Variables are numbered in creation order ({@link Kind#weights}): a
 * recurrent layer keeps its cell's under {@code cell/vars/0..2}, the others under {@code vars/}.
 *
 * <p>Keras 2 ({@code .h5}) files a layer under its instance name and each weight under a name
 * like {@code lstm_3/lstm_cell/kernel:0}; the order of layers and weights is in attributes, so
 * there only the weight's last name component ({@link #weightOf}) and the layer order matter.
 */
final class KerasNames {
  static final String EMBEDDING = "embedding";
  static final String DENSE = "dense";
  /** Keras 3's group of a TimeDistributed layer; the Dense it wraps keeps its weights under {@code layer/}. */
  static final String TIME_DISTRIBUTED = "time_distributed";
  /** Where Keras 3 keeps the optimizer's variables (iterations, learning rate, then its slots). */
  static final String OPTIMIZER_VARS = "optimizer/vars";

  private KerasNames() {}

  /** The kinds of layer that hold weights, with their weights in Keras's creation order. */
  enum Kind {
    EMBEDDING(List.of("embeddings"), "vars"),
    RECURRENT(List.of("kernel", "recurrent_kernel", "bias"), "cell/vars"),
    DENSE(List.of("kernel", "bias"), "vars");

    private final List<String> weights;
    private final String keras3Vars;

    Kind(List<String> weights, String keras3Vars) {
      this.weights = weights;
      this.keras3Vars = keras3Vars;
    }

    List<String> weights() {
      return weights;
    }

    /** The Keras 3 dataset of weight {@code i} below the layer's group. */
    String keras3Dataset(int i) {
      return keras3Vars + "/" + i;
    }

    /** The kind of a Keras 3 layer group by its class-based name without number, or null. */
    static Kind ofKeras3Group(String baseName) {
      return switch (baseName) {
        case "embedding" -> EMBEDDING;
        case "lstm", "simple_rnn", "gru" -> RECURRENT;
        case "dense", TIME_DISTRIBUTED -> DENSE;
        default -> null;
      };
    }

    /** Where a Keras 3 group of this base name keeps its weights' {@code vars/}: a wrapper one level down. */
    static String keras3Prefix(String baseName) {
      return baseName.equals(TIME_DISTRIBUTED) ? "layer/" : "";
    }
  }

  /** A model layer that carries weights, in model order. */
  record WeightLayer(String name, Kind kind, List<WeightSpec> weights) {}

  /** The layers of {@code spec} that hold weights, in Keras's model order. */
  static List<WeightLayer> weightLayers(ModelSpec spec) {
    Map<String, List<WeightSpec>> byLayer = new LinkedHashMap<>();
    for (WeightSpec w : spec.weights()) {
      byLayer.computeIfAbsent(w.layer(), k -> new ArrayList<>()).add(w);
    }
    List<WeightLayer> out = new ArrayList<>();
    byLayer.forEach((layer, weights) -> {
      Kind kind = layer.equals(EMBEDDING) ? Kind.EMBEDDING : layer.equals(DENSE) ? Kind.DENSE : Kind.RECURRENT;
      out.add(new WeightLayer(layer, kind, List.copyOf(weights)));
    });
    return out;
  }

  static String recurrentClass(CellType cell) {
    return switch (cell) {
      case LSTM -> "LSTM";
      case SIMPLE_RNN -> "SimpleRNN";
      case GRU -> "GRU";
    };
  }

  /** rnnlab weight name → Keras 3 HDF5 dataset path, in spec order, the head under {@code layers/dense}. */
  static Map<String, String> keras3Paths(ModelSpec spec) {
    return keras3Paths(spec, DENSE);
  }

  /**
   * As {@link #keras3Paths(ModelSpec)}, the head's group being {@code denseGroup}: {@code dense},
   * or {@code time_distributed/layer} for a Dense that Keras keeps inside its TimeDistributed.
   */
  static Map<String, String> keras3Paths(ModelSpec spec, String denseGroup) {
    Map<String, String> paths = new LinkedHashMap<>();
    for (WeightLayer layer : weightLayers(spec)) {
      String group = layer.kind() == Kind.DENSE ? denseGroup : layer.name();
      for (WeightSpec w : layer.weights()) {
        paths.put(w.name(), "layers/" + group + "/" + layer.kind().keras3Dataset(layer.kind().weights().indexOf(w.weight())));
      }
    }
    return paths;
  }

  /** {@code lstm_3/lstm_cell/kernel:0} → {@code kernel}: the name within its layer. */
  static String weightOf(String keras2Name) {
    String last = keras2Name.substring(keras2Name.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? last : last.substring(0, colon);
  }
}

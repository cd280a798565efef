package io.rnnlab.interop;

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
 * is the Keras 3 group. Variables are numbered in creation order: a recurrent cell's {@code
 * kernel, recurrent_kernel, bias} under {@code cell/vars/0..2}, Dense's {@code kernel, bias}
 * under {@code vars/0..1}, Embedding's table under {@code vars/0}.
 *
 * <p>Keras 2 ({@code .h5}) files a layer under its instance name and each weight under a name
 * like {@code lstm_3/lstm_cell/kernel:0}; the order of layers and weights is in attributes, so
 * there only the weight's last name component ({@link #weightOf}) and the layer order matter.
 */
final class KerasNames {
  static final String EMBEDDING = "embedding";
  static final String DENSE = "dense";

  private KerasNames() {}

  /** A model layer that carries weights, in model order. */
  record WeightLayer(String name, String kerasClass, List<WeightSpec> weights) {
    boolean isRecurrent() {
      return !name.equals(EMBEDDING) && !name.equals(DENSE);
    }
  }

  /** The layers of {@code spec} that hold weights, in Keras's model order. */
  static List<WeightLayer> weightLayers(ModelSpec spec) {
    Map<String, List<WeightSpec>> byLayer = new LinkedHashMap<>();
    for (WeightSpec w : spec.weights()) {
      byLayer.computeIfAbsent(w.layer(), k -> new ArrayList<>()).add(w);
    }
    List<WeightLayer> out = new ArrayList<>();
    byLayer.forEach((layer, weights) -> out.add(new WeightLayer(layer, kerasClass(spec, layer), List.copyOf(weights))));
    return out;
  }

  private static String kerasClass(ModelSpec spec, String layer) {
    return switch (layer) {
      case EMBEDDING -> "Embedding";
      case DENSE -> "Dense";
      default -> recurrentClass(spec.cell());
    };
  }

  static String recurrentClass(CellType cell) {
    return switch (cell) {
      case LSTM -> "LSTM";
      case SIMPLE_RNN -> "SimpleRNN";
    };
  }

  /** rnnlab weight name → Keras 3 HDF5 dataset path, in spec order. */
  static Map<String, String> keras3Paths(ModelSpec spec) {
    Map<String, String> paths = new LinkedHashMap<>();
    for (WeightLayer layer : weightLayers(spec)) {
      String group = keras3VarsGroup(layer);
      for (int i = 0; i < layer.weights().size(); i++) {
        paths.put(layer.weights().get(i).name(), group + "/" + i);
      }
    }
    return paths;
  }

  /** The group holding a layer's variables: recurrent layers keep theirs in their cell. */
  static String keras3VarsGroup(WeightLayer layer) {
    return "layers/" + layer.name() + (layer.isRecurrent() ? "/cell" : "") + "/vars";
  }

  /** Where Keras 3 keeps the optimizer's variables (iterations, learning rate, then its slots). */
  static final String OPTIMIZER_VARS = "optimizer/vars";

  /** {@code lstm_3/lstm_cell/kernel:0} → {@code kernel}: the name within its layer. */
  static String weightOf(String keras2Name) {
    String last = keras2Name.substring(keras2Name.lastIndexOf('/') + 1);
    int colon = last.indexOf(':');
    return colon < 0 ? last : last.substring(0, colon);
  }
}

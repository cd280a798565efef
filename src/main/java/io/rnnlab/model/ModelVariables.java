package io.rnnlab.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * The graph variables of one model, named as Keras names its weights ({@code lstm/kernel}), each
 * with a placeholder-fed assign op. Weights enter a graph only through these assigns (from Java
 * initialisers, checkpoints, SavedModels or Keras files), which keeps large constants out of the
 * GraphDef and makes every source of weights go through one checked path.
 */
public final class ModelVariables<T extends TFloating> {
  private final Class<T> type;
  private final Ops root;
  private final Map<String, Slot<T>> slots = new LinkedHashMap<>();
  /**
   * One scope per layer path, made once: TF Java makes every {@code withSubScope} call unique,
   * so a second {@code withSubScope("lstm")} would file the layer's next weight under {@code
   * lstm_1}, the next layer's name.
   */
  private final Map<String, Ops> scopes = new HashMap<>();

  private record Slot<T extends TFloating>(
      WeightSpec spec, Variable<T> variable, Placeholder<T> value, Assign<T> assign) {}

  private ModelVariables(Ops root, Class<T> type) {
    this.root = root;
    this.type = type;
  }

  public static <T extends TFloating> ModelVariables<T> create(Ops tf, ModelSpec spec, Class<T> type) {
    ModelVariables<T> vars = new ModelVariables<>(tf, type);
    for (WeightSpec w : spec.weights()) {
      vars.add(w);
    }
    return vars;
  }

  /**
   * The scope {@code path} ({@code "lstm"}, {@code "adam/lstm"}) below the graph root these
   * variables live in, the same one every time it is asked for.
   */
  public Ops scope(String path) {
    Ops s = scopes.get(path);
    if (s == null) {
      int slash = path.lastIndexOf('/');
      s = (slash < 0 ? root : scope(path.substring(0, slash))).withSubScope(path.substring(slash + 1));
      scopes.put(path, s);
    }
    return s;
  }

  /** Adds a variable that is not a model weight (optimizer slots), with the same assign path. */
  public Variable<T> add(WeightSpec w) {
    Ops scoped = scope(w.layer());
    Variable<T> v = scoped.withName(w.weight()).variable(Shape.of(w.longShape()), type);
    Placeholder<T> p = scoped.withName(w.weight() + "_value")
        .placeholder(type, Placeholder.shape(Shape.of(w.longShape())));
    Assign<T> a = scoped.withName(w.weight() + "_assign").assign(v, p);
    slots.put(w.name(), new Slot<>(w, v, p, a));
    return v;
  }

  public Operand<T> get(String name) {
    Slot<T> s = slots.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no variable " + name);
    }
    return s.variable();
  }

  public List<String> names() {
    return List.copyOf(slots.keySet());
  }

  public List<Operand<T>> variables(List<String> names) {
    List<Operand<T>> out = new ArrayList<>();
    for (String n : names) {
      out.add(get(n));
    }
    return out;
  }

  public Class<T> type() {
    return type;
  }

  /** Assigns every named weight in {@code weights} (float32 values, widened for float64 graphs). */
  public void assign(Session session, Map<String, HostTensor> weights) {
    List<Tensor> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (var e : weights.entrySet()) {
        Slot<T> s = slots.get(e.getKey());
        if (s == null) {
          throw new IllegalArgumentException("no variable " + e.getKey());
        }
        Tensor t = toTensor(e.getValue());
        tensors.add(t);
        runner.feed(s.value(), t).addTarget(s.assign());
      }
      runner.run().close();
    } finally {
      tensors.forEach(Tensor::close);
    }
  }

  /** Assigns one variable from a tensor of the graph's dtype (float64 tests feed exact doubles). */
  public void assign(Session session, String name, Tensor value) {
    Slot<T> s = slots.get(name);
    session.runner().feed(s.value(), value).addTarget(s.assign()).run().close();
  }

  /** Reads the named variables back to Java (narrowed to float32 for float64 graphs). */
  public Map<String, HostTensor> read(Session session, List<String> names) {
    Session.Runner runner = session.runner();
    for (String n : names) {
      runner.fetch(get(n));
    }
    Map<String, HostTensor> out = new LinkedHashMap<>();
    try (var result = runner.run()) {
      for (int i = 0; i < names.size(); i++) {
        out.put(names.get(i), Tensors.toHost(result.get(i)));
      }
    }
    return out;
  }

  private Tensor toTensor(HostTensor h) {
    Shape shape = Shape.of(h.longShape());
    if (type == TFloat32.class) {
      return TFloat32.tensorOf(shape, DataBuffers.of(h.data(), true, false));
    }
    double[] d = new double[h.data().length];
    for (int i = 0; i < d.length; i++) {
      d[i] = h.data()[i];
    }
    return TFloat64.tensorOf(shape, DataBuffers.of(d, true, false));
  }
}

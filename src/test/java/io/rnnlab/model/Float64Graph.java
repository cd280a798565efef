package io.rnnlab.model;

import io.rnnlab.train.Objective;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * rnnlab's forward pass and Keras loss in float64 with TF's symbolic gradients, for gradient
 * checks. Builds the same {@link Network} and {@link Objective} the trainer uses.
 */
final class Float64Graph implements AutoCloseable {
  final ModelSpec spec;
  final Graph graph = new Graph();
  final Session session;
  final ModelVariables<TFloat64> vars;
  final Placeholder<TInt32> inputs;
  final Placeholder<TInt32> targets;
  final Operand<TFloat64> loss;
  final Gradients grads;
  final List<String> names;

  Float64Graph(ModelSpec spec) {
    this.spec = spec;
    Ops tf = Ops.create(graph);
    vars = ModelVariables.create(tf, spec, TFloat64.class);
    names = vars.names();
    inputs = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, spec.seqLen())));
    targets = tf.placeholder(TInt32.class, Placeholder.shape(
        spec.lossOn() == LossOn.LAST ? Shape.of(-1) : Shape.of(-1, spec.seqLen())));
    Operand<TFloat64> out = new Network<>(spec, vars).forward(tf, inputs, null);
    loss = Objective.build(tf, spec, out, targets, TFloat64.class).loss();
    // TF Java seeds dy with a float32 1 by default, which float64 graphs reject: seed explicitly.
    grads = tf.gradients(List.of(loss), vars.variables(names), Gradients.dx(List.of(tf.onesLike(loss))));
    session = new Session(graph);
  }

  void assign(Map<String, double[]> values) {
    for (WeightSpec w : spec.weights()) {
      try (TFloat64 t = TFloat64.tensorOf(Shape.of(w.longShape()), DataBuffers.of(values.get(w.name()), true, false))) {
        vars.assign(session, w.name(), t);
      }
    }
  }

  double loss(int[] ids, int[] labels, int batch) {
    try (Tensor x = Tensors.ints(ids, batch, spec.seqLen());
        Tensor y = labelTensor(labels, batch);
        var r = session.runner().feed(inputs, x).feed(targets, y).fetch(loss).run()) {
      return Tensors.doubles(r.get(0))[0];
    }
  }

  /** Gradient of the loss for every weight, by name. */
  Map<String, double[]> gradients(int[] ids, int[] labels, int batch) {
    try (Tensor x = Tensors.ints(ids, batch, spec.seqLen()); Tensor y = labelTensor(labels, batch)) {
      Session.Runner r = session.runner().feed(inputs, x).feed(targets, y);
      for (int i = 0; i < names.size(); i++) {
        r.fetch(grads.dy(i));
      }
      Map<String, double[]> out = new LinkedHashMap<>();
      try (var result = r.run()) {
        for (int i = 0; i < names.size(); i++) {
          out.put(names.get(i), Tensors.doubles(result.get(i)));
        }
      }
      return out;
    }
  }

  private Tensor labelTensor(int[] labels, int batch) {
    return spec.lossOn() == LossOn.LAST ? Tensors.ints(labels, batch) : Tensors.ints(labels, batch, spec.seqLen());
  }

  static Map<String, double[]> randomWeights(ModelSpec spec, long seed, double scale) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    Map<String, double[]> w = new LinkedHashMap<>();
    for (WeightSpec s : spec.weights()) {
      double[] v = new double[s.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (rng.nextDouble() * 2 - 1) * scale;
      }
      w.put(s.name(), v);
    }
    return w;
  }

  static List<Integer> range(int n) {
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) l.add(i);
    return l;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}

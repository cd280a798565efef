package io.rnnlab.train;

import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Keras's Adam on TF's fused {@code ApplyAdam} kernel, whose update is exactly Keras's:
 * {@code lr_t = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m += (g−m)(1−β₁); v += (g²−v)(1−β₂); w −= lr_t·m/(√v+ε)}
 * with {@code t = iterations + 1}. Written here rather than taken from tensorflow-framework
 * because the framework's Adam names slots {@code <var>-m}, which TF rejects for Keras-style
 * variable names containing '/', and defaults ε to 1e-8 instead of Keras's 1e-7.
 *
 * <p>Slots ({@code adam/<layer>/<weight>_m|_v}) and {@code adam/iterations} are ordinary graph
 * variables with assign ops, so checkpoints save and restore them like the weights.
 */
final class KerasAdam {
  static final String ITERATIONS = "adam/iterations";

  private final List<String> slotNames = new ArrayList<>();
  private final Variable<TInt64> iterations;
  private final Placeholder<TInt64> iterationsValue;
  private final Op iterationsAssign;
  private final Op update;

  KerasAdam(Ops tf, ModelVariables<TFloat32> vars, List<String> weightNames, Gradients grads,
      Operand<TFloat32> learningRate, AdamConfig cfg) {
    Ops a = tf.withSubScope("adam");
    iterations = a.withName("iterations").variable(Shape.scalar(), TInt64.class);
    iterationsValue = a.withName("iterations_value").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    iterationsAssign = a.withName("iterations_assign").assign(iterations, iterationsValue);
    Operand<TFloat32> t = a.dtypes.cast(a.math.add(iterations, a.constant(1L)), TFloat32.class);
    Operand<TFloat32> beta1 = a.constant((float) cfg.beta1());
    Operand<TFloat32> beta2 = a.constant((float) cfg.beta2());
    Operand<TFloat32> beta1Power = a.math.pow(beta1, t);
    Operand<TFloat32> beta2Power = a.math.pow(beta2, t);
    Operand<TFloat32> eps = a.constant((float) cfg.epsilon());

    // Gate every update on every gradient (TF1's GATE_GRAPH). Ref variables are updated in
    // place, so without the gate ApplyAdam on dense/kernel could run while backprop still reads
    // dense/kernel for the layers below: a race that made identical seeded runs differ.
    List<Op> gradients = new ArrayList<>();
    for (int i = 0; i < weightNames.size(); i++) {
      gradients.add(a.withSubScope("gate").identity(grads.dy(i)));
    }
    Ops gated = a.withControlDependencies(gradients);
    List<Op> applies = new ArrayList<>();
    for (int i = 0; i < weightNames.size(); i++) {
      String name = weightNames.get(i);
      int slash = name.indexOf('/');
      String layer = name.substring(0, slash);
      String weight = name.substring(slash + 1);
      int[] shape = longToInt(vars.get(name).shape().asArray());
      Variable<TFloat32> m = vars.add(tf, new WeightSpec("adam/" + layer, weight + "_m", shape, WeightSpec.Init.ZEROS));
      Variable<TFloat32> v = vars.add(tf, new WeightSpec("adam/" + layer, weight + "_v", shape, WeightSpec.Init.ZEROS));
      slotNames.add("adam/" + name + "_m");
      slotNames.add("adam/" + name + "_v");
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) (Operand<?>) gradients.get(i);
      applies.add(gated.withSubScope(layer).train.applyAdam(
          (Variable<TFloat32>) vars.get(name), m, v, beta1Power, beta2Power, learningRate, beta1,
          beta2, eps, g));
    }
    update = a.withControlDependencies(applies).withName("step").assignAdd(iterations, a.constant(1L));
  }

  /** The op that applies one update to every weight and then counts the iteration. */
  Op update() {
    return update;
  }

  Variable<TInt64> iterations() {
    return iterations;
  }

  /** Sets the iteration count (0 for a fresh run, the checkpoint's on resume). */
  void setIterations(Session session, long value) {
    try (TInt64 t = TInt64.scalarOf(value)) {
      session.runner().feed(iterationsValue, t).addTarget(iterationsAssign).run().close();
    }
  }

  long iterations(Session session) {
    try (var r = session.runner().fetch(iterations).run()) {
      return ((TInt64) r.get(0)).getObject();
    }
  }

  List<String> slotNames() {
    return slotNames;
  }

  private static int[] longToInt(long[] s) {
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = Math.toIntExact(s[i]);
    }
    return out;
  }
}

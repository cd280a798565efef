package io.rnnlab.train;

import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.Network;
import io.rnnlab.model.WeightSpec;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
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
 * <p>The Embedding is the exception Keras makes: its gradient is an IndexedSlices (one row per
 * occurrence of a char in the batch), and Keras's TF backend squares those rows before summing
 * them into the second moment: {@code v += (Σ_occ g_occ² − v)(1−β₂)} rather than {@code ((Σ g)² −
 * v)(1−β₂)}. The two differ whenever a batch repeats a character, so that weight gets its own
 * update built from the same formula.
 *
 * <p>With {@code clipnorm} each weight's gradient is first clipped as Keras 3 clips it ({@link
 * #clipByNorm}).
 *
 * <p>Slots ({@code adam/<layer>/<weight>_m|_v}) and {@code adam/iterations} are ordinary graph
 * variables with assign ops, so checkpoints save and restore them like the weights.
 */
final class KerasAdam {
  static final String ITERATIONS = "adam/iterations";
  private static final String EMBEDDING = "embedding/embeddings";

  private final List<String> slotNames = new ArrayList<>();
  private final Variable<TInt64> iterations;
  private final Placeholder<TInt64> iterationsValue;
  private final Op iterationsAssign;
  private final Op update;

  /**
   * @param grads gradients of the loss for each of {@code weightNames}, then (when {@code lookup}
   *     is not null) for {@code lookup.vectors()}
   */
  KerasAdam(ModelVariables<TFloat32> vars, List<String> weightNames, List<Operand<TFloat32>> grads,
      Network.EmbeddingLookup<TFloat32> lookup, Operand<TFloat32> learningRate, AdamConfig cfg) {
    Ops a = vars.scope("adam"); // the scope its slots live in: adam/lstm/kernel_m, …
    iterations = a.withName("iterations").variable(Shape.scalar(), TInt64.class);
    iterationsValue = a.withName("iterations_value").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    iterationsAssign = a.withName("iterations_assign").assign(iterations, iterationsValue);
    Operand<TFloat32> t = a.dtypes.cast(a.math.add(iterations, a.constant(1L)), TFloat32.class);
    Operand<TFloat32> beta1 = a.constant((float) cfg.beta1());
    Operand<TFloat32> beta2 = a.constant((float) cfg.beta2());
    Operand<TFloat32> beta1Power = a.math.pow(beta1, t);
    Operand<TFloat32> beta2Power = a.math.pow(beta2, t);
    Operand<TFloat32> eps = a.constant((float) cfg.epsilon());

    List<Operand<TFloat32>> clipped = cfg.clipnorm() > 0
        ? clipByNorm(a.withSubScope("clip"), grads, weightNames, lookup != null, (float) cfg.clipnorm())
        : grads;
    // Gate every update on every gradient (TF1's GATE_GRAPH). Ref variables are updated in
    // place, so without the gate ApplyAdam on dense/kernel could run while backprop still reads
    // dense/kernel for the layers below: a race that made identical seeded runs differ.
    List<Op> gradients = new ArrayList<>();
    for (int i = 0; i < weightNames.size() + (lookup != null ? 1 : 0); i++) {
      gradients.add(a.withSubScope("gate").identity(clipped.get(i)));
    }
    Ops gated = a.withControlDependencies(gradients);
    List<Op> applies = new ArrayList<>();
    for (int i = 0; i < weightNames.size(); i++) {
      String name = weightNames.get(i);
      int slash = name.indexOf('/');
      String layer = name.substring(0, slash);
      String weight = name.substring(slash + 1);
      int[] shape = longToInt(vars.get(name).shape().asArray());
      Variable<TFloat32> m = vars.add(new WeightSpec("adam/" + layer, weight + "_m", shape, WeightSpec.Init.ZEROS));
      Variable<TFloat32> v = vars.add(new WeightSpec("adam/" + layer, weight + "_v", shape, WeightSpec.Init.ZEROS));
      slotNames.add("adam/" + name + "_m");
      slotNames.add("adam/" + name + "_v");
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) (Operand<?>) gradients.get(i);
      Variable<TFloat32> w = (Variable<TFloat32>) vars.get(name);
      Ops scope = gated.withSubScope(layer);
      if (lookup != null && name.equals(EMBEDDING)) {
        @SuppressWarnings("unchecked")
        Operand<TFloat32> perOccurrence = (Operand<TFloat32>) (Operand<?>) gradients.get(weightNames.size());
        Operand<TFloat32> alpha = scope.math.div(
            scope.math.mul(learningRate, scope.math.sqrt(scope.math.sub(one(scope), beta2Power))),
            scope.math.sub(one(scope), beta1Power));
        applies.add(sparseKerasUpdate(scope, w, m, v, g, perOccurrence, lookup.ids(), shape[0], alpha,
            beta1, beta2, eps));
      } else {
        applies.add(scope.train.applyAdam(w, m, v, beta1Power, beta2Power, learningRate, beta1, beta2, eps, g));
      }
    }
    update = a.withControlDependencies(applies).withName("step").assignAdd(iterations, a.constant(1L));
  }

  /**
   * Keras 3's {@code clipnorm}: each weight's gradient g becomes {@code g·c / max(‖g‖₂, c)}, in
   * that operation order ({@code tf.clip_by_norm}, which Keras's TensorFlow backend calls). The
   * Embedding's gradient reaches Keras's optimizer as IndexedSlices, one row per occurrence, and
   * {@code tf.clip_by_norm} measures those rows, not their per-character sums: so the
   * per-occurrence gradients (the last of {@code grads} when {@code embedding}) set the Embedding's
   * factor, and both of its forms are scaled by it.
   */
  private static List<Operand<TFloat32>> clipByNorm(Ops tf, List<Operand<TFloat32>> grads, List<String> weightNames,
      boolean embedding, float clipnorm) {
    Operand<TFloat32> c = tf.constant(clipnorm);
    List<Operand<TFloat32>> out = new ArrayList<>(grads);
    for (int i = 0; i < weightNames.size(); i++) {
      boolean sparse = embedding && weightNames.get(i).equals(EMBEDDING);
      int perOccurrence = weightNames.size();
      Operand<TFloat32> norm = l2Norm(tf, grads.get(sparse ? perOccurrence : i));
      Operand<TFloat32> limit = tf.math.maximum(norm, c);
      out.set(i, tf.math.div(tf.math.mul(grads.get(i), c), limit));
      if (sparse) {
        out.set(perOccurrence, tf.math.div(tf.math.mul(grads.get(perOccurrence), c), limit));
      }
    }
    return out;
  }

  private static Operand<TFloat32> l2Norm(Ops tf, Operand<TFloat32> g) {
    Operand<TFloat32> flat = tf.reshape(g, tf.constant(new long[] {-1}));
    return tf.math.sqrt(tf.sum(tf.math.square(flat), tf.constant(0)));
  }

  /**
   * Keras's Adam step for an Embedding, in Keras's operation order: {@code m += (g − m)(1−β₁)},
   * {@code v += (S − v)(1−β₂)} with S the per-row sum of squared per-occurrence gradients,
   * {@code w −= m·α / (√v + ε)}.
   */
  private static Op sparseKerasUpdate(Ops tf, Variable<TFloat32> w, Variable<TFloat32> m, Variable<TFloat32> v,
      Operand<TFloat32> g, Operand<TFloat32> perOccurrence, Operand<org.tensorflow.types.TInt32> ids, int rows,
      Operand<TFloat32> alpha, Operand<TFloat32> beta1, Operand<TFloat32> beta2, Operand<TFloat32> eps) {
    Operand<TFloat32> values = tf.reshape(perOccurrence, tf.constant(new long[] {-1, w.shape().size(1)}));
    Operand<org.tensorflow.types.TInt32> flatIds = tf.reshape(ids, tf.constant(new int[] {-1}));
    Operand<TFloat32> sumOfSquares = tf.math.unsortedSegmentSum(tf.math.square(values), flatIds, tf.constant(rows));
    Operand<TFloat32> newM = tf.assignAdd(m, tf.math.mul(tf.math.sub(g, m), tf.math.sub(one(tf), beta1)));
    Operand<TFloat32> newV = tf.assignAdd(v, tf.math.mul(tf.math.sub(sumOfSquares, v), tf.math.sub(one(tf), beta2)));
    return tf.assignSub(w, tf.math.div(tf.math.mul(newM, alpha), tf.math.add(tf.math.sqrt(newV), eps)));
  }

  private static Operand<TFloat32> one(Ops tf) {
    return tf.constant(1f);
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

package io.rnnlab.train;

import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.Network;
import io.rnnlab.model.RecurrentLayer;
import io.rnnlab.model.SequenceRun;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.family.TFloating;

/**
 * The gradients of a training step. TF's symbolic gradients cover everything outside the
 * recurrences (the loss, Dense, dropout, the input projections, the embedding); each recurrent
 * layer runs its own backward pass ({@link SequenceRun#backward}: backpropagation through time
 * of the unroll, or cuDNN's backward kernel), top layer first, and hands TF the tensors to
 * continue from. Same math as differentiating the whole unroll with TF (BackpropTest: equal to
 * 1e-12 in float64), at about two thirds of the time per step on a CPU (docs/BENCHMARKS.md,
 * "Training").
 */
final class Backprop {
  private Backprop() {}

  /**
   * @param extra tensors of the embedding lookup whose gradients the optimizer also needs
   * @return the gradient of {@code loss} for each of {@code weightNames}, then for each of
   *     {@code extra}
   */
  static <T extends TFloating> List<Operand<T>> gradients(Ops tf, Operand<T> loss, ModelVariables<T> vars,
      List<String> weightNames, Network.Forward<T> forward, List<Operand<T>> extra) {
    List<SequenceRun<T>> runs = forward.runs();
    List<String> recurrentWeights = new ArrayList<>();
    for (SequenceRun<T> r : runs) {
      recurrentWeights.addAll(weightsOf(r.layer()));
    }
    List<String> head = new ArrayList<>();
    List<String> inputSide = new ArrayList<>(); // the embedding: below the first recurrent layer
    for (String name : weightNames) {
      if (!recurrentWeights.contains(name)) {
        (isBelowRecurrences(name, forward) ? inputSide : head).add(name);
      }
    }

    // The loss back to the head's weights and to what the top recurrent layer handed up.
    Map<String, Operand<T>> grads = new HashMap<>();
    int top = runs.size() - 1;
    List<Operand<?>> xs = new ArrayList<>(vars.variables(head));
    xs.add(forward.handedUp().get(top));
    Gradients g = tf.withSubScope("gradients").gradients(List.of(loss), xs, Gradients.dx(List.of(tf.onesLike(loss))));
    for (int i = 0; i < head.size(); i++) {
      grads.put(head.get(i), cast(g.dy(i)));
    }
    Operand<T> dAbove = cast(g.dy(head.size()));

    List<Operand<T>> extraGrads = List.of();
    for (int l = top; l >= 0; l--) {
      SequenceRun<T> run = runs.get(l);
      RecurrentLayer<T> layer = run.layer();
      SequenceRun.LayerGradient<T> lg = run.backward(tf.withSubScope("bptt").withSubScope(layer.name()), dAbove,
          forward.handsUpSequence(l));
      grads.putAll(lg.weights());

      // From what the layer handed TF on: to its other weights, and to what the layer below
      // handed up (through dropout), or to the embedding.
      List<String> own = weightsOf(layer).stream().filter(w -> !lg.weights().containsKey(w)).toList();
      List<Operand<?>> below = new ArrayList<>(vars.variables(own));
      if (l > 0) {
        below.add(forward.handedUp().get(l - 1));
      } else {
        below.addAll(vars.variables(inputSide));
        below.addAll(extra);
      }
      List<Operand<?>> ys = new ArrayList<>(lg.ys());
      Gradients gl = tf.withSubScope("gradients_" + layer.name()).gradients(ys, below, Gradients.dx(lg.dys()));
      for (int i = 0; i < own.size(); i++) {
        grads.put(own.get(i), cast(gl.dy(i)));
      }
      int next = own.size();
      if (l > 0) {
        dAbove = cast(gl.dy(next));
      } else {
        for (int i = 0; i < inputSide.size(); i++) {
          grads.put(inputSide.get(i), cast(gl.dy(next + i)));
        }
        List<Operand<T>> e = new ArrayList<>();
        for (int i = 0; i < extra.size(); i++) {
          e.add(cast(gl.dy(next + inputSide.size() + i)));
        }
        extraGrads = e;
      }
    }
    List<Operand<T>> out = new ArrayList<>();
    for (String name : weightNames) {
      out.add(grads.get(name));
    }
    out.addAll(extraGrads);
    return out;
  }

  private static List<String> weightsOf(RecurrentLayer<?> layer) {
    return List.of(layer.kernelName(), layer.recurrentKernelName(), layer.biasName());
  }

  /** The embedding is the only weight below the recurrent layers. */
  private static boolean isBelowRecurrences(String name, Network.Forward<?> forward) {
    return forward.lookup() != null && name.startsWith("embedding/");
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Operand<T> cast(Operand<?> o) {
    return (Operand<T>) o;
  }
}

package io.rnnlab.train;

import io.rnnlab.model.ModelVariables;
import io.rnnlab.model.Network;
import io.rnnlab.model.RecurrentLayer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.family.TFloating;

/**
 * The gradients of a training step: TF's symbolic gradients for every weight except the recurrent
 * kernels, whose gradient is built from TF's gradient of each layer's projected inputs as one
 * matrix product over the whole unroll ({@link RecurrentLayer#recurrentKernelGradient}). Same
 * math as differentiating the unroll directly (the terms are summed in another order), at about
 * two thirds of the time per step (docs/BENCHMARKS.md, "Training").
 */
final class Backprop {
  private Backprop() {}

  /**
   * @param extra further tensors whose gradients the optimizer needs (the embedding lookup)
   * @return the gradient of {@code loss} for each of {@code weightNames}, then for each of
   *     {@code extra}
   */
  static <T extends TFloating> List<Operand<T>> gradients(Ops tf, Operand<T> loss, ModelVariables<T> vars,
      List<String> weightNames, Network.Forward<T> forward, List<Operand<T>> extra) {
    Map<String, Integer> recurrentLayer = new HashMap<>();
    for (int i = 0; i < forward.layers().size(); i++) {
      recurrentLayer.put(forward.layers().get(i).recurrentKernelName(), i);
    }
    List<Operand<?>> xs = new ArrayList<>();
    for (String name : weightNames) {
      if (!recurrentLayer.containsKey(name)) {
        xs.add(vars.get(name));
      }
    }
    int projectedAt = xs.size();
    forward.unrolls().forEach(u -> u.chains().forEach(c -> xs.add(c.projected())));
    int extraAt = xs.size();
    xs.addAll(extra);
    // An explicit dL/dL = 1 of the loss's own dtype: TF Java's default seed is float32.
    Gradients g = tf.withSubScope("gradients").gradients(List.of(loss), xs, Gradients.dx(List.of(tf.onesLike(loss))));

    List<List<Operand<T>>> dProjected = new ArrayList<>();
    int at = projectedAt;
    for (RecurrentLayer.Unrolled<T> u : forward.unrolls()) {
      List<Operand<T>> chains = new ArrayList<>();
      for (int c = 0; c < u.chains().size(); c++) {
        chains.add(cast(g.dy(at++)));
      }
      dProjected.add(chains);
    }
    List<Operand<T>> out = new ArrayList<>();
    int next = 0;
    for (String name : weightNames) {
      Integer layer = recurrentLayer.get(name);
      if (layer == null) {
        out.add(cast(g.dy(next++)));
      } else {
        RecurrentLayer<T> l = forward.layers().get(layer);
        out.add(l.recurrentKernelGradient(tf.withSubScope("recurrent_gradients").withSubScope(l.name()),
            forward.unrolls().get(layer), dProjected.get(layer)));
      }
    }
    for (int i = 0; i < extra.size(); i++) {
      out.add(cast(g.dy(extraAt + i)));
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Operand<T> cast(Operand<?> o) {
    return (Operand<T>) o;
  }
}

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
 * The gradients of a training step. TF's symbolic gradients cover everything outside the
 * recurrences (the loss, Dense, dropout, the input projections, the embedding); each recurrent
 * layer backpropagates through time itself ({@link RecurrentLayer#backpropagate}), top layer
 * first, and hands TF the gradient of its projected inputs to continue from. Same math as
 * differentiating the whole unroll with TF (BackpropTest: equal to 1e-12 in float64), at about
 * two thirds of the time per step (docs/BENCHMARKS.md, "Training"): TF's gradient of an unroll
 * adds shape bookkeeping to every step, multiplies by Uᵀ through a slow transposed product, and
 * sums the recurrent kernel's gradient from seq small products.
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
    List<RecurrentLayer<T>> layers = forward.layers();
    Map<String, Operand<T>> grads = new HashMap<>();
    List<String> recurrentWeights = new ArrayList<>();
    for (RecurrentLayer<T> l : layers) {
      recurrentWeights.addAll(List.of(l.kernelName(), l.recurrentKernelName(), l.biasName()));
    }
    List<String> head = new ArrayList<>();
    List<String> inputSide = new ArrayList<>(); // the embedding: below the first recurrent layer
    for (String name : weightNames) {
      if (!recurrentWeights.contains(name)) {
        (isBelowRecurrences(name, forward) ? inputSide : head).add(name);
      }
    }

    // The loss back to the head's weights and to what the top recurrent layer handed up.
    int top = layers.size() - 1;
    List<Operand<?>> xs = new ArrayList<>(vars.variables(head));
    xs.add(forward.handedUp().get(top));
    Gradients g = tf.withSubScope("gradients").gradients(List.of(loss), xs, Gradients.dx(List.of(tf.onesLike(loss))));
    for (int i = 0; i < head.size(); i++) {
      grads.put(head.get(i), cast(g.dy(i)));
    }
    Operand<T> dAbove = cast(g.dy(head.size()));

    List<Operand<T>> extraGrads = List.of();
    for (int l = top; l >= 0; l--) {
      RecurrentLayer<T> layer = layers.get(l);
      RecurrentLayer.Unrolled<T> unrolled = forward.unrolls().get(l);
      Ops lt = tf.withSubScope("bptt").withSubScope(layer.name());
      boolean sequence = forward.handsUpSequence(l);
      List<Operand<T>> dAboveChains = unrolled.perChain(lt, dAbove, sequence ? 1 : 0);
      Operand<T> transposed = layer.transposedRecurrentKernel(lt);
      List<Operand<T>> dProjected = new ArrayList<>();
      List<Operand<T>> dRecurrent = new ArrayList<>();
      List<Operand<T>> dBias = new ArrayList<>();
      for (int c = 0; c < unrolled.chains().size(); c++) {
        RecurrentLayer.Chain<T> chain = unrolled.chains().get(c);
        Ops ct = unrolled.chains().size() == 1 ? lt : lt.withSubScope("rows" + c);
        Operand<T> dp = layer.backpropagate(ct, chain, dAboveChains.get(c), sequence, transposed);
        dProjected.add(dp);
        dRecurrent.add(layer.recurrentKernelGradient(ct, chain, dp));
        dBias.add(layer.biasGradient(ct, dp));
      }
      grads.put(layer.recurrentKernelName(), sum(lt, dRecurrent));
      grads.put(layer.biasName(), sum(lt, dBias));

      // From the projected inputs on, TF's gradients again: to this layer's kernel, and to what
      // the layer below handed up (through dropout), or to the embedding.
      List<Operand<?>> below = new ArrayList<>();
      below.add(vars.get(layer.kernelName()));
      if (l > 0) {
        below.add(forward.handedUp().get(l - 1));
      } else {
        below.addAll(vars.variables(inputSide));
        below.addAll(extra);
      }
      List<Operand<?>> ys = new ArrayList<>();
      unrolled.chains().forEach(c -> ys.add(c.projected()));
      Gradients gl = tf.withSubScope("gradients_" + layer.name()).gradients(ys, below, Gradients.dx(dProjected));
      grads.put(layer.kernelName(), cast(gl.dy(0)));
      if (l > 0) {
        dAbove = cast(gl.dy(1));
      } else {
        for (int i = 0; i < inputSide.size(); i++) {
          grads.put(inputSide.get(i), cast(gl.dy(1 + i)));
        }
        List<Operand<T>> e = new ArrayList<>();
        for (int i = 0; i < extra.size(); i++) {
          e.add(cast(gl.dy(1 + inputSide.size() + i)));
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

  /** The embedding is the only weight below the recurrent layers. */
  private static boolean isBelowRecurrences(String name, Network.Forward<?> forward) {
    return forward.lookup() != null && name.startsWith("embedding/");
  }

  private static <T extends TFloating> Operand<T> sum(Ops tf, List<Operand<T>> parts) {
    return parts.size() == 1 ? parts.get(0) : tf.math.addN(parts);
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Operand<T> cast(Operand<?> o) {
    return (Operand<T>) o;
  }
}

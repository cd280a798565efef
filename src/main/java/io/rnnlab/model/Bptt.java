package io.rnnlab.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Backpropagation through time of an unrolled layer, step by step through its {@link Cell}'s
 * {@code backward}: the same math as TF's symbolic gradient of the unroll, in about half the ops
 * and with the large products batched over all steps (docs/BENCHMARKS.md, "Training"). It gives
 * the recurrent kernel's and the bias's gradients itself (the bias's from both its parts, {@link
 * Cell#biasGradient}), and hands TF the gradient of each chain's projected input ({@code
 * x·kernel + input bias}) to continue from, to the kernel and to the layer's input.
 */
public final class Bptt {
  private Bptt() {}

  static <T extends TFloating> SequenceRun.LayerGradient<T> backward(Ops tf, RecurrentLayer.Unrolled<T> unrolled,
      Operand<T> dAbove, boolean wholeSequence) {
    RecurrentLayer<T> layer = unrolled.layer();
    List<Operand<T>> dAboveChains = unrolled.perChain(tf, dAbove, wholeSequence ? 1 : 0);
    Operand<T> transposed = transposedRecurrentKernel(tf, layer);
    List<Operand<T>> projected = new ArrayList<>();
    List<Operand<T>> dProjected = new ArrayList<>();
    List<Operand<T>> dKernel = new ArrayList<>();
    List<Operand<T>> dInputBias = new ArrayList<>();
    List<Operand<T>> dRecurrentBias = new ArrayList<>();
    int chains = unrolled.chains().size();
    for (int c = 0; c < chains; c++) {
      RecurrentLayer.Chain<T> chain = unrolled.chains().get(c);
      Ops ct = chains == 1 ? tf : tf.withSubScope("rows" + c);
      ChainGradient<T> g = chain(ct, layer.cell(), chain, dAboveChains.get(c), wholeSequence, transposed);
      projected.add(chain.projected());
      dProjected.add(g.dProjected());
      dKernel.add(recurrentKernelGradient(ct, layer, chain, g.dRecurrent()));
      Operand<T> dInput = rowSum(ct, layer, g.dProjected());
      dInputBias.add(dInput);
      // A cell whose recurrent product has the projected input's gradient has no bias of its own there.
      dRecurrentBias.add(g.dRecurrent() == g.dProjected() ? dInput : rowSum(ct, layer, g.dRecurrent()));
    }
    Operand<T> dBias = layer.cell().biasGradient(tf, sum(tf, dInputBias), sum(tf, dRecurrentBias));
    return new SequenceRun.LayerGradient<>(
        Map.of(layer.recurrentKernelName(), sum(tf, dKernel), layer.biasName(), dBias), projected, dProjected);
  }

  /**
   * One chain's gradients of its projected input and of its recurrent products, each [seq, rows,
   * gates·units] (the stacked per-step gradients; the same tensor when the cell's are equal).
   */
  private record ChainGradient<T extends TFloating>(Operand<T> dProjected, Operand<T> dRecurrent) {}

  /** One chain, from the gradient the layers above send to its outputs. */
  private static <T extends TFloating> ChainGradient<T> chain(Ops tf, Cell cell, RecurrentLayer.Chain<T> chain,
      Operand<T> dAbove, boolean wholeSequence, Operand<T> transposedKernel) {
    int seq = chain.steps().size();
    List<Operand<T>> above = wholeSequence
        ? tf.unstack(dAbove, (long) seq, Unstack.axis(0L)).output().stream().map(o -> (Operand<T>) o).toList()
        : null;
    List<Operand<T>> dz = new ArrayList<>(Collections.nCopies(seq, null));
    List<Operand<T>> dRecurrent = new ArrayList<>(Collections.nCopies(seq, null));
    boolean separate = false;
    // dL/d state_t through step t+1: h through its recurrent product and the cell, the rest
    // (LSTM: c) through the cell alone; nulls before the first (last) step is done.
    List<Operand<T>> dNext = new ArrayList<>(Collections.nCopies(cell.type().stateTensors(), null));
    List<Operand<T>> masks = chain.recurrentMasks();
    List<Operand<T>> transposedBlocks = masks.isEmpty() ? List.of(transposedKernel)
        : RecurrentLayer.split(tf, transposedKernel, masks.size(), 0);
    for (int t = seq - 1; t >= 0; t--) {
      Ops s = tf.withSubScope("t" + t);
      Operand<T> fromAbove = wholeSequence ? above.get(t) : t == seq - 1 ? dAbove : null;
      List<Operand<T>> dState = new ArrayList<>(dNext);
      dState.set(0, add(s, fromAbove, dNext.get(0)));
      Cell.StepGradient<T> g = cell.backward(s, chain.steps().get(t), chain.stateBefore(t), dState);
      dz.set(t, g.dProjected());
      dRecurrent.set(t, g.recurrent());
      separate |= g.dRecurrent() != null;
      dNext = new ArrayList<>(g.dPreviousState());
      if (t > 0) {
        dNext.set(0, add(s, throughRecurrentProduct(s, g.recurrent(), transposedBlocks, masks), dNext.get(0)));
      }
    }
    Operand<T> dProjected = tf.stack(dz, Stack.axis(0L));
    return new ChainGradient<>(dProjected, separate ? tf.stack(dRecurrent, Stack.axis(0L)) : dProjected);
  }

  /**
   * Uᵀ, [gates·units, units], materialised once for every dh step. The Snapshot keeps it
   * materialised: Grappler's arithmetic optimiser folds a Transpose that feeds a MatMul back into
   * {@code transpose_b}, the slow product this avoids (0.21 → 0.14 ms per step on the lstm256
   * shape).
   */
  private static <T extends TFloating> Operand<T> transposedRecurrentKernel(Ops tf, RecurrentLayer<T> layer) {
    return tf.snapshot(tf.linalg.transpose(layer.recurrentKernel(), tf.constant(new int[] {1, 0})));
  }

  /**
   * dL/dh of the step before from dL/d of this step's recurrent product: {@code dr·Uᵀ}, or with
   * recurrent dropout {@code Σ_g (dr_g·U_gᵀ) ⊙ n_g}. TF's gradient of h·U is dz·Uᵀ with
   * transpose_b, ~1.5× slower than a product with a materialised Uᵀ on these shapes
   * (docs/BENCHMARKS.md, "Training").
   *
   * @param transposedBlocks Uᵀ, or with masks its row blocks U_gᵀ
   */
  private static <T extends TFloating> Operand<T> throughRecurrentProduct(Ops tf, Operand<T> dRecurrent,
      List<Operand<T>> transposedBlocks, List<Operand<T>> masks) {
    if (masks.isEmpty()) {
      return tf.linalg.matMul(dRecurrent, transposedBlocks.get(0));
    }
    List<Operand<T>> blocks = RecurrentLayer.split(tf, dRecurrent, masks.size(), 1);
    List<Operand<T>> parts = new ArrayList<>();
    for (int g = 0; g < masks.size(); g++) {
      parts.add(tf.math.mul(tf.linalg.matMul(blocks.get(g), transposedBlocks.get(g)), masks.get(g)));
    }
    return sum(tf, parts);
  }

  /**
   * {@code dL/d recurrent_kernel} of one chain as one matrix product, {@code Σ_t h_{t-1}ᵀ·dr_t}
   * over all steps and rows at once, where dr_t is the gradient of step t's recurrent product
   * {@code h_{t-1}·recurrent_kernel (+ recurrent bias)}; with recurrent dropout, one product per
   * gate block g of the masked {@code h ⊙ n_g}. TF's own gradient of the unroll is the same sum
   * as seq small products plus an AddN of seq kernel-sized partial sums.
   */
  private static <T extends TFloating> Operand<T> recurrentKernelGradient(Ops tf, RecurrentLayer<T> layer,
      RecurrentLayer.Chain<T> chain, Operand<T> dRecurrent) {
    List<Operand<T>> previous = new ArrayList<>(chain.steps().size());
    for (int t = 0; t < chain.steps().size(); t++) {
      previous.add(chain.stateBefore(t).get(0));
    }
    Operand<T> stacked = tf.stack(previous); // [seq, rows, units]
    Operand<TInt64> flat = tf.constant(new long[] {-1, layer.units()});
    List<Operand<T>> masks = chain.recurrentMasks();
    if (masks.isEmpty()) {
      return tf.linalg.matMul(tf.reshape(stacked, flat), rows(tf, layer, dRecurrent), MatMul.transposeA(true));
    }
    List<Operand<T>> dBlocks = RecurrentLayer.split(tf, rows(tf, layer, dRecurrent), masks.size(), 1);
    List<Operand<T>> parts = new ArrayList<>();
    for (int g = 0; g < masks.size(); g++) {
      Operand<T> h = tf.reshape(tf.math.mul(stacked, masks.get(g)), flat);
      parts.add(tf.linalg.matMul(h, dBlocks.get(g), MatMul.transposeA(true)));
    }
    return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
  }

  /**
   * The sum over steps and rows of a chain's per-step gradients ([seq, rows, gates·units] →
   * [gates·units]): the gradient of a bias added to every row. Taken as a product with a row of
   * ones: Eigen's column sum over [seq·rows, gates·units] takes ~6 ms on the lstm256 shape, the
   * product ~1.
   */
  private static <T extends TFloating> Operand<T> rowSum(Ops tf, RecurrentLayer<T> layer, Operand<T> perStep) {
    Operand<T> rows = rows(tf, layer, perStep);
    Operand<TInt32> n = tf.gather(tf.shape(rows), tf.constant(0), tf.constant(0));
    Operand<T> ones = tf.fill(tf.stack(List.of(tf.constant(1), n)), tf.dtypes.cast(tf.constant(1f), rows.type()));
    return tf.reshape(tf.linalg.matMul(ones, rows), tf.constant(new long[] {-1}));
  }

  private static <T extends TFloating> Operand<T> rows(Ops tf, RecurrentLayer<T> layer, Operand<T> dProjected) {
    return tf.reshape(dProjected, tf.constant(new long[] {-1, (long) layer.cell().type().gates() * layer.units()}));
  }

  private static <T extends TFloating> Operand<T> sum(Ops tf, List<Operand<T>> parts) {
    return parts.size() == 1 ? parts.get(0) : tf.math.addN(parts);
  }

  /** a + b where either may be null (no gradient yet). */
  private static <T extends TFloating> Operand<T> add(Ops tf, Operand<T> a, Operand<T> b) {
    return a == null ? b : b == null ? a : tf.math.add(a, b);
  }
}

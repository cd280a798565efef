package io.rnnlab.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * A Keras RNN layer: a cell plus its three weights, unrolled statically over time. Work is laid
 * out time-major ([seq, batch, ·]) so that splitting a sequence into steps is a cheap slice on
 * axis 0, and the input projection of every step is one large matmul instead of seq small ones.
 *
 * <p>For training, the layer also builds its own backpropagation through time ({@link
 * #backpropagate}, {@link #recurrentKernelGradient}, {@link #biasGradient}): the same math as
 * TF's symbolic gradient of the unroll, in about half the ops and with the large products batched
 * over all steps (docs/BENCHMARKS.md, "Training").
 */
public final class RecurrentLayer<T extends TFloating> {
  private final String name;
  private final Cell cell;
  private final int units;
  private final Operand<T> kernel;
  private final Operand<T> recurrentKernel;
  private final Operand<T> bias;

  public RecurrentLayer(String name, Cell cell, int units, Operand<T> kernel,
      Operand<T> recurrentKernel, Operand<T> bias) {
    this.name = name;
    this.cell = cell;
    this.units = units;
    this.kernel = kernel;
    this.recurrentKernel = recurrentKernel;
    this.bias = bias;
  }

  public String name() {
    return name;
  }

  public Cell cell() {
    return cell;
  }

  /** The variables' names, as {@link ModelVariables} holds them. */
  public String kernelName() {
    return name + "/kernel";
  }

  public String recurrentKernelName() {
    return name + "/recurrent_kernel";
  }

  public String biasName() {
    return name + "/bias";
  }

  /** {@code x·kernel + bias} for rows of x, [n, in] → [n, gates·units]. */
  public Operand<T> project(Ops tf, Operand<T> x) {
    return tf.nn.biasAdd(tf.linalg.matMul(x, kernel), bias);
  }

  /**
   * {@code onehot(ids)·kernel + bias} without building the one-hot: a one-hot row times the kernel
   * is exactly that kernel row, so a gather gives bit-identical values at a fraction of the work.
   */
  public Operand<T> projectIds(Ops tf, Operand<TInt32> ids) {
    return tf.math.add(tf.gather(kernel, ids, tf.constant(0)), bias);
  }

  /**
   * Projects a time-major sequence [seq, batch, in] and runs the cell over it, with the batch's
   * rows cut into {@code rowGroups} independent chains (rows of a batch never interact in a
   * recurrent layer; 1 = one chain). TF's inter-op threads can then run the chains side by side
   * on separate cores, each op on one core: on small per-step matrices that beats splitting every
   * op across cores, which costs a fork and a join per op (docs/BENCHMARKS.md, "Training"). Each
   * chain projects its own rows, so the large input products run side by side as well.
   *
   * @return outputs h_t per step and the final state, per chain
   */
  public Unrolled<T> run(Ops tf, Operand<T> timeMajor, int seqLen, int inputDim, List<Operand<T>> initialState,
      int rowGroups) {
    return inChains(tf, timeMajor, seqLen, initialState, rowGroups, (s, x) -> {
      Operand<T> rows = s.reshape(x, s.constant(new long[] {-1, inputDim}));
      return s.reshape(project(s, rows), s.constant(new long[] {seqLen, -1, (long) cell.type().gates() * units}));
    });
  }

  /**
   * As {@link #run}, over time-major char ids [seq, batch] as one-hot input ({@link
   * #projectIds}), each chain gathering its own rows.
   */
  public Unrolled<T> runIds(Ops tf, Operand<TInt32> ids, int seqLen, List<Operand<T>> initialState, int rowGroups) {
    return inChains(tf, ids, seqLen, initialState, rowGroups, this::projectIds);
  }

  /**
   * Cuts {@code x} ([seq, batch, ...]) and the initial state into chains of rows, turns each
   * chain's part into its projected steps with {@code projected}, and unrolls each chain.
   */
  private <X extends TType> Unrolled<T> inChains(Ops tf, Operand<X> x, int seqLen, List<Operand<T>> initialState,
      int rowGroups, BiFunction<Ops, Operand<X>, Operand<T>> projected) {
    if (rowGroups == 1) {
      return new Unrolled<>(List.of(chain(tf, projected.apply(tf, x), seqLen, initialState)), null);
    }
    // Group g gets n_g = ⌊(batch + groups − 1 − g) / groups⌋ rows, in order: sizes differ by at
    // most one and sum to the batch, whatever it is (a short last batch, fewer rows than groups).
    Operand<TInt32> batch = tf.gather(tf.shape(x), tf.constant(1), tf.constant(0));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int g = 0; g < rowGroups; g++) {
      sizes.add(tf.math.floorDiv(tf.math.add(batch, tf.constant(rowGroups - 1 - g)), tf.constant(rowGroups)));
    }
    Operand<TInt32> sizeVector = tf.stack(sizes);
    List<Output<X>> parts = tf.splitV(x, sizeVector, tf.constant(1), (long) rowGroups).output();
    List<List<Output<T>>> stateParts = new ArrayList<>();
    for (Operand<T> s : initialState) {
      stateParts.add(tf.splitV(s, sizeVector, tf.constant(0), (long) rowGroups).output());
    }
    List<Chain<T>> chains = new ArrayList<>();
    for (int g = 0; g < rowGroups; g++) {
      List<Operand<T>> state = new ArrayList<>();
      for (List<Output<T>> p : stateParts) {
        state.add(p.get(g));
      }
      Ops rows = tf.withSubScope("rows" + g);
      chains.add(chain(rows, projected.apply(rows, parts.get(g)), seqLen, state));
    }
    return new Unrolled<>(chains, sizeVector);
  }

  private Chain<T> chain(Ops tf, Operand<T> projSeq, int seqLen, List<Operand<T>> initialState) {
    List<Operand<T>> steps = tf.unstack(projSeq, (long) seqLen, Unstack.axis(0L)).output()
        .stream().map(o -> (Operand<T>) o).toList();
    List<Operand<T>> state = initialState;
    List<Operand<T>> outputs = new ArrayList<>(seqLen);
    List<LstmCell.Gates<T>> gates = new ArrayList<>();
    for (int t = 0; t < seqLen; t++) {
      Ops s = tf.withSubScope("t" + t);
      if (cell instanceof LstmCell lstm) {
        LstmCell.Gates<T> g = lstm.forward(s, steps.get(t), state, recurrentKernel);
        gates.add(g);
        state = List.of(g.h(), g.c());
      } else {
        state = step(s, steps.get(t), state);
      }
      outputs.add(state.get(0));
    }
    return new Chain<>(outputs, state, projSeq, initialState, gates);
  }

  /** One step of this layer's cell (used by the unroll and by the one-step signature). */
  public List<Operand<T>> step(Ops tf, Operand<T> xProj, List<Operand<T>> state) {
    return cell.step(tf, xProj, state, recurrentKernel);
  }

  /**
   * Backpropagation through time of one chain: from the gradient the layers above send to the
   * chain's outputs to {@code dL/d projected} ([seq, rows, gates·units], stacked dz_t).
   *
   * @param dAbove dL/d(outputs) from above: [seq, rows, units] when the layer handed up its whole
   *     sequence, [rows, units] when it handed up its last step only
   * @param transposedKernel {@link #transposedRecurrentKernel}, built once for all chains
   */
  public Operand<T> backpropagate(Ops tf, Chain<T> chain, Operand<T> dAbove, boolean wholeSequence,
      Operand<T> transposedKernel) {
    int seq = chain.outputs().size();
    List<Operand<T>> above = wholeSequence
        ? tf.unstack(dAbove, (long) seq, Unstack.axis(0L)).output().stream().map(o -> (Operand<T>) o).toList()
        : null;
    List<Operand<T>> dz = new ArrayList<>(java.util.Collections.nCopies(seq, null));
    Operand<T> dhNext = null; // dL/dh_t through step t+1's recurrent product
    Operand<T> dcNext = null; // dL/dc_t through step t+1 (LSTM)
    for (int t = seq - 1; t >= 0; t--) {
      Ops s = tf.withSubScope("t" + t);
      Operand<T> fromAbove = wholeSequence ? above.get(t) : t == seq - 1 ? dAbove : null;
      Operand<T> dh = fromAbove == null ? dhNext : dhNext == null ? fromAbove : s.math.add(fromAbove, dhNext);
      if (cell instanceof LstmCell) {
        Operand<T> previousC = t > 0 ? chain.gates().get(t - 1).c() : chain.initialState().get(1);
        LstmCell.Backward<T> b = LstmCell.backward(s, chain.gates().get(t), previousC, dh, dcNext);
        dz.set(t, b.dz());
        dcNext = b.dPreviousC();
      } else {
        dz.set(t, s.math.tanhGrad(chain.outputs().get(t), dh)); // SimpleRNN: h = tanh(z)
      }
      if (t > 0) {
        // TF's gradient of h·U is dz·Uᵀ with transpose_b, ~1.5× slower than a product with a
        // materialised Uᵀ on these shapes (docs/BENCHMARKS.md, "Training").
        dhNext = s.linalg.matMul(dz.get(t), transposedKernel);
      }
    }
    return tf.stack(dz, Stack.axis(0L));
  }

  /**
   * Uᵀ, [gates·units, units], materialised once for every dh step of {@link #backpropagate}. The
   * Snapshot keeps it materialised: Grappler's arithmetic optimiser folds a Transpose that feeds
   * a MatMul back into {@code transpose_b}, the slow product this avoids (0.21 → 0.14 ms per
   * step on the lstm256 shape).
   */
  public Operand<T> transposedRecurrentKernel(Ops tf) {
    return tf.snapshot(tf.linalg.transpose(recurrentKernel, tf.constant(new int[] {1, 0})));
  }

  /**
   * {@code dL/d recurrent_kernel} of one chain as one matrix product, {@code Σ_t h_{t-1}ᵀ·dz_t}
   * over all steps and rows at once. Every cell's pre-activation is {@code z_t = xProj_t +
   * h_{t-1}·recurrent_kernel} (see {@link Cell}), so dz_t is the gradient of {@link
   * Chain#projected()}. TF's own gradient of the unroll is the same sum as seq small products plus
   * an AddN of seq kernel-sized partial sums.
   *
   * @param dProjected {@code dL/d projected} of the chain, [seq, rows, gates·units]
   */
  public Operand<T> recurrentKernelGradient(Ops tf, Chain<T> chain, Operand<T> dProjected) {
    List<Operand<T>> previous = new ArrayList<>(chain.outputs().size());
    previous.add(chain.initialState().get(0));
    previous.addAll(chain.outputs().subList(0, chain.outputs().size() - 1));
    Operand<T> h = tf.reshape(tf.stack(previous), tf.constant(new long[] {-1, units}));
    return tf.linalg.matMul(h, rows(tf, dProjected), MatMul.transposeA(true));
  }

  /**
   * {@code dL/d bias} of one chain: the bias is added to every projected row, so this is the sum
   * of dProjected's rows, taken as a product with a row of ones: Eigen's column sum over [seq·rows,
   * gates·units] takes ~6 ms on the lstm256 shape, the product ~1.
   */
  public Operand<T> biasGradient(Ops tf, Operand<T> dProjected) {
    Operand<T> rows = rows(tf, dProjected);
    Operand<TInt32> n = tf.gather(tf.shape(rows), tf.constant(0), tf.constant(0));
    Operand<T> ones = tf.fill(tf.stack(List.of(tf.constant(1), n)), tf.dtypes.cast(tf.constant(1f), rows.type()));
    return tf.reshape(tf.linalg.matMul(ones, rows), tf.constant(new long[] {-1}));
  }

  private Operand<T> rows(Ops tf, Operand<T> dProjected) {
    return tf.reshape(dProjected, tf.constant(new long[] {-1, (long) cell.type().gates() * units}));
  }

  /**
   * One chain of rows through the unroll: per-step outputs h_t, the final state, and what the
   * backward pass needs: {@code projected} (the chain's per-step {@code x·kernel + bias}, [seq,
   * rows, gates·units]), the initial state, and each step's LSTM activations (empty for
   * SimpleRNN, whose activation is its output).
   */
  public record Chain<T extends TFloating>(List<Operand<T>> outputs, List<Operand<T>> finalState,
      Operand<T> projected, List<Operand<T>> initialState, List<LstmCell.Gates<T>> gates) {}

  /**
   * An unrolled layer: its chains of rows, in row order, and how many rows each has ({@code
   * rowCounts}, null for a single chain).
   */
  public record Unrolled<T extends TFloating>(List<Chain<T>> chains, Operand<TInt32> rowCounts) {
    /** h_t of every step and row, time-major [seq, batch, units]. */
    public Operand<T> sequence(Ops tf) {
      List<Operand<T>> parts = new ArrayList<>();
      for (Chain<T> c : chains) {
        parts.add(tf.stack(c.outputs(), Stack.axis(0L)));
      }
      return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(1));
    }

    /** h of the last step, [batch, units]. */
    public Operand<T> last(Ops tf) {
      List<Operand<T>> parts = new ArrayList<>();
      for (Chain<T> c : chains) {
        parts.add(c.outputs().get(c.outputs().size() - 1));
      }
      return parts.size() == 1 ? parts.get(0) : tf.concat(parts, tf.constant(0));
    }

    /** Cuts a batch-wide tensor into the chains' rows along {@code axis}. */
    public List<Operand<T>> perChain(Ops tf, Operand<T> x, int axis) {
      if (chains.size() == 1) {
        return List.of(x);
      }
      return tf.splitV(x, rowCounts, tf.constant(axis), (long) chains.size()).output()
          .stream().map(o -> (Operand<T>) o).toList();
    }
  }
}

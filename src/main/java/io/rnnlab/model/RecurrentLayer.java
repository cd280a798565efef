package io.rnnlab.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * A Keras RNN layer: a cell plus its three weights, unrolled statically over time. Work is laid
 * out time-major ([seq, batch, ·]) so that splitting a sequence into steps is a cheap slice on
 * axis 0, and the input projection of every step is one large matmul instead of seq small ones.
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
   * Projects a time-major sequence [seq, batch, in] and runs the cell over it.
   *
   * @return outputs h_t per step and the final state
   */
  public Unrolled<T> run(Ops tf, Operand<T> timeMajor, int seqLen, int inputDim, List<Operand<T>> initialState) {
    return run(tf, timeMajor, seqLen, inputDim, initialState, 1);
  }

  /** As {@link #run(Ops, Operand, int, int, List)}, in {@code rowGroups} chains (see {@link #runProjected}). */
  public Unrolled<T> run(Ops tf, Operand<T> timeMajor, int seqLen, int inputDim, List<Operand<T>> initialState,
      int rowGroups) {
    Operand<T> rows = tf.reshape(timeMajor, tf.constant(new long[] {-1, inputDim}));
    Operand<T> proj = project(tf, rows);
    Operand<T> projSeq =
        tf.reshape(proj, tf.constant(new long[] {seqLen, -1, (long) cell.type().gates() * units}));
    return runProjected(tf, projSeq, seqLen, initialState, rowGroups);
  }

  /** Runs the cell over already projected steps, [seq, batch, gates·units]. */
  public Unrolled<T> runProjected(Ops tf, Operand<T> projSeq, int seqLen, List<Operand<T>> initialState) {
    return runProjected(tf, projSeq, seqLen, initialState, 1);
  }

  /**
   * Runs the cell over already projected steps, [seq, batch, gates·units], with the batch's rows
   * cut into {@code rowGroups} independent chains (rows of a batch never interact in a recurrent
   * layer). TF's inter-op threads then run the chains side by side on separate cores, each op on
   * one core: on small per-step matrices that beats splitting every op across cores, which costs
   * a fork and a join per op (docs/BENCHMARKS.md, "Training"). Every row's values are those of
   * a single chain.
   */
  public Unrolled<T> runProjected(Ops tf, Operand<T> projSeq, int seqLen, List<Operand<T>> initialState,
      int rowGroups) {
    if (rowGroups == 1) {
      return new Unrolled<>(List.of(chain(tf, projSeq, seqLen, initialState)));
    }
    // Group g gets rows [Σ_{j<g} n_j, +n_g) with n_g = ⌈(batch − g) / groups⌉: sizes differ by at
    // most one and sum to the batch, whatever it is (a short last batch, or fewer rows than groups).
    Operand<TInt32> batch = tf.gather(tf.shape(projSeq), tf.constant(1), tf.constant(0));
    List<Operand<TInt32>> sizes = new ArrayList<>();
    for (int g = 0; g < rowGroups; g++) {
      sizes.add(tf.math.floorDiv(tf.math.add(batch, tf.constant(rowGroups - 1 - g)), tf.constant(rowGroups)));
    }
    Operand<TInt32> sizeVector = tf.stack(sizes);
    List<Output<T>> projParts = tf.splitV(projSeq, sizeVector, tf.constant(1), (long) rowGroups).output();
    List<List<Output<T>>> stateParts = new ArrayList<>();
    for (Operand<T> s : initialState) {
      stateParts.add(tf.splitV(s, sizeVector, tf.constant(0), (long) rowGroups).output());
    }
    List<Chain<T>> chains = new ArrayList<>();
    for (int g = 0; g < rowGroups; g++) {
      List<Operand<T>> state = new ArrayList<>();
      for (List<Output<T>> parts : stateParts) {
        state.add(parts.get(g));
      }
      chains.add(chain(tf.withSubScope("rows" + g), projParts.get(g), seqLen, state));
    }
    return new Unrolled<>(chains);
  }

  private Chain<T> chain(Ops tf, Operand<T> projSeq, int seqLen, List<Operand<T>> initialState) {
    List<Operand<T>> steps = tf.unstack(projSeq, (long) seqLen, org.tensorflow.op.core.Unstack.axis(0L)).output()
        .stream().map(o -> (Operand<T>) o).toList();
    List<Operand<T>> state = initialState;
    List<Operand<T>> outputs = new ArrayList<>(seqLen);
    for (int t = 0; t < seqLen; t++) {
      state = step(tf.withSubScope("t" + t), steps.get(t), state);
      outputs.add(state.get(0));
    }
    return new Chain<>(outputs, state, projSeq, initialState.get(0));
  }

  /**
   * {@code dL/d recurrent_kernel} of an unroll as one matrix product per chain, {@code Σ_t
   * h_{t-1}ᵀ·dz_t} over all steps and rows at once. Every cell's pre-activation is {@code z_t =
   * xProj_t + h_{t-1}·recurrent_kernel} (see {@link Cell}), so {@code dz_t = dL/d xProj_t}: the
   * gradient of {@link Chain#projected()}. TF's own gradient of the unroll is the same sum as seq
   * small products (inner dimension = batch) plus an AddN of seq kernel-sized partial sums
   * (docs/BENCHMARKS.md, "Training").
   *
   * @param dProjected {@code dL/d projected} of each chain, [seq, rows, gates·units]
   */
  public Operand<T> recurrentKernelGradient(Ops tf, Unrolled<T> unrolled, List<Operand<T>> dProjected) {
    List<Operand<T>> perChain = new ArrayList<>();
    for (int g = 0; g < unrolled.chains().size(); g++) {
      Chain<T> c = unrolled.chains().get(g);
      List<Operand<T>> previous = new ArrayList<>(c.outputs().size());
      previous.add(c.initialOutput());
      previous.addAll(c.outputs().subList(0, c.outputs().size() - 1));
      Operand<T> h = tf.reshape(tf.stack(previous), tf.constant(new long[] {-1, units}));
      Operand<T> dz = tf.reshape(dProjected.get(g), tf.constant(new long[] {-1, (long) cell.type().gates() * units}));
      perChain.add(tf.linalg.matMul(h, dz, org.tensorflow.op.linalg.MatMul.transposeA(true)));
    }
    return perChain.size() == 1 ? perChain.get(0) : tf.math.addN(perChain);
  }

  /** The name of this layer's recurrent kernel variable, as {@link ModelVariables} holds it. */
  public String recurrentKernelName() {
    return name + "/recurrent_kernel";
  }

  /** One step of this layer's cell (used by the unroll and by the one-step signature). */
  public List<Operand<T>> step(Ops tf, Operand<T> xProj, List<Operand<T>> state) {
    return cell.step(tf, xProj, state, recurrentKernel);
  }

  /**
   * One chain of rows through the unroll: per-step outputs h_t, the final state, and what {@link
   * #recurrentKernelGradient} needs: {@code projected} (the chain's per-step {@code x·kernel +
   * bias}, [seq, rows, gates·units]) and {@code initialOutput} (h before step 0).
   */
  public record Chain<T extends TFloating>(List<Operand<T>> outputs, List<Operand<T>> finalState,
      Operand<T> projected, Operand<T> initialOutput) {}

  /** An unrolled layer: its chains of rows, in row order. */
  public record Unrolled<T extends TFloating>(List<Chain<T>> chains) {
    /** h_t of every step and row, time-major [seq, batch, units]. */
    public Operand<T> sequence(Ops tf) {
      List<Operand<T>> parts = new ArrayList<>();
      for (Chain<T> c : chains) {
        parts.add(tf.stack(c.outputs(), org.tensorflow.op.core.Stack.axis(0L)));
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
  }
}

package io.rnnlab.model;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
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
    Operand<T> rows = tf.reshape(timeMajor, tf.constant(new long[] {-1, inputDim}));
    Operand<T> proj = project(tf, rows);
    Operand<T> projSeq =
        tf.reshape(proj, tf.constant(new long[] {seqLen, -1, (long) cell.type().gates() * units}));
    return runProjected(tf, projSeq, seqLen, initialState);
  }

  /** Runs the cell over already projected steps, [seq, batch, gates·units]. */
  public Unrolled<T> runProjected(Ops tf, Operand<T> projSeq, int seqLen, List<Operand<T>> initialState) {
    List<Operand<T>> steps = tf.unstack(projSeq, (long) seqLen, org.tensorflow.op.core.Unstack.axis(0L)).output()
        .stream().map(o -> (Operand<T>) o).toList();
    List<Operand<T>> state = initialState;
    List<Operand<T>> outputs = new ArrayList<>(seqLen);
    for (int t = 0; t < seqLen; t++) {
      state = step(tf.withSubScope("t" + t), steps.get(t), state);
      outputs.add(state.get(0));
    }
    return new Unrolled<>(outputs, state, projSeq, initialState.get(0));
  }

  /**
   * {@code dL/d recurrent_kernel} of an unroll as one matrix product, {@code Σ_t h_{t-1}ᵀ·dz_t}
   * over all steps and rows at once. Every cell's pre-activation is {@code z_t = xProj_t +
   * h_{t-1}·recurrent_kernel} (see {@link Cell}), so {@code dz_t = dL/d xProj_t}: the gradient of
   * {@link Unrolled#projected()}. TF's own gradient of the unroll is the same sum as seq small
   * products (inner dimension = batch) plus an AddN of seq kernel-sized partial sums, which cost
   * about a third of a training step (docs/BENCHMARKS.md, "Training").
   *
   * @param dProjected {@code dL/d projected}, [seq, batch, gates·units]
   */
  public Operand<T> recurrentKernelGradient(Ops tf, Unrolled<T> unrolled, Operand<T> dProjected) {
    List<Operand<T>> previous = new ArrayList<>(unrolled.outputs().size());
    previous.add(unrolled.initialOutput());
    previous.addAll(unrolled.outputs().subList(0, unrolled.outputs().size() - 1));
    Operand<T> h = tf.reshape(tf.stack(previous), tf.constant(new long[] {-1, units}));
    Operand<T> dz = tf.reshape(dProjected, tf.constant(new long[] {-1, (long) cell.type().gates() * units}));
    return tf.linalg.matMul(h, dz, org.tensorflow.op.linalg.MatMul.transposeA(true));
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
   * The per-step outputs of an unrolled layer and its final state; {@code projected} (the
   * per-step {@code x·kernel + bias}, [seq, batch, gates·units]) and {@code initialOutput} (h
   * before step 0) are what {@link #recurrentKernelGradient} needs.
   */
  public record Unrolled<T extends TFloating>(List<Operand<T>> outputs, List<Operand<T>> finalState,
      Operand<T> projected, Operand<T> initialOutput) {
    public Operand<T> last() {
      return outputs.get(outputs.size() - 1);
    }
  }
}

package io.rnnlab.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.types.family.TFloating;

/**
 * Keras LSTMCell with its defaults (tanh activation, sigmoid recurrent activation), gates in
 * Keras's column order i, f, c, o: one fused matmul per step, then a split into four blocks.
 */
public final class LstmCell implements Cell {
  @Override
  public CellType type() {
    return CellType.LSTM;
  }

  @Override
  public <T extends TFloating> List<Operand<T>> step(
      Ops tf, Operand<T> xProj, List<Operand<T>> state, Operand<T> recurrentKernel) {
    Gates<T> s = forward(tf, xProj, state, recurrentKernel);
    return List.of(s.h(), s.c());
  }

  /**
   * A step's activations: the gates i, f, o, the candidate g, the new cell state c, tanh(c) and
   * h. The hand-written backward pass ({@link #backward}) reuses them instead of recomputing.
   */
  public record Gates<T extends TFloating>(
      Operand<T> i, Operand<T> f, Operand<T> g, Operand<T> o, Operand<T> c, Operand<T> tanhC, Operand<T> h) {}

  /** {@link #step}, keeping the activations. */
  public <T extends TFloating> Gates<T> forward(
      Ops tf, Operand<T> xProj, List<Operand<T>> state, Operand<T> recurrentKernel) {
    Operand<T> h = state.get(0);
    Operand<T> c = state.get(1);
    Operand<T> z = tf.math.add(xProj, tf.linalg.matMul(h, recurrentKernel));
    Split<T> gates = tf.split(tf.constant(1), z, 4L);
    Operand<T> i = tf.math.sigmoid(gates.output().get(0));
    Operand<T> f = tf.math.sigmoid(gates.output().get(1));
    Operand<T> g = tf.math.tanh(gates.output().get(2));
    Operand<T> o = tf.math.sigmoid(gates.output().get(3));
    Operand<T> newC = tf.withName("c").math.add(tf.math.mul(f, c), tf.math.mul(i, g));
    Operand<T> tanhC = tf.math.tanh(newC);
    Operand<T> newH = tf.withName("h").math.mul(o, tanhC);
    return new Gates<>(i, f, g, o, newC, tanhC, newH);
  }

  /**
   * One step of backpropagation through {@link #forward}: from dL/dh and dL/dc of this step's
   * outputs to dL/dz (the pre-activation, i f c o blocks) and dL/dc of the previous step. The
   * same kernels TF's symbolic gradient of {@link #forward} uses ({@code SigmoidGrad}, {@code
   * TanhGrad}, products with the partner operand), without its broadcast bookkeeping.
   *
   * @param dc dL/dc from the next step, or null at the last step
   */
  public static <T extends TFloating> Backward<T> backward(
      Ops tf, Gates<T> s, Operand<T> previousC, Operand<T> dh, Operand<T> dc) {
    Operand<T> dO = tf.math.mul(dh, s.tanhC());
    Operand<T> dC = tf.math.tanhGrad(s.tanhC(), tf.math.mul(dh, s.o()));
    if (dc != null) {
      dC = tf.math.add(dC, dc);
    }
    Operand<T> dzI = tf.math.sigmoidGrad(s.i(), tf.math.mul(dC, s.g()));
    Operand<T> dzF = tf.math.sigmoidGrad(s.f(), tf.math.mul(dC, previousC));
    Operand<T> dzG = tf.math.tanhGrad(s.g(), tf.math.mul(dC, s.i()));
    Operand<T> dzO = tf.math.sigmoidGrad(s.o(), dO);
    Operand<T> dz = tf.concat(List.of(dzI, dzF, dzG, dzO), tf.constant(1));
    return new Backward<>(dz, tf.math.mul(dC, s.f()));
  }

  /** dL/dz of a step and dL/dc of the step before it. */
  public record Backward<T extends TFloating>(Operand<T> dz, Operand<T> dPreviousC) {}
}

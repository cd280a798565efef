package io.rnnlab.model;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.types.family.TFloating;

/**
 * Keras LSTMCell with its defaults (tanh activation, sigmoid recurrent activation), gates in
 * Keras's column order i, f, c, o: one fused matmul per step, then a split into four blocks.
 * cuDNN's LSTM has the same gate order, so its parameters are the Keras blocks as they are.
 */
public final class LstmCell implements Cell {
  @Override
  public CellType type() {
    return CellType.LSTM;
  }

  /**
   * A step's activations: the gates i, f, o, the candidate g, the new cell state c, tanh(c) and
   * h. The backward pass reuses them instead of recomputing.
   */
  record Gates<T extends TFloating>(
      Operand<T> i, Operand<T> f, Operand<T> g, Operand<T> o, Operand<T> c, Operand<T> tanhC, Operand<T> h)
      implements Step<T> {
    @Override
    public List<Operand<T>> state() {
      return List.of(h, c);
    }
  }

  @Override
  public <T extends TFloating> Step<T> forward(Ops tf, Operand<T> xProj, Operand<T> hProj, List<Operand<T>> state) {
    Operand<T> c = state.get(1);
    Operand<T> z = tf.math.add(xProj, hProj);
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
   * The same kernels TF's symbolic gradient of {@link #forward} uses ({@code SigmoidGrad}, {@code
   * TanhGrad}, products with the partner operand), without its broadcast bookkeeping.
   */
  @Override
  public <T extends TFloating> StepGradient<T> backward(Ops tf, Step<T> step, List<Operand<T>> previousState,
      List<Operand<T>> dState) {
    Gates<T> s = (Gates<T>) step;
    Operand<T> dh = dState.get(0);
    Operand<T> dO = tf.math.mul(dh, s.tanhC());
    Operand<T> dC = tf.math.tanhGrad(s.tanhC(), tf.math.mul(dh, s.o()));
    if (dState.get(1) != null) {
      dC = tf.math.add(dC, dState.get(1));
    }
    Operand<T> dzI = tf.math.sigmoidGrad(s.i(), tf.math.mul(dC, s.g()));
    Operand<T> dzF = tf.math.sigmoidGrad(s.f(), tf.math.mul(dC, previousState.get(1)));
    Operand<T> dzG = tf.math.tanhGrad(s.g(), tf.math.mul(dC, s.i()));
    Operand<T> dzO = tf.math.sigmoidGrad(s.o(), dO);
    Operand<T> dz = tf.concat(List.of(dzI, dzF, dzG, dzO), tf.constant(1));
    return new StepGradient<>(dz, Arrays.asList(null, tf.math.mul(dC, s.f())));
  }

  @Override
  public String cudnnMode() {
    return "lstm";
  }
}

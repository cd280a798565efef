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
    Operand<T> h = state.get(0);
    Operand<T> c = state.get(1);
    Operand<T> z = tf.math.add(xProj, tf.linalg.matMul(h, recurrentKernel));
    Split<T> gates = tf.split(tf.constant(1), z, 4L);
    Operand<T> i = tf.math.sigmoid(gates.output().get(0));
    Operand<T> f = tf.math.sigmoid(gates.output().get(1));
    Operand<T> g = tf.math.tanh(gates.output().get(2));
    Operand<T> o = tf.math.sigmoid(gates.output().get(3));
    Operand<T> newC = tf.withName("c").math.add(tf.math.mul(f, c), tf.math.mul(i, g));
    Operand<T> newH = tf.withName("h").math.mul(o, tf.math.tanh(newC));
    return List.of(newH, newC);
  }
}

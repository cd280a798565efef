package io.rnnlab.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/** Keras SimpleRNNCell: {@code h = tanh(x·kernel + bias + h_prev·recurrent_kernel)}. */
public final class SimpleRnnCell implements Cell {
  @Override
  public CellType type() {
    return CellType.SIMPLE_RNN;
  }

  @Override
  public <T extends TFloating> List<Operand<T>> step(
      Ops tf, Operand<T> xProj, List<Operand<T>> state, Operand<T> recurrentKernel) {
    Operand<T> h = state.get(0);
    Operand<T> z = tf.math.add(xProj, tf.linalg.matMul(h, recurrentKernel));
    return List.of(tf.withName("h").math.tanh(z));
  }
}

package io.rnnlab.model;

import java.util.Arrays;
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

  /** The step's output is its only activation: tanh's gradient is taken from it. */
  record Activations<T extends TFloating>(Operand<T> h) implements Step<T> {
    @Override
    public List<Operand<T>> state() {
      return List.of(h);
    }
  }

  @Override
  public <T extends TFloating> Step<T> forward(Ops tf, Operand<T> xProj, Operand<T> hProj, List<Operand<T>> state) {
    Operand<T> z = tf.math.add(xProj, hProj);
    return new Activations<>(tf.withName("h").math.tanh(z));
  }

  @Override
  public <T extends TFloating> StepGradient<T> backward(Ops tf, Step<T> step, List<Operand<T>> previousState,
      List<Operand<T>> dState) {
    return new StepGradient<>(tf.math.tanhGrad(step.h(), dState.get(0)), Arrays.asList((Operand<T>) null));
  }

  @Override
  public String cudnnMode() {
    return "rnn_tanh";
  }
}

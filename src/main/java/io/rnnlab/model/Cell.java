package io.rnnlab.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * One time step of a recurrent layer, as Keras's {@code SimpleRNNCell}/{@code LSTMCell}. The
 * input projection {@code x·kernel + bias} is computed by the layer for all steps at once, so a
 * cell only adds the recurrent term and applies its gates. Training, the serving signature, the
 * one-step signature and the parity tests all build the math here.
 */
public sealed interface Cell permits SimpleRnnCell, LstmCell {

  CellType type();

  /**
   * @param xProj this step's {@code x·kernel + bias}, [batch, gates·units]
   * @param state [h] or [h, c], each [batch, units]
   * @return the new state in the same order; {@code get(0)} is the step's output h
   */
  <T extends TFloating> List<Operand<T>> step(
      Ops tf, Operand<T> xProj, List<Operand<T>> state, Operand<T> recurrentKernel);

  static Cell of(CellType type) {
    return switch (type) {
      case SIMPLE_RNN -> new SimpleRnnCell();
      case LSTM -> new LstmCell();
    };
  }
}

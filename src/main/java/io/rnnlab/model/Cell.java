package io.rnnlab.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * One time step of a recurrent layer, as Keras's {@code SimpleRNNCell}/{@code LSTMCell}: the one
 * place for a cell's math, forward and backward. The input projection {@code x·kernel + bias} is
 * computed by the layer for all steps at once ({@link RecurrentLayer}), so a cell adds the
 * recurrent term and applies its gates; training's backpropagation through time ({@link Bptt}),
 * the serving and one-step signatures and the parity tests all build a step here. On a GPU,
 * training runs the whole sequence as one cuDNN kernel instead ({@link CudnnRun}); a cell
 * says how cuDNN names it and how its Keras weights map onto cuDNN's.
 *
 * <p>A new cell kind is one class implementing this interface (plus its {@link CellType}).
 */
public sealed interface Cell permits SimpleRnnCell, LstmCell {

  CellType type();

  /**
   * @param xProj this step's {@code x·kernel + bias}, [batch, gates·units]
   * @param state [h] or [h, c], each [batch, units]
   * @return the new state (h first) with whatever activations {@link #backward} reuses
   */
  <T extends TFloating> Step<T> forward(Ops tf, Operand<T> xProj, List<Operand<T>> state, Operand<T> recurrentKernel);

  /**
   * One step of backpropagation through {@link #forward}.
   *
   * @param step what {@link #forward} returned for this step
   * @param previousState the state {@link #forward} started from
   * @param dState dL/d of the step's new state, in state order: index 0 (dL/dh, from above and
   *     from the next step) is never null; the others (LSTM: dL/dc from the next step) are null
   *     at the last step
   */
  <T extends TFloating> StepGradient<T> backward(Ops tf, Step<T> step, List<Operand<T>> previousState,
      List<Operand<T>> dState);

  /** cuDNN's {@code rnn_mode} for this cell. */
  String cudnnMode();

  /**
   * The cell's Keras weights as cuDNN's flat parameter buffer for one layer, built from
   * differentiable ops so that TF's gradients carry cuDNN's parameter gradient back to the
   * Keras-layout variables. cuDNN's canonical layout: the input matrices of every gate, then the
   * recurrent ones, each [units, in] row-major, then the input biases and the recurrent biases.
   * A gate's matrix is a column block of the Keras kernel, transposed, so for cells whose gates
   * cuDNN orders as Keras does (SimpleRNN, LSTM: i, f, c, o) the matrices are the transposed
   * kernels flattened; Keras's single bias goes in as cuDNN's recurrent bias and the input bias is
   * zero, as in Keras's own cuDNN path.
   */
  default <T extends TFloating> Operand<T> cudnnParams(Ops tf, Operand<T> kernel, Operand<T> recurrentKernel,
      Operand<T> bias) {
    Operand<TInt32> flat = tf.constant(new int[] {-1});
    Operand<TInt32> swap = tf.constant(new int[] {1, 0});
    return tf.concat(List.of(
        tf.reshape(tf.linalg.transpose(kernel, swap), flat),
        tf.reshape(tf.linalg.transpose(recurrentKernel, swap), flat),
        // Zeros of the bias's static size, not ZerosLike(bias): TF's C++ gradients have no rule
        // for ZerosLike, and this term must not lie on the path from the bias to the buffer.
        tf.zeros(tf.constant(bias.shape().asArray()), bias.type()),
        bias), tf.constant(0));
  }

  /** A step's new state (h first), and the activations kept for the backward pass. */
  interface Step<T extends TFloating> {
    List<Operand<T>> state();

    default Operand<T> h() {
      return state().get(0);
    }
  }

  /**
   * One step's gradients.
   *
   * @param dProjected dL/d of the step's {@code xProj}, [batch, gates·units]; the recurrent
   *     product {@code h·recurrent_kernel} enters every gate beside it, so this is also its
   *     gradient, which {@link Bptt} turns into the recurrent-kernel gradient and into dL/dh of
   *     the step before
   * @param dPreviousState dL/d of the previous state through the cell itself (not through the
   *     recurrent product), in state order; null entries for none (LSTM: [null, dL/dc])
   */
  record StepGradient<T extends TFloating>(Operand<T> dProjected, List<Operand<T>> dPreviousState) {}

  static Cell of(CellType type) {
    return switch (type) {
      case SIMPLE_RNN -> new SimpleRnnCell();
      case LSTM -> new LstmCell();
    };
  }
}

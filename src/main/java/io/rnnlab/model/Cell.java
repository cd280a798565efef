package io.rnnlab.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * One time step of a recurrent layer, as Keras's {@code SimpleRNNCell}/{@code LSTMCell}/{@code
 * GRUCell}: the one place for a cell's math, forward and backward. The layer computes the two
 * products of a step ({@link RecurrentLayer}): the input projection {@code x·kernel + input bias}
 * for all steps at once, and the recurrent product {@code h·recurrent_kernel (+ recurrent bias)}
 * at each step, with the layer's recurrent dropout masks if it has any; a cell combines them
 * through its gates. Training's backpropagation through time ({@link Bptt}), the serving and
 * one-step signatures and the parity tests all build a step here. On a GPU, training runs the
 * whole sequence as one cuDNN kernel instead ({@link CudnnRun}); a cell says how cuDNN names it
 * and how its Keras weights map onto cuDNN's.
 *
 * <p>A new cell kind is one class implementing this interface (plus its {@link CellType}). The
 * defaults describe a cell with one bias inside the input projection (SimpleRNN, LSTM); a cell
 * with a bias inside the recurrent product too (GRU, whose reset gate multiplies that product)
 * overrides the bias hooks.
 */
public sealed interface Cell permits SimpleRnnCell, LstmCell, GruCell {

  CellType type();

  /**
   * @param xProj this step's input projection {@code x·kernel + inputBias}, [batch, gates·units]
   * @param hProj this step's recurrent product {@code h·recurrent_kernel + recurrentBias} (each
   *     gate's block of h masked by the layer's recurrent dropout, when training with it),
   *     [batch, gates·units]
   * @param state [h] or [h, c], each [batch, units]: the state the step starts from
   * @return the new state (h first) with whatever activations {@link #backward} reuses
   */
  <T extends TFloating> Step<T> forward(Ops tf, Operand<T> xProj, Operand<T> hProj, List<Operand<T>> state);

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

  /** Keras's shape of the layer's {@code bias} weight: one row of gates·units (GRU: two rows). */
  default int[] biasShape(int units) {
    return new int[] {type().gates() * units};
  }

  /** The part of the {@code bias} weight added to the input projection: all of it by default. */
  default <T extends TFloating> Operand<T> inputBias(Ops tf, Operand<T> bias) {
    return bias;
  }

  /** The part of the {@code bias} weight added to the recurrent product; null: none (the default). */
  default <T extends TFloating> Operand<T> recurrentBias(Ops tf, Operand<T> bias) {
    return null;
  }

  /**
   * dL/d {@code bias} from the gradients of its two parts: the input bias's (the sum over steps
   * and rows of {@link StepGradient#dProjected}) and the recurrent bias's (the same sum of {@link
   * StepGradient#recurrent}). By default the bias is the input bias alone.
   */
  default <T extends TFloating> Operand<T> biasGradient(Ops tf, Operand<T> dInputBias, Operand<T> dRecurrentBias) {
    return dInputBias;
  }

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
    return tf.concat(List.of(
        flatTransposed(tf, kernel),
        flatTransposed(tf, recurrentKernel),
        // Zeros of the bias's static size, not ZerosLike(bias): TF's C++ gradients have no rule
        // for ZerosLike, and this term must not lie on the path from the bias to the buffer.
        tf.zeros(tf.constant(bias.shape().asArray()), bias.type()),
        bias), tf.constant(0));
  }

  /** A Keras [in, gates·units] matrix as cuDNN's per-gate [units, in] matrices, flattened in order. */
  static <T extends TFloating> Operand<T> flatTransposed(Ops tf, Operand<T> matrix) {
    Operand<TInt32> flat = tf.constant(new int[] {-1});
    return tf.reshape(tf.linalg.transpose(matrix, tf.constant(new int[] {1, 0})), flat);
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
   * @param dProjected dL/d of the step's {@code xProj}, [batch, gates·units]
   * @param dRecurrent dL/d of the step's {@code hProj}, which {@link Bptt} turns into the
   *     recurrent kernel's gradient and into dL/dh of the step before; null when it equals
   *     {@code dProjected} (the products are added before any gate: SimpleRNN, LSTM)
   * @param dPreviousState dL/d of the previous state through the cell itself (not through the
   *     recurrent product), in state order; null entries for none (LSTM: [null, dL/dc]; GRU:
   *     [dL/dh through h' = z⊙h + …])
   */
  record StepGradient<T extends TFloating>(Operand<T> dProjected, Operand<T> dRecurrent,
      List<Operand<T>> dPreviousState) {
    /** A step whose recurrent product enters beside its projected input, with the same gradient. */
    public StepGradient(Operand<T> dProjected, List<Operand<T>> dPreviousState) {
      this(dProjected, null, dPreviousState);
    }

    /** dL/d {@code hProj}. */
    public Operand<T> recurrent() {
      return dRecurrent != null ? dRecurrent : dProjected;
    }
  }

  static Cell of(CellType type) {
    return switch (type) {
      case SIMPLE_RNN -> new SimpleRnnCell();
      case LSTM -> new LstmCell();
      case GRU -> new GruCell();
    };
  }
}

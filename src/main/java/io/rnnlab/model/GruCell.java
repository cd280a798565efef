package io.rnnlab.model;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Keras GRUCell with its defaults (tanh, sigmoid recurrent activation, {@code reset_after=True}),
 * gates in Keras's column order z (update), r (reset), h (candidate):
 *
 * <pre>
 *   z = σ(x_z + h_z)   r = σ(x_r + h_r)   ĥ = tanh(x_h + r ⊙ q)   h' = z ⊙ h + (1 − z) ⊙ ĥ
 * </pre>
 *
 * where {@code [x_z x_r x_h] = x·kernel + bias[0]} is the step's projected input and {@code [h_z
 * h_r q] = h·recurrent_kernel + bias[1]} its recurrent product. Unlike SimpleRNN and LSTM, the
 * bias has two rows (input and recurrent, Keras's {@code (2, 3·units)}), because the reset gate
 * multiplies the recurrent product with its bias included; so the recurrent product's gradient
 * differs from the projected input's in the candidate block, and h reaches h' directly through z.
 * The state is h alone.
 */
public final class GruCell implements Cell {
  @Override
  public CellType type() {
    return CellType.GRU;
  }

  /** A step's activations: the gates z and r, the candidate's recurrent term q, ĥ, h − ĥ and h'. */
  record Gates<T extends TFloating>(Operand<T> z, Operand<T> r, Operand<T> q, Operand<T> candidate,
      Operand<T> hMinusCandidate, Operand<T> h) implements Step<T> {
    @Override
    public List<Operand<T>> state() {
      return List.of(h);
    }
  }

  @Override
  public <T extends TFloating> Step<T> forward(Ops tf, Operand<T> xProj, Operand<T> hProj, List<Operand<T>> state) {
    Split<T> x = tf.split(tf.constant(1), xProj, 3L);
    Split<T> r = tf.split(tf.constant(1), hProj, 3L);
    Operand<T> z = tf.math.sigmoid(tf.math.add(x.output().get(0), r.output().get(0)));
    Operand<T> reset = tf.math.sigmoid(tf.math.add(x.output().get(1), r.output().get(1)));
    Operand<T> q = r.output().get(2);
    Operand<T> candidate = tf.math.tanh(tf.math.add(x.output().get(2), tf.math.mul(reset, q)));
    // z⊙h + (1 − z)⊙ĥ written as ĥ + z⊙(h − ĥ): no constant 1, whose broadcast gradient TF would sum
    Operand<T> hMinusCandidate = tf.math.sub(state.get(0), candidate);
    Operand<T> h = tf.withName("h").math.add(candidate, tf.math.mul(z, hMinusCandidate));
    return new Gates<>(z, reset, q, candidate, hMinusCandidate, h);
  }

  /** Backpropagation through the step above (docs/KERAS-MODELS.md, GRU). */
  @Override
  public <T extends TFloating> StepGradient<T> backward(Ops tf, Step<T> step, List<Operand<T>> previousState,
      List<Operand<T>> dState) {
    Gates<T> s = (Gates<T>) step;
    Operand<T> g = dState.get(0);
    Operand<T> gz = tf.math.mul(g, s.z());
    Operand<T> dCandidate = tf.math.tanhGrad(s.candidate(), tf.math.sub(g, gz)); // g⊙(1 − z)⊙(1 − ĥ²)
    Operand<T> dz = tf.math.sigmoidGrad(s.z(), tf.math.mul(g, s.hMinusCandidate()));
    Operand<T> dr = tf.math.sigmoidGrad(s.r(), tf.math.mul(dCandidate, s.q()));
    Operand<T> dq = tf.math.mul(dCandidate, s.r());
    Operand<TInt32> axis = tf.constant(1);
    return new StepGradient<>(tf.concat(List.of(dz, dr, dCandidate), axis), tf.concat(List.of(dz, dr, dq), axis),
        List.of(gz));
  }

  @Override
  public String cudnnMode() {
    return "gru";
  }

  @Override
  public int[] biasShape(int units) {
    return new int[] {2, 3 * units};
  }

  @Override
  public <T extends TFloating> Operand<T> inputBias(Ops tf, Operand<T> bias) {
    return row(tf, bias, 0);
  }

  @Override
  public <T extends TFloating> Operand<T> recurrentBias(Ops tf, Operand<T> bias) {
    return row(tf, bias, 1);
  }

  @Override
  public <T extends TFloating> Operand<T> biasGradient(Ops tf, Operand<T> dInputBias, Operand<T> dRecurrentBias) {
    return tf.stack(List.of(dInputBias, dRecurrentBias));
  }

  /**
   * cuDNN's GRU is this reset_after cell with gates in the order r, z, h, its input biases the
   * bias's row 0 and its recurrent biases row 1, so Keras's blocks z and r swap places in all
   * four (as Keras's own cuDNN GRU does).
   */
  @Override
  public <T extends TFloating> Operand<T> cudnnParams(Ops tf, Operand<T> kernel, Operand<T> recurrentKernel,
      Operand<T> bias) {
    return tf.concat(List.of(
        Cell.flatTransposed(tf, rzh(tf, kernel, 1)),
        Cell.flatTransposed(tf, rzh(tf, recurrentKernel, 1)),
        rzh(tf, row(tf, bias, 0), 0),
        rzh(tf, row(tf, bias, 1), 0)), tf.constant(0));
  }

  /** Keras's z, r, h blocks along {@code axis} in cuDNN's order r, z, h. */
  private static <T extends TFloating> Operand<T> rzh(Ops tf, Operand<T> zrh, int axis) {
    Split<T> blocks = tf.split(tf.constant(axis), zrh, 3L);
    return tf.concat(List.of(blocks.output().get(1), blocks.output().get(0), blocks.output().get(2)),
        tf.constant(axis));
  }

  private static <T extends TFloating> Operand<T> row(Ops tf, Operand<T> bias, int row) {
    return tf.unstack(bias, 2L, Unstack.axis(0L)).output().get(row);
  }
}

package io.rnnlab.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's inverted dropout, driven by a stateless random op whose seed is fed each step
 * ([run seed, global step]). A stateful RNG op would restart its sequence after a resume; this
 * way the mask of step N is the same whether or not the run was interrupted before it.
 *
 * <p>{@code rate} is fed only by the training step; evaluation leaves it at its default 0, where
 * the mask is exactly 1 (the comparison {@code u >= 0} always holds), so no separate graph is needed.
 */
public final class Dropout<T extends TFloating> {
  private final Operand<T> rate;
  private final Operand<TInt64> seed;

  public Dropout(Operand<T> rate, Operand<TInt64> seed) {
    this.rate = rate;
    this.seed = seed;
  }

  /** @param site distinguishes dropout layers so equal shapes do not share a mask */
  public Operand<T> apply(Ops tf, Operand<T> x, int site) {
    Ops d = tf.withSubScope("dropout" + (site == 0 ? "" : "_" + site));
    Operand<TInt64> siteSeed = d.math.add(seed, d.constant(new long[] {0, 1_000_003L * (site + 1)}));
    Operand<T> u = d.random.statelessRandomUniform(d.shape(x), siteSeed, typeOf(x));
    Operand<T> keep = d.dtypes.cast(d.math.greaterEqual(u, rate), typeOf(x));
    Operand<T> one = d.dtypes.cast(d.constant(1f), typeOf(x));
    return d.math.mul(x, d.math.mul(keep, d.math.div(one, d.math.sub(one, rate))));
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Class<T> typeOf(Operand<T> x) {
    return (Class<T>) (x.type() == null ? TFloat32.class : x.type());
  }
}

package io.rnnlab.model;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Keras's inverted dropout, driven by a stateless random op whose seed is fed each step
 * ([run seed, global step]). A stateful RNG op would restart its sequence after a resume; this
 * way the mask of step N is the same whether or not the run was interrupted before it.
 *
 * <p>Each place that drops gets its own mask by its site number, and its own rate, a constant of
 * the graph. {@code training} is fed 1 only by the training step; evaluation leaves it at its
 * default 0, where every rate is 0 and the mask exactly 1 (the comparison {@code u >= 0} always
 * holds), so no separate graph is needed.
 *
 * <p>Sites: the Dropout after recurrent layer i is site i (the numbering runs have used since
 * there was one Dropout per layer, so their masks, and resumed runs, stay the same); the Dropout
 * after the input is {@link #INPUT_SITE}; the cells' own masks take {@link #cellSite}.
 */
public final class Dropout<T extends TFloating> {
  /** The site of the Dropout after the input (one-hot, Embedding or features): no layer's number. */
  public static final int INPUT_SITE = 1 << 10;

  private final Operand<T> training;
  private final Operand<TInt64> seed;

  /**
   * @param training 1 while training (masks drawn), 0 otherwise (identity)
   * @param seed [run seed, step]
   */
  public Dropout(Operand<T> training, Operand<TInt64> seed) {
    this.training = training;
    this.seed = seed;
  }

  /**
   * The site of a mask of recurrent layer {@code layer}'s own dropout: on its input ({@code
   * recurrent} false) or on h ({@code recurrent} true), for gate block {@code gate} (0 when one
   * mask serves all gates).
   */
  public static int cellSite(int layer, boolean recurrent, int gate) {
    return 2 * INPUT_SITE + 32 * layer + (recurrent ? 16 : 0) + gate;
  }

  /** {@code x} with a fresh mask of {@code rate} over all its elements (Keras's Dropout layer). */
  public Operand<T> apply(Ops tf, Operand<T> x, int site, double rate) {
    Ops d = scope(tf, site);
    return d.math.mul(x, draw(d, d.shape(x), site, rate, typeOf(x)));
  }

  /**
   * A mask of shape {@code shape}: each element {@code 1/(1 − rate)} with probability {@code 1 −
   * rate}, else 0, while training; all ones otherwise.
   */
  public Operand<T> mask(Ops tf, Operand<TInt32> shape, int site, double rate, Class<T> type) {
    return draw(scope(tf, site), shape, site, rate, type);
  }

  private Operand<T> draw(Ops d, Operand<TInt32> shape, int site, double rate, Class<T> type) {
    Operand<T> r = d.math.mul(d.dtypes.cast(d.constant(rate), type), training);
    Operand<TInt64> siteSeed = d.math.add(seed, d.constant(new long[] {0, 1_000_003L * (site + 1)}));
    Operand<T> u = d.random.statelessRandomUniform(shape, siteSeed, type);
    Operand<T> keep = d.dtypes.cast(d.math.greaterEqual(u, r), type);
    Operand<T> one = d.dtypes.cast(d.constant(1f), type);
    return d.math.mul(keep, d.math.div(one, d.math.sub(one, r)));
  }

  private static Ops scope(Ops tf, int site) {
    return tf.withSubScope("dropout" + (site == 0 ? "" : "_" + site));
  }

  @SuppressWarnings("unchecked")
  private static <T extends TFloating> Class<T> typeOf(Operand<T> x) {
    return (Class<T>) (x.type() == null ? TFloat32.class : x.type());
  }
}

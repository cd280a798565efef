package io.rnnlab.generate;

import io.rnnlab.UserInputException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws the next character from a model's probabilities exactly as the Keras tutorials do:
 * {@code q ← softmax(log(p + 1e-9) / T)}, then one draw from {@code q}. {@code T = 0} is greedy
 * (argmax, lowest id on ties, like {@code np.argmax}). With top-k only the k most probable ids
 * (lowest ids first among equals) keep their weight before the draw.
 *
 * <p>Randomness comes from a {@link SplittableRandom} seeded with the given seed; each draw
 * consumes exactly one {@code nextDouble()}, so a seed fixes the whole text. python-compat's
 * generate.py ports the generator and this rule, so the same seed draws the same text there.
 * Not thread-safe; one sampler per generated stream.
 */
public final class Sampler {
  /** Keeps {@code log(p)} finite for characters the model gives probability 0. */
  public static final double EPSILON = 1e-9;

  private final double temperature;
  private final int topK;
  private final SplittableRandom rng;
  private double[] weights = new double[0];

  /**
   * @param temperature finite and ≥ 0; 0 = greedy
   * @param topK 0 = all ids; otherwise ≥ 1 (values ≥ the vocabulary size change nothing)
   */
  public Sampler(double temperature, int topK, long seed) {
    checkTemperature(temperature);
    checkTopK(topK);
    this.temperature = temperature;
    this.topK = topK;
    this.rng = new SplittableRandom(seed);
  }

  public static void checkTemperature(double t) {
    if (!(t >= 0) || Double.isInfinite(t)) {
      throw new UserInputException("temperature must be a finite number >= 0 (0 = greedy), got " + t);
    }
  }

  public static void checkTopK(int k) {
    if (k < 0) {
      throw new UserInputException("top-k must be >= 1 (or 0 for no limit), got " + k);
    }
  }

  /** The id of the next character, drawn from {@code p} (one row of probabilities). */
  public int sample(float[] p) {
    if (temperature == 0) {
      return argmax(p);
    }
    double[] q = weights(p);
    double total = sum(q);
    if (!(total > 0) || Double.isInfinite(total)) {
      throw new IllegalStateException("the model's probabilities are not finite numbers: it has diverged");
    }
    double u = rng.nextDouble() * total;
    double cumulative = 0;
    int last = -1;
    for (int i = 0; i < q.length; i++) {
      if (q[i] > 0) {
        cumulative += q[i];
        last = i;
        if (u < cumulative) {
          return i;
        }
      }
    }
    return last; // u lands past the end only through rounding
  }

  /** The normalised distribution {@link #sample} draws from (for tests and inspection). */
  public double[] distribution(float[] p) {
    double[] q = temperature == 0 ? oneHot(argmax(p), p.length) : weights(p).clone();
    double total = sum(q);
    for (int i = 0; i < q.length; i++) {
      q[i] /= total;
    }
    return q;
  }

  /** Lowest index of the largest value, like {@code np.argmax}. */
  public static int argmax(float[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) {
      if (p[i] > p[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Unnormalised {@code exp((log(p + eps) - max) / T)}, zero outside the top k. Reuses a buffer. */
  private double[] weights(float[] p) {
    if (weights.length != p.length) {
      weights = new double[p.length];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < p.length; i++) {
      weights[i] = Math.log(p[i] + EPSILON);
      max = Math.max(max, weights[i]);
    }
    for (int i = 0; i < p.length; i++) {
      // (log p − max) / T: the same softmax as log p / T − max / T, kept in range for any T > 0
      // (dividing first overflows to −∞ − −∞ = NaN for a T as small as 1e-320).
      weights[i] = Math.exp((weights[i] - max) / temperature);
    }
    if (topK > 0 && topK < p.length) {
      keepTopK(p);
    }
    return weights;
  }

  private void keepTopK(float[] p) {
    float[] sorted = p.clone();
    Arrays.sort(sorted);
    float threshold = sorted[sorted.length - topK];
    int above = 0;
    for (float v : p) {
      if (v > threshold) {
        above++;
      }
    }
    int tiesLeft = topK - above; // ids equal to the threshold, taken lowest id first
    for (int i = 0; i < p.length; i++) {
      if (p[i] < threshold || (p[i] == threshold && tiesLeft-- <= 0)) {
        weights[i] = 0;
      }
    }
  }

  private static double sum(double[] q) {
    double s = 0;
    for (double v : q) {
      s += v;
    }
    return s;
  }

  private static double[] oneHot(int i, int n) {
    double[] q = new double[n];
    q[i] = 1;
    return q;
  }
}

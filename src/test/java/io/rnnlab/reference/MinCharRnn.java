package io.rnnlab.reference;

import io.rnnlab.UserInputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Karpathy's min-char-rnn training loop on top of {@link VanillaRnn}: one sequence at a time,
 * consecutive windows of {@code seqLength} chars with the hidden state carried between them, loss
 * summed over the window, gradients clipped element-wise, Adagrad, and an exponentially smoothed
 * loss. The only departures are the Keras weight layout (transposed relative to the tutorial's
 * {@code Wxh, Whh, Why}) and a sorted vocabulary, which Python's {@code set} order does not give.
 *
 * <p>Deterministic given {@link Config#seed()} and the sampling generators passed in.
 */
public final class MinCharRnn {

  /**
   * @param hiddenSize   the tutorial's {@code hidden_size} (100)
   * @param seqLength    chars per window, i.e. BPTT truncation length (25)
   * @param learningRate Adagrad step (0.1)
   * @param clip         gradients are clipped to {@code [-clip, clip]} (5)
   * @param seed         drives weight initialisation only
   */
  public record Config(int hiddenSize, int seqLength, double learningRate, double clip, long seed) {
    public Config {
      if (hiddenSize < 1 || seqLength < 1) {
        throw new IllegalArgumentException(
            "hiddenSize and seqLength must be positive, got " + hiddenSize + ", " + seqLength);
      }
      if (!(learningRate > 0) || !(clip > 0)) {
        throw new IllegalArgumentException(
            "learningRate and clip must be positive, got " + learningRate + ", " + clip);
      }
    }

    /** The tutorial's hyper-parameters. */
    public static Config defaults() {
      return new Config(100, 25, 0.1, 5.0, 42L);
    }

    public Config withHiddenSize(int hiddenSize) {
      return new Config(hiddenSize, seqLength, learningRate, clip, seed);
    }

    public Config withSeed(long seed) {
      return new Config(hiddenSize, seqLength, learningRate, clip, seed);
    }
  }

  /** Smoothing factor of the tutorial's running loss. */
  private static final double SMOOTHING = 0.999;
  /** Adagrad's guard against dividing by zero for weights whose gradients have all been zero. */
  private static final double ADAGRAD_EPSILON = 1e-8;
  /** The tutorial draws weight matrices from N(0, 0.01²) and starts biases at zero. */
  private static final double INIT_STDDEV = 0.01;

  private final Config config;
  private final int[] alphabet; // code points, ascending; the index is the char id
  private final Map<Integer, Integer> ids = new HashMap<>();
  private final int[] data;
  private final VanillaRnnWeights weights;
  private final VanillaRnnWeights adagradMemory;

  private double[] hprev;
  private int position;
  private int iteration;
  private double smoothLoss;

  public MinCharRnn(String text, Config config) {
    this.config = config;
    this.alphabet = text.codePoints().distinct().sorted().toArray();
    for (int i = 0; i < alphabet.length; i++) {
      ids.put(alphabet[i], i);
    }
    this.data = encode(text);
    if (data.length < config.seqLength() + 1) {
      throw new IllegalArgumentException("text has " + data.length + " chars; a window needs "
          + (config.seqLength() + 1) + " (seqLength inputs plus one target)");
    }
    int vocab = alphabet.length;
    int hidden = config.hiddenSize();
    SplittableRandom rng = new SplittableRandom(config.seed());
    this.weights = new VanillaRnnWeights(
        gaussian(rng, vocab, hidden),
        gaussian(rng, hidden, hidden),
        new double[hidden],
        gaussian(rng, hidden, vocab),
        new double[vocab]);
    this.adagradMemory = VanillaRnnWeights.zeros(vocab, hidden, vocab);
    this.hprev = new double[hidden];
    // The loss of a uniform guess over the window, so the curve starts where an untrained net is.
    this.smoothLoss = -Math.log(1.0 / vocab) * config.seqLength();
  }

  /**
   * One training iteration on the window at the cursor: forward, BPTT from {@link #hprev()}, clip,
   * Adagrad, advance. Returns the window's loss, summed over its {@code seqLength} steps.
   */
  public double step() {
    alignWindow();
    int seq = config.seqLength();
    int[][] inputs = {Arrays.copyOfRange(data, position, position + seq)};
    int[][] targets = {Arrays.copyOfRange(data, position + 1, position + seq + 1)};
    Gradients g = VanillaRnn.summedLossAndGradients(weights, inputs, targets, new double[][] {hprev});

    update(weights.kernel(), g.dKernel(), adagradMemory.kernel());
    update(weights.recurrentKernel(), g.dRecurrentKernel(), adagradMemory.recurrentKernel());
    update(weights.bias(), g.dBias(), adagradMemory.bias());
    update(weights.denseKernel(), g.dDenseKernel(), adagradMemory.denseKernel());
    update(weights.denseBias(), g.dDenseBias(), adagradMemory.denseBias());

    hprev = g.finalHidden()[0];
    smoothLoss = smoothLoss * SMOOTHING + g.loss() * (1 - SMOOTHING);
    position += seq;
    iteration++;
    return g.loss();
  }

  /**
   * Samples {@code n} char ids after feeding {@code seedId} from state {@code h}; {@code h} is not
   * modified. Each draw takes exactly one {@code nextDouble()} from {@code rng}, so a seeded
   * generator reproduces the text.
   */
  public int[] sample(double[] h, int seedId, int n, RandomGenerator rng) {
    if (h.length != config.hiddenSize()) {
      throw new IllegalArgumentException("h must have length " + config.hiddenSize());
    }
    if (seedId < 0 || seedId >= alphabet.length) {
      throw new IllegalArgumentException("seed id " + seedId + " outside [0, " + alphabet.length + ")");
    }
    int[] out = new int[n];
    double[] state = h;
    int x = seedId;
    for (int i = 0; i < n; i++) {
      state = VanillaRnn.step(weights, x, state);
      x = draw(VanillaRnn.softmax(VanillaRnn.logits(weights, state)), rng);
      out[i] = x;
    }
    return out;
  }

  /**
   * What the tutorial prints every hundred iterations: a sample from the current {@link #hprev()},
   * seeded with the first char of the window the next {@link #step()} will train on.
   */
  public String sampleAtCursor(int n, RandomGenerator rng) {
    alignWindow();
    return decode(sample(hprev, data[position], n, rng));
  }

  public int[] encode(String text) {
    return text.codePoints().map(cp -> {
      Integer id = ids.get(cp);
      if (id == null) {
        throw new IllegalArgumentException(
            "char " + new String(Character.toChars(cp)) + " is not in the training text");
      }
      return id;
    }).toArray();
  }

  public String decode(int[] charIds) {
    StringBuilder sb = new StringBuilder(charIds.length);
    for (int id : charIds) {
      sb.appendCodePoint(alphabet[id]);
    }
    return sb.toString();
  }

  public Config config() {
    return config;
  }

  /** The distinct chars of the text, ascending; a char's position is its id. */
  public String alphabet() {
    return new String(alphabet, 0, alphabet.length);
  }

  public int vocabSize() {
    return alphabet.length;
  }

  /** The live weights, updated in place by {@link #step()}. */
  public VanillaRnnWeights weights() {
    return weights;
  }

  /** Copy of the hidden state the next window starts from (unless the cursor wraps). */
  public double[] hprev() {
    return hprev.clone();
  }

  public double smoothLoss() {
    return smoothLoss;
  }

  public int iteration() {
    return iteration;
  }

  /** Index in the encoded text of the next window's first input char. */
  public int position() {
    return position;
  }

  /**
   * The tutorial's loop for a fixed number of iterations: every {@code every} iterations a 200-char
   * sample (before the update, as in the original) and the smoothed loss (after it).
   */
  public static MinCharRnn train(String text, Config config, int iterations, int every, PrintStream out) {
    if (iterations < 0 || every < 1) {
      throw new IllegalArgumentException(
          "iterations must be >= 0 and every >= 1, got " + iterations + ", " + every);
    }
    MinCharRnn rnn = new MinCharRnn(text, config);
    // Split off the init seed's stream so sampling never correlates with the weight draws.
    SplittableRandom sampler = new SplittableRandom(config.seed()).split();
    for (int n = 0; n < iterations; n++) {
      boolean report = n % every == 0;
      if (report) {
        out.printf("----%n %s %n----%n", rnn.sampleAtCursor(200, sampler));
      }
      rnn.step();
      if (report) {
        out.printf(Locale.ROOT, "iter %d, loss: %f%n", n, rnn.smoothLoss());
      }
    }
    return rnn;
  }

  /**
   * {@code MinCharRnn FILE [ITERATIONS=10000] [EVERY=100] [HIDDEN=100] [SEED=42]}. Bad arguments
   * throw {@link UserInputException}; like every package outside the CLI, this never calls
   * {@code System.exit}.
   */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 5) {
      throw new UserInputException(
          "usage: MinCharRnn FILE [ITERATIONS=10000] [EVERY=100] [HIDDEN=100] [SEED=42]");
    }
    Path file = Path.of(args[0]);
    int iterations = args.length > 1 ? parseInt(args[1], "ITERATIONS") : 10_000;
    int every = args.length > 2 ? parseInt(args[2], "EVERY") : 100;
    Config config = Config.defaults();
    if (args.length > 3) {
      config = config.withHiddenSize(parseInt(args[3], "HIDDEN"));
    }
    if (args.length > 4) {
      config = config.withSeed(parseLong(args[4], "SEED"));
    }
    if (iterations < 0 || every < 1 || config.hiddenSize() < 1) {
      throw new UserInputException(
          "ITERATIONS must be >= 0, EVERY and HIDDEN >= 1; got " + iterations + ", " + every + ", "
              + config.hiddenSize());
    }
    String text = readText(file);
    if (text.codePointCount(0, text.length()) < config.seqLength() + 1) {
      throw new UserInputException(
          file + " is too short: min-char-rnn needs at least " + (config.seqLength() + 1) + " chars");
    }
    train(text, config, iterations, every, System.out);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * The tutorial restarts at the beginning of the text, from a zero state, on the first iteration and
   * whenever the next window plus its target would reach the end. Idempotent, so sampling at the
   * cursor and then stepping sees the same window.
   */
  private void alignWindow() {
    if (position + config.seqLength() + 1 >= data.length || iteration == 0) {
      hprev = new double[config.hiddenSize()];
      position = 0;
    }
  }

  private void update(double[][] param, double[][] grad, double[][] memory) {
    for (int i = 0; i < param.length; i++) {
      update(param[i], grad[i], memory[i]);
    }
  }

  /**
   * Clips before Adagrad sees the gradient, as the tutorial does: one exploding window would
   * otherwise inflate the memory, and so shrink every later step, for good.
   */
  private void update(double[] param, double[] grad, double[] memory) {
    double c = config.clip();
    for (int j = 0; j < param.length; j++) {
      double g = Math.max(-c, Math.min(c, grad[j]));
      memory[j] += g * g;
      param[j] -= config.learningRate() * g / Math.sqrt(memory[j] + ADAGRAD_EPSILON);
    }
  }

  /** Inverse-CDF draw; falls back to the last id when rounding leaves the sum just below 1. */
  private static int draw(double[] p, RandomGenerator rng) {
    double u = rng.nextDouble();
    double cumulative = 0;
    for (int i = 0; i < p.length; i++) {
      cumulative += p[i];
      if (u < cumulative) {
        return i;
      }
    }
    return p.length - 1;
  }

  private static double[][] gaussian(SplittableRandom rng, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (double[] row : m) {
      for (int j = 0; j < cols; j++) {
        row[j] = rng.nextGaussian() * INIT_STDDEV;
      }
    }
    return m;
  }

  private static String readText(Path file) {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new UserInputException("no such file: " + file, e);
    } catch (CharacterCodingException e) {
      throw new UserInputException(file + " is not UTF-8 text", e);
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static int parseInt(String s, String name) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      throw new UserInputException(name + " must be an integer, got '" + s + "'", e);
    }
  }

  private static long parseLong(String s, String name) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new UserInputException(name + " must be an integer, got '" + s + "'", e);
    }
  }
}

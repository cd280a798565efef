package io.rnnlab.generate;

import io.rnnlab.UserInputException;

/**
 * How to sample.
 *
 * @param temperature finite, ≥ 0; 0 = greedy (see {@link Sampler})
 * @param topK 0 = no limit, else only the k most probable characters are drawn from
 * @param seed sample {@code i} (0-based) of a batch draws with {@code seed + i}, so sample i of
 *     {@code samples = M} is the text {@code samples = 1} gives with that seed
 * @param mode stateful (O(1) per character), window (the tutorials' sliding window) or auto
 * @param samples independent continuations of the same prompt, computed together: one model call
 *     per character for all of them
 * @param unknown what to do with prompt characters the vocabulary lacks
 */
public record GenerationOptions(
    double temperature, int topK, long seed, Mode mode, int samples, UnknownChars unknown) {

  /** More continuations than this in one batch is a typo; memory grows with it. */
  public static final int MAX_SAMPLES = 4096;

  public GenerationOptions {
    Sampler.checkTemperature(temperature);
    Sampler.checkTopK(topK);
    if (mode == null || unknown == null) {
      throw new IllegalArgumentException("mode and unknown must be set");
    }
    if (samples < 1 || samples > MAX_SAMPLES) {
      throw new UserInputException("samples must be in [1, " + MAX_SAMPLES + "], got " + samples);
    }
  }

  /** One sample, stateful when possible, unknown prompt characters rejected. */
  public static GenerationOptions of(double temperature, long seed) {
    return new GenerationOptions(temperature, 0, seed, Mode.AUTO, 1, UnknownChars.ERROR);
  }

  public GenerationOptions withMode(Mode m) {
    return new GenerationOptions(temperature, topK, seed, m, samples, unknown);
  }

  public GenerationOptions withSamples(int m) {
    return new GenerationOptions(temperature, topK, seed, mode, m, unknown);
  }

  public GenerationOptions withTopK(int k) {
    return new GenerationOptions(temperature, k, seed, mode, samples, unknown);
  }

  public GenerationOptions withSeed(long s) {
    return new GenerationOptions(temperature, topK, s, mode, samples, unknown);
  }

  public GenerationOptions withUnknown(UnknownChars u) {
    return new GenerationOptions(temperature, topK, seed, mode, samples, u);
  }

  /** The seed sample {@code row} draws with. */
  public long seedOf(int row) {
    return seed + row;
  }

  /** How the model is driven. */
  public enum Mode {
    /**
     * Zero state, the prompt one character at a time, then one step per new character. The state
     * runs past seq_len, which a window-trained model never saw: on Tiny Shakespeare its
     * predictions there match the window's (docs/BENCHMARKS.md), but a tiny model that memorised
     * a short text (the hello presets) loses its way; use WINDOW for those.
     */
    STATEFUL,
    /** The last seq_len characters through the whole network for every new character. */
    WINDOW,
    /**
     * STATEFUL when the model exports a step signature (and prefers it: {@link
     * CharModel#stepByDefault}), else WINDOW.
     */
    AUTO;

    public static Mode parse(String s) {
      return parseEnum(Mode.class, s, "mode", "stateful, window or auto");
    }
  }

  /** Prompt characters outside the vocabulary. */
  public enum UnknownChars {
    ERROR,
    /** Dropped before the model sees the prompt (the echoed prompt keeps them). */
    SKIP;

    public static UnknownChars parse(String s) {
      return parseEnum(UnknownChars.class, s, "unknown-character policy", "error or skip");
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String s, String what, String expected) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s)) {
        return e;
      }
    }
    throw new UserInputException(what + " must be " + expected + ", got '" + s + "'");
  }
}

package io.rnnlab.train;

import io.rnnlab.data.SplitMode;

/**
 * A {@link Preset}'s data: the corpus it is built for and how it is cut into examples. The
 * corpus a run actually reads may be another ({@link io.rnnlab.data.CorpusSource}); the window
 * length is the model's ({@link Architecture#seqLen}).
 *
 * @param corpus "hello" (the built-in sentence), "tiny-shakespeare" (downloaded, or
 *     {@code $RNNLAB_DATA}), "sum" (the generated sequence-sum toy)
 * @param step window stride
 * @param samples the sum task's number of sequences
 */
public record DataConfig(String corpus, int step, double validationFraction, SplitMode split, int samples) {

  /** {@code corpus} in windows at every character, the last 10 % held out. */
  public static DataConfig of(String corpus) {
    return new DataConfig(corpus, 1, 0.1, SplitMode.CONTIGUOUS, 0);
  }

  public DataConfig withStep(int n) {
    return new DataConfig(corpus, n, validationFraction, split, samples);
  }

  public DataConfig withValidationFraction(double f) {
    return new DataConfig(corpus, step, f, split, samples);
  }

  public DataConfig withSplit(SplitMode s) {
    return new DataConfig(corpus, step, validationFraction, s, samples);
  }

  public DataConfig withSamples(int n) {
    return new DataConfig(corpus, step, validationFraction, split, n);
  }
}

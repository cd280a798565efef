package io.rnnlab.train;

/**
 * One row of a run's history. {@code partial} marks an epoch cut short by {@code --max-steps};
 * accuracy values are NaN for regression and validation values NaN without a validation split.
 */
public record EpochResult(
    int epoch,
    double loss,
    double accuracy,
    double valLoss,
    double valAccuracy,
    long steps,
    double wallSeconds,
    double charsPerSecond,
    boolean partial) {

  public double perplexity() {
    return Math.exp(loss);
  }

  public double valPerplexity() {
    return Math.exp(valLoss);
  }
}

package io.rnnlab.generate;

import io.rnnlab.data.Vocabulary;

/**
 * Anything text can be sampled from: an rnnlab SavedModel or run directory, or a SavedModel
 * trained in Python. Window prediction is always there; the one-step stateful path only where
 * the model exports it (rnnlab's {@code step} signature). Owns native resources: close it.
 */
public interface CharModel extends AutoCloseable {
  Vocabulary vocabulary();

  /** The window length the model takes, or -1 if its serving signature accepts any length. */
  int seqLen();

  /** Probabilities of the next character after each row of ids: [rows][seqLen] → [rows][vocab]. */
  float[][] predictWindow(int[][] windows);

  boolean hasStep();

  /**
   * Whether generation's {@code auto} mode uses {@link #step}: the default where the model has
   * it. A model built for a fixed window may prefer the window, which is what it computes.
   */
  default boolean stepByDefault() {
    return hasStep();
  }

  /** Width of the flat per-row state of {@link #step}; 0 without a step signature. */
  int stateSize();

  /**
   * One character per row: consumes {@code ids[r]} with {@code state[r]} (updated in place) and
   * returns the next-character probabilities [rows][vocab].
   */
  float[][] step(int[] ids, float[][] state);

  /** A short human description ("rnnlab lstm(256) one-hot seq 100", "Keras SavedModel ..."). */
  String describe();

  @Override
  void close();
}

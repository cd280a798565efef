package io.rnnlab.reference;

/** Which time steps the softmax head and the cross-entropy see; both average the way Keras does. */
public enum LossMode {
  /**
   * Keras {@code return_sequences=False}: the Dense head reads only the last hidden state, and the
   * loss is the mean over the batch of {@code -log p_{T-1}[target]}.
   */
  LAST,
  /**
   * Keras {@code return_sequences=True} with Dense on every step: the loss is the mean over batch
   * and time of {@code -log p_t[target_t]} (Keras's sum-over-batch-size reduction counts every
   * (sample, step) pair as one element).
   */
  ALL
}

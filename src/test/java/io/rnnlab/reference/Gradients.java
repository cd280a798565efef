package io.rnnlab.reference;

/**
 * Loss and its gradients with respect to every weight of {@link VanillaRnnWeights}, each array
 * shaped like the weight it belongs to (Keras layout), plus the hidden state after the last step.
 *
 * @param loss             reduced as the {@link LossMode} says (min-char-rnn: summed over time)
 * @param finalHidden      [batch][units], {@code h_{T-1}} per sequence; min-char-rnn feeds it back
 *                         as the next window's initial state
 */
public record Gradients(
    double loss,
    double[][] dKernel,
    double[][] dRecurrentKernel,
    double[] dBias,
    double[][] dDenseKernel,
    double[] dDenseBias,
    double[][] finalHidden) {

  @Override
  public String toString() {
    return "Gradients[loss=" + loss + ", inputDim=" + dKernel.length + ", units=" + dBias.length
        + ", vocab=" + dDenseBias.length + ", batch=" + finalHidden.length + "]";
  }
}

package io.rnnlab.model;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A recurrent layer run over a whole time-major sequence inside a graph, and the start of its
 * backward pass. Two ways exist: the static unroll of the layer's {@link Cell} ({@link
 * RecurrentLayer.Unrolled}, backpropagated by {@link Bptt}; every device) and one fused cuDNN
 * kernel ({@link CudnnRun}; GPUs). Both take the same Keras-layout weights, so what a run trains
 * is the same model whichever way it ran.
 */
public interface SequenceRun<T extends TFloating> {
  RecurrentLayer<T> layer();

  /** h_t of every step and row, time-major [seq, batch, units]. */
  Operand<T> sequence(Ops tf);

  /** h of the last step, [batch, units]. */
  Operand<T> last(Ops tf);

  /**
   * The layer's backward pass from the gradient the layers above send to its output.
   *
   * @param dAbove dL/d of what the layer handed up: [seq, batch, units] when it handed up its
   *     whole sequence, [batch, units] when only its last step
   */
  LayerGradient<T> backward(Ops tf, Operand<T> dAbove, boolean wholeSequence);

  /**
   * What a layer's backward pass gives: the gradients of some of its weights, by variable name,
   * and tensors with their gradients from which TF's symbolic gradients continue, to the layer's
   * other weights and to its input (the layer below, the embedding).
   */
  record LayerGradient<T extends TFloating>(Map<String, Operand<T>> weights, List<Operand<T>> ys,
      List<Operand<T>> dys) {}
}

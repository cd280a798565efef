package io.rnnlab.model;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.nn.CudnnRNN;
import org.tensorflow.op.nn.CudnnRNNBackprop;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * A recurrent layer run over the whole sequence as one cuDNN kernel ({@code CudnnRNNV3}), with
 * cuDNN's own backward kernel ({@code CudnnRNNBackpropV3}) for training: what Keras does on a GPU,
 * and what PyTorch's {@code nn.LSTM} does. The unrolled graph launches several small kernels per
 * time step; cuDNN runs the recurrence in one, which is what makes a GPU worth having for these
 * small matrices (docs/BENCHMARKS.md, "GPU").
 *
 * <p>The weights stay the Keras-layout variables: each step builds cuDNN's flat parameter buffer
 * from them ({@link Cell#cudnnParams}) and TF's gradients carry cuDNN's parameter gradient back
 * through that conversion, so checkpoints, SavedModels and {@code .keras} files are the same
 * whichever device trained them. Only training graphs use this: cuDNN has no CPU kernel, and
 * exported graphs must run anywhere.
 */
public record CudnnRun<T extends TFloating>(RecurrentLayer<T> layer, Operand<T> input, Operand<T> params,
    Operand<TInt32> lengths, Operand<T> inputH, Operand<T> inputC, CudnnRNN<T> forward) implements SequenceRun<T> {

  /**
   * @param x time-major input [seq, batch, in]
   * @param initialState [h] or [h, c], each [batch, units]
   */
  public static <T extends TFloating> CudnnRun<T> run(Ops tf, RecurrentLayer<T> layer, Operand<T> x,
      List<Operand<T>> initialState) {
    Cell cell = layer.cell();
    Operand<T> params = cell.cudnnParams(tf.withSubScope("cudnn_params"), layer.kernel(), layer.recurrentKernel(),
        layer.bias());
    Operand<TInt32> shape = tf.shape(x);
    Operand<TInt32> seq = tf.gather(shape, tf.constant(0), tf.constant(0));
    Operand<TInt32> batch = tf.gather(shape, tf.constant(1), tf.constant(0));
    // V3 wants every row's length; all rows run the whole window.
    Operand<TInt32> lengths = tf.fill(tf.stack(List.of(batch)), seq);
    Operand<TInt32> axis0 = tf.constant(0);
    Operand<T> h0 = tf.expandDims(initialState.get(0), axis0);
    // cuDNN reads input_c only for LSTM; Keras passes a scalar 0 for the other cells.
    Operand<T> c0 = initialState.size() > 1
        ? tf.expandDims(initialState.get(1), axis0)
        : tf.dtypes.cast(tf.constant(0f), x.type());
    CudnnRNN<T> op = tf.nn.cudnnRNN(x, h0, c0, params, lengths, CudnnRNN.rnnMode(cell.cudnnMode()),
        CudnnRNN.inputMode("linear_input"), CudnnRNN.direction("unidirectional"), CudnnRNN.dropout(0f),
        CudnnRNN.seed(0L), CudnnRNN.seed2(0L), CudnnRNN.numProj(0L), CudnnRNN.isTraining(true),
        CudnnRNN.timeMajor(true));
    return new CudnnRun<>(layer, x, params, lengths, h0, c0, op);
  }

  @Override
  public Operand<T> sequence(Ops tf) {
    return forward.output();
  }

  @Override
  public Operand<T> last(Ops tf) {
    return tf.squeeze(forward.outputH(), org.tensorflow.op.core.Squeeze.axis(List.of(0L)));
  }

  /**
   * cuDNN's backward kernel from dL/d output (the whole sequence, or the last step's h as the
   * gradient of {@code output_h}); TF's gradients continue from the parameter buffer to the
   * Keras-layout weights, and from the input to the layer below.
   */
  @Override
  public LayerGradient<T> backward(Ops tf, Operand<T> dAbove, boolean wholeSequence) {
    Operand<T> dOutput = wholeSequence ? dAbove : tf.zerosLike(forward.output());
    Operand<T> dOutputH = wholeSequence ? tf.zerosLike(forward.outputH()) : tf.expandDims(dAbove, tf.constant(0));
    CudnnRNNBackprop<T> bp = tf.nn.cudnnRNNBackprop(input, inputH, inputC, params, lengths, forward.output(),
        forward.outputH(), forward.outputC(), dOutput, dOutputH, tf.zerosLike(forward.outputC()),
        forward.reserveSpace(), forward.hostReserved(), CudnnRNNBackprop.rnnMode(layer.cell().cudnnMode()),
        CudnnRNNBackprop.inputMode("linear_input"), CudnnRNNBackprop.direction("unidirectional"),
        CudnnRNNBackprop.dropout(0f), CudnnRNNBackprop.seed(0L), CudnnRNNBackprop.seed2(0L),
        CudnnRNNBackprop.numProj(0L), CudnnRNNBackprop.timeMajor(true));
    return new LayerGradient<>(Map.of(), List.of(params, input), List.of(bp.paramsBackprop(), bp.inputBackprop()));
  }
}

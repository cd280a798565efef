package io.rnnlab.train;

import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * Keras's loss and accuracy for a model's output, in any float dtype (float64 for gradient
 * checks). Categorical cross-entropy from integer labels is {@code −Σ onehot · log_softmax(logits)}:
 * TF's sparse cross-entropy op has no graph-mode gradient, and the C++ gradient of the dense
 * {@code SoftmaxCrossEntropyWithLogits} only builds for float32, which would leave the float64
 * gradient checks testing a different loss than the one training uses.
 */
public record Objective<T extends TFloating>(Operand<T> loss, Operand<T> accuracy) {

  /**
   * @param output logits from {@link io.rnnlab.model.Network#forward} (time-major rows for loss on
   *     all steps) or regression predictions [b, 1]
   * @param targets int32 labels [b] or [b, seq] (char models), float [b, 1] (regression)
   */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> Objective<T> build(Ops tf, ModelSpec spec, Operand<T> output,
      Operand<? extends TType> targets, Class<T> type) {
    Ops m = tf.withSubScope("metrics");
    if (!spec.isCharModel()) {
      Operand<T> y = (Operand<T>) targets;
      Operand<T> mse = m.withName("loss").math.mean(m.math.square(m.math.sub(output, y)), m.constant(new int[] {0, 1}));
      return new Objective<>(mse, null);
    }
    Operand<TInt32> labels = (Operand<TInt32>) targets;
    if (spec.lossOn() == LossOn.ALL) {
      // The network emits rows time-major ([seq·batch]); order the labels the same way.
      labels = m.reshape(m.linalg.transpose(labels, m.constant(new int[] {1, 0})), m.constant(new int[] {-1}));
    }
    Operand<T> one = m.dtypes.cast(m.constant(1f), type);
    Operand<T> zero = m.dtypes.cast(m.constant(0f), type);
    Operand<T> oneHot = m.oneHot(labels, m.constant(spec.vocabSize()), one, zero);
    Operand<T> perRow = m.math.neg(m.reduceSum(m.math.mul(oneHot, m.nn.logSoftmax(output)), m.constant(1)));
    Operand<T> loss = m.withName("loss").math.mean(perRow, m.constant(0));
    Operand<TInt32> predicted = m.math.argMax(output, m.constant(1), TInt32.class);
    Operand<T> accuracy = m.withName("accuracy").math.mean(
        m.dtypes.cast(m.math.equal(predicted, labels), type), m.constant(0));
    return new Objective<>(loss, accuracy);
  }
}

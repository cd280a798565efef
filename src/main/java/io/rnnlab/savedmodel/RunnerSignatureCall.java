package io.rnnlab.savedmodel;

import io.rnnlab.model.Tensors;
import java.util.Arrays;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** {@link SignatureCall} through TF Java's public {@code Session.runner()}: the portable path. */
final class RunnerSignatureCall implements SignatureCall {
  private final Session session;
  private final Output<?>[] inputs;
  private final Output<?>[] outputs;
  private final Tensor[] feeds;

  RunnerSignatureCall(Session session, Output<?>[] inputs, Output<?>[] outputs) {
    this.session = session;
    this.inputs = inputs;
    this.outputs = outputs;
    this.feeds = new Tensor[inputs.length];
  }

  @Override
  public void feedInts(int index, int[] data, long... shape) {
    if (!(feeds[index] instanceof TInt32) || !Arrays.equals(feeds[index].shape().asArray(), shape)) {
      replace(index, TInt32.tensorOf(Shape.of(shape)));
    }
    ((TInt32) feeds[index]).copyFrom(DataBuffers.of(data, true, false));
  }

  @Override
  public void feedFloats(int index, float[] data, long... shape) {
    if (!(feeds[index] instanceof TFloat32) || !Arrays.equals(feeds[index].shape().asArray(), shape)) {
      replace(index, TFloat32.tensorOf(Shape.of(shape)));
    }
    ((TFloat32) feeds[index]).copyFrom(DataBuffers.of(data, true, false));
  }

  private void replace(int index, Tensor t) {
    if (feeds[index] != null) {
      feeds[index].close();
    }
    feeds[index] = t;
  }

  @Override
  public float[][] run() {
    Session.Runner runner = session.runner().setOptions(CALLER_THREAD);
    for (int i = 0; i < inputs.length; i++) {
      runner.feed(inputs[i], feeds[i]);
    }
    for (Output<?> o : outputs) {
      runner.fetch(o);
    }
    try (Result r = runner.run()) {
      float[][] out = new float[outputs.length][];
      for (int i = 0; i < out.length; i++) {
        out[i] = Tensors.floats(r.get(i));
      }
      return out;
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < feeds.length; i++) {
      replace(i, null);
    }
  }
}

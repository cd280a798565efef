package io.rnnlab.savedmodel;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_AllocateTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteTensor;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_FLOAT;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetCode;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_INT32;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_Message;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewBufferFromString;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewStatus;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_OK;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionRun;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorByteSize;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorData;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_TensorType;

import java.lang.reflect.Field;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Output;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.TF_Tensor;

/**
 * {@link SignatureCall} straight through TF's C API ({@code TF_SessionRun}) on the session TF Java
 * loaded. TF Java's runner allocates a JavaCPP scope, output arrays, a status and tensor wrappers
 * with deallocators on every call; here all of that exists once, and input tensors are native
 * buffers written in place. Same graph, same kernels, same numbers.
 *
 * <p>TF Java keeps the session's native handle private, so it is read by reflection; when that
 * fails (another TF Java version) {@link #tryOpen} returns null and the caller uses the runner.
 * Owns its input tensors and status; the session stays the bundle's, so close this first.
 */
final class NativeSignatureCall implements SignatureCall {
  private final TF_Session session;
  private final TF_Output inputs;
  private final TF_Output outputs;
  private final int inputCount;
  private final int outputCount;
  private final TF_Tensor[] feeds;
  private final long[][] feedShapes;
  private final int[] feedTypes;
  private final PointerPointer<TF_Tensor> inputValues;
  private final PointerPointer<TF_Tensor> outputValues;
  private final TF_Status status = TF_NewStatus();
  private final TF_Buffer runOptions = nativeBuffer(CALLER_THREAD.toByteArray());
  private boolean closed;

  private NativeSignatureCall(TF_Session session, Output<?>[] in, Output<?>[] out) {
    this.session = session;
    this.inputCount = in.length;
    this.outputCount = out.length;
    this.inputs = outputsOf(in);
    this.outputs = outputsOf(out);
    this.feeds = new TF_Tensor[in.length];
    this.feedShapes = new long[in.length][];
    this.feedTypes = new int[in.length];
    this.inputValues = new PointerPointer<>(in.length);
    this.outputValues = new PointerPointer<>(out.length);
  }

  /** Null when the session's native handle cannot be reached. */
  static NativeSignatureCall tryOpen(Session session, Output<?>[] in, Output<?>[] out) {
    TF_Session handle;
    try {
      Field f = Session.class.getDeclaredField("nativeHandle");
      f.setAccessible(true);
      handle = (TF_Session) f.get(session);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
    if (handle == null || handle.isNull()) {
      return null;
    }
    for (Output<?>[] side : new Output<?>[][] {in, out}) {
      for (Output<?> o : side) {
        if (!(o.op() instanceof GraphOperation)) {
          return null;
        }
      }
    }
    return new NativeSignatureCall(handle, in, out);
  }

  private static TF_Buffer nativeBuffer(byte[] bytes) {
    try (BytePointer p = new BytePointer(bytes)) {
      return TF_NewBufferFromString(p, bytes.length); // copies the bytes
    }
  }

  private static TF_Output outputsOf(Output<?>[] ops) {
    TF_Output array = new TF_Output(ops.length);
    for (int i = 0; i < ops.length; i++) {
      array.position(i).oper(((GraphOperation) ops[i].op()).getUnsafeNativeHandle()).index(ops[i].index());
    }
    return array.position(0);
  }

  @Override
  public void feedInts(int index, int[] data, long... shape) {
    new IntPointer(buffer(index, TF_INT32, data.length, shape)).put(data);
  }

  @Override
  public void feedFloats(int index, float[] data, long... shape) {
    new FloatPointer(buffer(index, TF_FLOAT, data.length, shape)).put(data);
  }

  /**
   * The data of input {@code index} (4-byte values), reallocated only when its type or shape
   * changes. Native memory: a length that disagrees with the shape would write past the end.
   */
  private Pointer buffer(int index, int type, int length, long[] shape) {
    checkOpen();
    long count = 1;
    for (long d : shape) {
      count *= d;
    }
    if (count != length) {
      throw new IllegalArgumentException(length + " values for shape " + Arrays.toString(shape));
    }
    if (feeds[index] == null || feedTypes[index] != type || !Arrays.equals(feedShapes[index], shape)) {
      if (feeds[index] != null) {
        TF_DeleteTensor(feeds[index]);
      }
      feeds[index] = TF_AllocateTensor(type, shape.clone(), shape.length, 4 * count);
      feedShapes[index] = shape.clone();
      feedTypes[index] = type;
      inputValues.put(index, feeds[index]);
    }
    return TF_TensorData(feeds[index]);
  }

  @Override
  public float[][] run() {
    checkOpen();
    for (int i = 0; i < feeds.length; i++) {
      if (feeds[i] == null) {
        throw new IllegalStateException("input " + i + " was never fed");
      }
    }
    TF_SessionRun(session, runOptions, inputs, inputValues, inputCount, outputs, outputValues, outputCount,
        (PointerPointer<?>) null, 0, null, status);
    if (TF_GetCode(status) != TF_OK) {
      throw new IllegalStateException("TensorFlow: " + TF_Message(status).getString());
    }
    float[][] out = new float[outputCount][];
    try {
      for (int i = 0; i < outputCount; i++) {
        TF_Tensor t = new TF_Tensor(outputValues.get(i));
        if (TF_TensorType(t) != TF_FLOAT) {
          throw new IllegalStateException("output " + i + " is not float32 (TF type " + TF_TensorType(t) + ")");
        }
        out[i] = new float[Math.toIntExact(TF_TensorByteSize(t) / Float.BYTES)];
        new FloatPointer(TF_TensorData(t)).get(out[i]);
      }
    } finally {
      for (int i = 0; i < outputCount; i++) {
        TF_DeleteTensor(new TF_Tensor(outputValues.get(i))); // outputs of TF_SessionRun are the caller's
        outputValues.put(i, null);
      }
    }
    return out;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("signature call used after close");
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = 0; i < feeds.length; i++) {
      if (feeds[i] != null) {
        TF_DeleteTensor(feeds[i]);
        feeds[i] = null;
      }
    }
    TF_DeleteStatus(status);
    TF_DeleteBuffer(runOptions);
    inputs.close();
    outputs.close();
    inputValues.close();
    outputValues.close();
  }
}

package io.rnnlab.model;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/** Copies between TF tensors and Java arrays. The caller owns (and closes) every tensor made here. */
public final class Tensors {
  private Tensors() {}

  public static HostTensor toHost(Tensor t) {
    long[] dims = t.shape().asArray();
    int[] shape = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = Math.toIntExact(dims[i]);
    }
    return new HostTensor(shape, floats(t));
  }

  public static float[] floats(Tensor t) {
    float[] out = new float[Math.toIntExact(t.shape().size())];
    if (t instanceof TFloat32 f) {
      f.copyTo(DataBuffers.of(out, false, false));
    } else if (t instanceof TFloat64 d) {
      double[] tmp = new double[out.length];
      d.copyTo(DataBuffers.of(tmp, false, false));
      for (int i = 0; i < out.length; i++) {
        out[i] = (float) tmp[i];
      }
    } else {
      throw new IllegalArgumentException("expected a float tensor, got " + t.dataType());
    }
    return out;
  }

  public static double[] doubles(Tensor t) {
    double[] out = new double[Math.toIntExact(t.shape().size())];
    if (t instanceof TFloat64 d) {
      d.copyTo(DataBuffers.of(out, false, false));
    } else {
      float[] f = floats(t);
      for (int i = 0; i < out.length; i++) {
        out[i] = f[i];
      }
    }
    return out;
  }

  public static float scalar(Tensor t) {
    return floats(t)[0];
  }

  public static TFloat32 of(HostTensor h) {
    return TFloat32.tensorOf(Shape.of(h.longShape()), DataBuffers.of(h.data(), true, false));
  }

  public static TFloat32 floats(float[] data, long... shape) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
  }

  public static TInt32 ints(int[] data, long... shape) {
    return TInt32.tensorOf(Shape.of(shape), DataBuffers.of(data, true, false));
  }
}

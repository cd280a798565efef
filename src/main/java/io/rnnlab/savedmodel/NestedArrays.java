package io.rnnlab.savedmodel;

import java.util.ArrayList;
import java.util.List;

/** Flat row-major arrays ↔ nested lists, the shape JSON and Python's {@code tolist()} use. */
final class NestedArrays {
  private NestedArrays() {}

  static Object nest(float[] flat, long[] shape) {
    return nest(flat, shape, 0, 0);
  }

  private static Object nest(float[] flat, long[] shape, int dim, int offset) {
    if (dim == shape.length) {
      return flat[offset];
    }
    int stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= (int) shape[d];
    }
    List<Object> out = new ArrayList<>((int) shape[dim]);
    for (int i = 0; i < shape[dim]; i++) {
      out.add(nest(flat, shape, dim + 1, offset + i * stride));
    }
    return out;
  }

  static Object nest(int[] flat, long[] shape) {
    float[] f = new float[flat.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = flat[i];
    }
    Object nested = nest(f, shape);
    return toInts(nested);
  }

  private static Object toInts(Object o) {
    if (o instanceof Float f) {
      return (int) f.floatValue();
    }
    List<Object> out = new ArrayList<>();
    for (Object e : (List<?>) o) {
      out.add(toInts(e));
    }
    return out;
  }
}

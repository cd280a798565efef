package io.rnnlab.savedmodel;

import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Tensors;
import org.tensorflow.Tensor;

/**
 * Deterministic probe inputs for {@code reference_io.json}: two different id sequences (as ids
 * or one-hot), regression features in [0, 1), and a non-zero state so the step signature's state
 * path is exercised too.
 */
record ReferenceInputs(ModelSpec spec, int[] ids, float[] features) {

  static ReferenceInputs of(ModelSpec spec) {
    int seq = spec.seqLen();
    if (!spec.isCharModel()) {
      float[] f = new float[2 * seq * spec.inputFeatures()];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) ((i * 0.37) % 1.0);
      }
      return new ReferenceInputs(spec, null, f);
    }
    int v = spec.vocabSize();
    int[] ids = new int[2 * seq];
    for (int t = 0; t < seq; t++) {
      ids[t] = (t * 7 + 3) % v;
      ids[seq + t] = (t * 5 + 1) % v;
    }
    return new ReferenceInputs(spec, ids, null);
  }

  Tensor servingInput() {
    int seq = spec.seqLen();
    if (!spec.isCharModel()) {
      return Tensors.floats(features, 2, seq, spec.inputFeatures());
    }
    if (spec.embeddingDim() > 0) {
      return Tensors.ints(ids, 2, seq);
    }
    return Tensors.floats(oneHot(), 2, seq, spec.vocabSize());
  }

  Object servingInputNested() {
    int seq = spec.seqLen();
    if (!spec.isCharModel()) {
      return NestedArrays.nest(features, new long[] {2, seq, spec.inputFeatures()});
    }
    if (spec.embeddingDim() > 0) {
      return NestedArrays.nest(ids, new long[] {2, seq});
    }
    return NestedArrays.nest(oneHot(), new long[] {2, seq, spec.vocabSize()});
  }

  private float[] oneHot() {
    int v = spec.vocabSize();
    float[] x = new float[ids.length * v];
    for (int i = 0; i < ids.length; i++) {
      x[i * v + ids[i]] = 1f;
    }
    return x;
  }

  int[] stepIds() {
    return new int[] {ids[0], ids[spec.seqLen()]};
  }

  float[] stepState() {
    float[] s = new float[2 * spec.stateSize()];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (0.1 * Math.sin(i + 1));
    }
    return s;
  }
}

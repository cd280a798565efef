package io.rnnlab.savedmodel;

import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * SavedModels with the signature forms Python exports produce but {@code saved_models/} does not
 * cover (free window length, int64 or float32 ids, logits, whole-sequence outputs, other keys),
 * built here with TF Java so the tests need no Python. The "model" is transparent: logits =
 * (sum over time of one_hot(ids)) · W, so {@link #expected} knows every answer; with {@code
 * sequences} it returns the running sum at every step, whose last step is the same.
 */
final class TinySavedModels {
  enum Input { ONE_HOT, INT32_IDS, INT64_IDS, FLOAT32_IDS }

  record Spec(Input input, int seqLen, int vocab, boolean logits, boolean sequences, String key) {
    static Spec of(Input input, int seqLen, int vocab) {
      return new Spec(input, seqLen, vocab, false, false, "serving_default");
    }

    Spec withLogits() {
      return new Spec(input, seqLen, vocab, true, sequences, key);
    }

    Spec withSequences() {
      return new Spec(input, seqLen, vocab, logits, true, key);
    }

    Spec withKey(String k) {
      return new Spec(input, seqLen, vocab, logits, sequences, k);
    }
  }

  private TinySavedModels() {}

  static float[][] weights(int vocab) {
    float[][] w = new float[vocab][vocab];
    for (int i = 0; i < vocab; i++) {
      for (int j = 0; j < vocab; j++) {
        w[i][j] = (float) (1.5 * Math.sin(i * 7 + j * 3 + 1));
      }
    }
    return w;
  }

  /** softmax(sum_t W[window[t]]) in double precision. */
  static double[] expected(int[] window, int vocab) {
    float[][] w = weights(vocab);
    double[] z = new double[vocab];
    for (int id : window) {
      for (int j = 0; j < vocab; j++) {
        z[j] += w[id][j];
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double v : z) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (int j = 0; j < vocab; j++) {
      z[j] = Math.exp(z[j] - max);
      sum += z[j];
    }
    for (int j = 0; j < vocab; j++) {
      z[j] /= sum;
    }
    return z;
  }

  static Path write(Path dir, Spec spec) {
    return write(dir, spec, spec.key());
  }

  /** Writes the model under {@code dir} with its signature exported under each of {@code keys}. */
  static Path write(Path dir, Spec spec, String... keys) {
    int v = spec.vocab();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<? extends TType> in;
      Operand<TFloat32> x;
      switch (spec.input()) {
        case ONE_HOT -> {
          Placeholder<TFloat32> p = tf.withName("chars").placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(-1, spec.seqLen(), v)));
          in = p;
          x = p;
        }
        case INT32_IDS -> {
          Placeholder<TInt32> p = tf.withName("ids").placeholder(TInt32.class,
              Placeholder.shape(Shape.of(-1, spec.seqLen())));
          in = p;
          x = tf.oneHot(p, tf.constant(v), tf.constant(1f), tf.constant(0f));
        }
        case INT64_IDS -> {
          Placeholder<TInt64> p = tf.withName("ids").placeholder(TInt64.class,
              Placeholder.shape(Shape.of(-1, spec.seqLen())));
          in = p;
          x = tf.oneHot(p, tf.constant(v), tf.constant(1f), tf.constant(0f));
        }
        default -> {
          Placeholder<TFloat32> p = tf.withName("ids").placeholder(TFloat32.class,
              Placeholder.shape(Shape.of(-1, spec.seqLen())));
          in = p;
          x = tf.oneHot(tf.dtypes.cast(p, TInt32.class), tf.constant(v), tf.constant(1f), tf.constant(0f));
        }
      }
      Operand<TFloat32> w = tf.withName("w").variable(tf.constant(weights(v)));
      Operand<TFloat32> out;
      if (spec.sequences()) {
        Operand<TFloat32> running = tf.math.cumsum(x, tf.constant(1));
        Operand<TFloat32> flat = tf.linalg.matMul(tf.reshape(running, tf.constant(new int[] {-1, v})), w);
        out = tf.reshape(flat, tf.shape(running));
      } else {
        out = tf.linalg.matMul(tf.sum(x, tf.constant(1)), w);
      }
      if (!spec.logits()) {
        out = tf.nn.softmax(out);
      }
      out = tf.withName("y").identity(out);
      try (Session s = new Session(g)) {
        s.initialize();
        var exporter = SavedModelBundle.exporter(dir.toString()).withSession(s);
        for (String key : keys) {
          exporter.withSignature(Signature.builder().key(key).input("x", in).output("y", out).build());
        }
        exporter.export();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return dir;
  }
}

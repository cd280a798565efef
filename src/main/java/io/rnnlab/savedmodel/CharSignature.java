package io.rnnlab.savedmodel;

import io.rnnlab.UserInputException;
import io.rnnlab.model.Tensors;
import io.rnnlab.savedmodel.SavedModelInspector.SignatureInfo;
import io.rnnlab.savedmodel.SavedModelInspector.TensorInfo;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TInt64;

/**
 * How a foreign serving signature is fed and read as a char model, decided from its tensor specs
 * alone (no TensorFlow call): one input that is either one-hot {@code float32[b, seq, V]} or ids
 * {@code [b, seq]} (int32, int64, or float32, the dtype Keras 3 gives an {@code Input} unless told
 * otherwise), and one output {@code [b, V]} (or {@code [b, seq, V]}, read at the last step).
 * {@code seq} may be fixed or free (-1); {@code vocabDim} is -1 only when neither the input nor the
 * output names it, and is then learned from the first call.
 */
record CharSignature(String key, TensorInfo input, TensorInfo output, Form form, int seqLen, int vocabDim) {
  static final String SERVING_DEFAULT = "serving_default";
  private static final Set<String> ID_DTYPES = Set.of("int32", "int64", "float32");
  private static final Set<String> FLOAT_OUTPUTS = Set.of("float32", "float64");

  enum Form {
    ONE_HOT("one-hot"),
    IDS("ids");

    final String label;

    Form(String label) {
      this.label = label;
    }
  }

  /** {@code serving_default}, else the only signature there is. */
  static SignatureInfo choose(List<SignatureInfo> signatures, Path where) {
    for (SignatureInfo s : signatures) {
      if (s.key().equals(SERVING_DEFAULT)) {
        return s;
      }
    }
    if (signatures.size() == 1) {
      return signatures.get(0);
    }
    throw new UserInputException(where + " has no " + SERVING_DEFAULT + " signature and "
        + (signatures.isEmpty() ? "no other" : signatures.size() + " others ("
            + String.join(", ", signatures.stream().map(SignatureInfo::key).toList()) + ")")
        + " to choose from; export it with a serving_default signature");
  }

  /**
   * Reads the signature as a char model.
   *
   * @throws UserInputException naming what the signature takes and returns when it is not one
   */
  static CharSignature of(SignatureInfo sig) {
    if (sig.inputs().size() != 1) {
      throw notCharModel(sig, "it takes " + sig.inputs().size() + " inputs, a char model takes one");
    }
    TensorInfo in = sig.inputs().get(0);
    TensorInfo out = pickOutput(sig);
    if (!FLOAT_OUTPUTS.contains(out.dtype()) || (out.rank() != 2 && out.rank() != 3)) {
      throw notCharModel(sig, null);
    }
    long outV = out.dim(out.rank() - 1);
    if (outV == 0 || outV == 1) {
      throw notCharModel(sig, null);
    }
    Form form;
    long inV = -1;
    if (in.rank() == 3 && in.dtype().equals("float32")) {
      form = Form.ONE_HOT;
      inV = in.dim(2);
      if (inV == 1 || inV == 0 || (inV > 0 && outV > 0 && inV != outV)) {
        throw notCharModel(sig, null);
      }
    } else if (in.rank() == 2 && ID_DTYPES.contains(in.dtype())) {
      form = Form.IDS;
    } else {
      throw notCharModel(sig, null);
    }
    long v = outV > 0 ? outV : inV;
    if (form == Form.ONE_HOT && v < 0) {
      throw notCharModel(sig, "neither the input nor the output fixes the vocabulary size");
    }
    long seq = in.dim(1);
    if (seq == 0) {
      throw notCharModel(sig, null);
    }
    return new CharSignature(sig.key(), in, out, form, Math.toIntExact(seq), Math.toIntExact(v));
  }

  private static TensorInfo pickOutput(SignatureInfo sig) {
    if (sig.outputs().size() == 1) {
      return sig.outputs().get(0);
    }
    List<TensorInfo> candidates = sig.outputs().stream()
        .filter(o -> FLOAT_OUTPUTS.contains(o.dtype()) && (o.rank() == 2 || o.rank() == 3)
            && o.dim(o.rank() - 1) != 1)
        .toList();
    if (candidates.size() != 1) {
      throw notCharModel(sig, candidates.isEmpty() ? null
          : "it has " + candidates.size() + " outputs that could be probabilities");
    }
    return candidates.get(0);
  }

  private static UserInputException notCharModel(SignatureInfo sig, String why) {
    return new UserInputException(sig.key() + " takes " + list(sig.inputs()) + " and returns " + list(sig.outputs())
        + ": not a char model (" + (why != null ? why + "; " : "")
        + "rnnlab needs one-hot float32[batch, seq, vocab] or ids [batch, seq] in and [batch, vocab] out)");
  }

  private static String list(List<TensorInfo> ts) {
    return ts.isEmpty() ? "nothing" : String.join(", ", ts.stream().map(TensorInfo::toString).toList());
  }

  /** The batch of windows as this input wants it; every row must have the same length. */
  Tensor encode(int[][] windows, int vocab) {
    int rows = windows.length;
    int len = windows[0].length;
    if (form == Form.ONE_HOT) {
      float[] x = new float[rows * len * vocab];
      for (int r = 0; r < rows; r++) {
        for (int t = 0; t < len; t++) {
          x[(r * len + t) * vocab + windows[r][t]] = 1f;
        }
      }
      return Tensors.floats(x, rows, len, vocab);
    }
    return switch (input.dtype()) {
      case "int32" -> Tensors.ints(flat(windows, len), rows, len);
      case "int64" -> TInt64.tensorOf(Shape.of(rows, len),
          DataBuffers.of(Arrays.stream(flat(windows, len)).asLongStream().toArray(), true, false));
      case "float32" -> {
        int[] f = flat(windows, len);
        float[] ids = new float[f.length];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = f[i]; // exact: ids are far below 2^24
        }
        yield Tensors.floats(ids, rows, len);
      }
      default -> throw new IllegalStateException("unsupported id dtype " + input.dtype());
    };
  }

  private static int[] flat(int[][] windows, int len) {
    int[] out = new int[windows.length * len];
    for (int r = 0; r < windows.length; r++) {
      System.arraycopy(windows[r], 0, out, r * len, len);
    }
    return out;
  }

  /** {@code one-hot float32[-1, 10, 22] -> output_0 float32[-1, 22]}. */
  String describe() {
    return key + ": " + form.label + " " + input.type() + " -> " + output.name() + " " + output.type();
  }
}

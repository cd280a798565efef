package io.rnnlab.savedmodel;

import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.CharModel;
import io.rnnlab.model.Tensors;
import io.rnnlab.runtime.SessionOptions;
import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * A SavedModel trained in Python (Keras 3 {@code model.export}, Keras 2 / tf_keras {@code
 * model.save}) used as a window-mode {@link CharModel}.
 *
 * <p>The serving signature ({@code serving_default}, else the only one) is read by {@link
 * CharSignature}; the vocabulary is found by {@link VocabularyLookup}. Keras models usually end in
 * a softmax, but a model may return logits instead: one probe call on fixed windows decides, and
 * when its rows are not probability distributions (non-negative, summing to 1 within
 * {@value #SUM_TOLERANCE}) every later output gets a softmax here. The probe also proves the model
 * runs, so a broken export fails at open, with its path, not halfway through generation.
 */
public final class KerasSavedModel implements CharModel {
  static final double SUM_TOLERANCE = 1e-3;
  /** Window length of the probe when the signature accepts any length. */
  private static final int FREE_PROBE_LEN = 8;

  private final Path dir;
  private final SavedModelBundle bundle;
  private final SessionFunction serving;
  private final CharSignature sig;
  private final Vocabulary vocab;
  private final Path vocabFile;
  private final int vocabDim;
  private final boolean logits;

  private KerasSavedModel(Path dir, SavedModelBundle bundle, SessionFunction serving, CharSignature sig,
      VocabularyLookup.Found vocab, int vocabDim, boolean logits) {
    this.dir = dir;
    this.bundle = bundle;
    this.serving = serving;
    this.sig = sig;
    this.vocab = vocab.vocabulary();
    this.vocabFile = vocab.file();
    this.vocabDim = vocabDim;
    this.logits = logits;
  }

  /** Opens a foreign SavedModel as a window-mode char model; {@code vocab} may be null. */
  public static KerasSavedModel open(Path dir, Path vocab) {
    return open(dir, vocab, SessionOptions.DEFAULT);
  }

  public static KerasSavedModel open(Path dir, Path vocab, SessionOptions options) {
    SavedModelBundle bundle = SavedModelInspector.load(dir, options);
    try {
      CharSignature sig = CharSignature.of(CharSignature.choose(SavedModelInspector.signatures(bundle), dir));
      SessionFunction fn = bundle.function(sig.key());
      Probe probe = probe(dir, fn, sig);
      VocabularyLookup.Found found = VocabularyLookup.find(dir, vocab);
      if (found.vocabulary().size() != probe.vocabDim()) {
        throw new UserInputException("vocabulary " + found.file() + " has " + found.vocabulary().size()
            + " symbols, the model's output has " + probe.vocabDim()
            + "; pass the vocabulary the model was trained with (--vocab FILE)");
      }
      return new KerasSavedModel(dir, bundle, fn, sig, found, probe.vocabDim(), probe.logits());
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private record Probe(int vocabDim, boolean logits) {}

  private static Probe probe(Path dir, SessionFunction fn, CharSignature sig) {
    int len = sig.seqLen() > 0 ? sig.seqLen() : FREE_PROBE_LEN;
    int[][] windows = new int[2][len];
    for (int t = 0; t < len; t++) {
      windows[1][t] = t % 2; // ids 0 and 1 exist in every vocabulary of two or more symbols
    }
    // One-hot needs its width now; for ids inputs a -1 width is learned from this very call.
    float[][] out;
    try {
      out = call(fn, sig, windows, Math.max(sig.vocabDim(), 2));
    } catch (TensorFlowException e) {
      throw new UserInputException(dir + ": " + sig.key() + " fails on a probe input ("
          + Messages.cut(Messages.firstLine(e.getMessage()), 300) + ")", e);
    }
    boolean probabilities = true;
    for (float[] row : out) {
      probabilities &= isDistribution(row);
    }
    return new Probe(out[0].length, !probabilities);
  }

  static boolean isDistribution(float[] row) {
    double sum = 0;
    for (float p : row) {
      if (!(p >= -1e-6f && p <= 1 + 1e-6f)) {
        return false;
      }
      sum += p;
    }
    return Math.abs(sum - 1) <= SUM_TOLERANCE;
  }

  /** Raw outputs [rows][V]: the last time step when the signature returns whole sequences. */
  private static float[][] call(SessionFunction fn, CharSignature sig, int[][] windows, int oneHotWidth) {
    try (Tensor x = sig.encode(windows, oneHotWidth);
        Result r = fn.call(Map.of(sig.input().name(), x))) {
      Tensor y = r.get(sig.output().name()).orElseThrow(() ->
          new IllegalStateException(sig.key() + " returned no " + sig.output().name()));
      long[] shape = y.shape().asArray();
      if (shape.length != sig.output().rank() || shape[0] != windows.length) {
        throw new IllegalStateException(sig.key() + " returned shape " + y.shape() + " for " + windows.length
            + " rows");
      }
      float[] flat = Tensors.floats(y);
      int v = Math.toIntExact(shape[shape.length - 1]);
      int stepStride = shape.length == 3 ? Math.toIntExact(shape[1]) * v : v;
      int lastStep = shape.length == 3 ? (Math.toIntExact(shape[1]) - 1) * v : 0;
      float[][] rows = new float[windows.length][v];
      for (int i = 0; i < rows.length; i++) {
        System.arraycopy(flat, i * stepStride + lastStep, rows[i], 0, v);
      }
      return rows;
    }
  }

  @Override
  public Vocabulary vocabulary() {
    return vocab;
  }

  @Override
  public int seqLen() {
    return sig.seqLen();
  }

  /** Whether the model returns logits, so that {@link #predictWindow} applies the softmax. */
  public boolean returnsLogits() {
    return logits;
  }

  @Override
  public float[][] predictWindow(int[][] windows) {
    checkWindows(windows);
    float[][] out = call(serving, sig, windows, vocabDim);
    if (logits) {
      for (float[] row : out) {
        softmaxInPlace(row);
      }
    }
    return out;
  }

  private void checkWindows(int[][] windows) {
    if (windows.length == 0) {
      throw new IllegalArgumentException("no windows");
    }
    int len = windows[0].length;
    if (len == 0 || (sig.seqLen() > 0 && len != sig.seqLen())) {
      throw new IllegalArgumentException("windows of " + len + " ids; " + dir + " takes "
          + (sig.seqLen() > 0 ? "exactly " + sig.seqLen() : "at least 1"));
    }
    for (int[] w : windows) {
      if (w.length != len) {
        throw new IllegalArgumentException("windows of different lengths (" + len + " and " + w.length + ")");
      }
      for (int id : w) {
        if (id < 0 || id >= vocabDim) {
          throw new IllegalArgumentException("id " + id + " is outside the vocabulary [0, " + vocabDim + ")");
        }
      }
    }
  }

  static void softmaxInPlace(float[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : row) {
      max = Math.max(max, v);
    }
    double sum = 0;
    double[] e = new double[row.length];
    for (int i = 0; i < row.length; i++) {
      e[i] = Math.exp(row[i] - max);
      sum += e[i];
    }
    for (int i = 0; i < row.length; i++) {
      row[i] = (float) (e[i] / sum);
    }
  }

  @Override
  public boolean hasStep() {
    return false;
  }

  @Override
  public int stateSize() {
    return 0;
  }

  @Override
  public float[][] step(int[] ids, float[][] state) {
    throw new UnsupportedOperationException(dir + " is a Python SavedModel: window mode only (no step signature)");
  }

  @Override
  public String describe() {
    return "SavedModel " + dir + ", window mode (" + sig.describe() + (logits ? ", logits: softmax applied" : "")
        + "; vocabulary " + vocab.size() + " from " + vocabFile + ")";
  }

  @Override
  public void close() {
    bundle.close();
  }
}

package io.rnnlab.bench;

import io.rnnlab.savedmodel.CharModels;
import io.rnnlab.savedmodel.RnnlabModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Does stateful generation predict as well as the window loop? For a trained char model and its
 * corpus: cross-entropy of the true next character, by position from a zero state, for stateful
 * prediction (state carried over every position) and for the window (always the last seq_len
 * characters from a zero state), on segments from the corpus's last 8 % (held out by the
 * contiguous split). Prints a Markdown table. Run: {@code bench/generation/run.sh --quality RUN CORPUS}.
 */
public final class GenerationQuality {
  static final int ROWS = 24;
  static final int LENGTH = 400;

  private GenerationQuality() {}

  public static void main(String[] args) throws Exception {
    Path run = Path.of(args[0]);
    String text = Files.readString(Path.of(args[1]));
    try (RnnlabModel m = RnnlabModel.open(run, null, CharModels.GENERATION_SESSION)) {
      int seq = m.seqLen();
      int start = (int) (text.length() * 0.92);
      int stride = (text.length() - start - LENGTH - 1) / ROWS;
      int[][] ids = new int[ROWS][];
      for (int r = 0; r < ROWS; r++) {
        ids[r] = m.vocabulary().encode(text.substring(start + r * stride, start + r * stride + LENGTH + 1));
      }
      double[] stateful = new double[LENGTH];
      float[][] state = new float[ROWS][m.stateSize()];
      int[] x = new int[ROWS];
      for (int t = 0; t < LENGTH; t++) {
        for (int r = 0; r < ROWS; r++) {
          x[r] = ids[r][t];
        }
        float[][] p = m.step(x, state);
        for (int r = 0; r < ROWS; r++) {
          stateful[t] -= Math.log(p[r][ids[r][t + 1]] + 1e-9) / ROWS;
        }
      }
      double[] window = new double[LENGTH];
      for (int t = seq - 1; t < LENGTH; t++) {
        int[][] w = new int[ROWS][seq];
        for (int r = 0; r < ROWS; r++) {
          System.arraycopy(ids[r], t - seq + 1, w[r], 0, seq);
        }
        float[][] p = m.predictWindow(w);
        for (int r = 0; r < ROWS; r++) {
          window[t] -= Math.log(p[r][ids[r][t + 1]] + 1e-9) / ROWS;
        }
      }
      System.out.println("Model " + m.describe() + "; " + ROWS + " segments of " + LENGTH
          + " characters from the last 8 % of " + args[1] + ".");
      double maxDiff = 0;
      for (int t = seq - 1; t < LENGTH; t++) {
        maxDiff = Math.max(maxDiff, Math.abs(stateful[t] - window[t]));
      }
      System.out.printf(Locale.ROOT, "Largest per-position difference (mean over segments): %.2e.%n", maxDiff);
      System.out.println();
      System.out.println("| positions (from a zero state) | stateful cross-entropy | window cross-entropy |");
      System.out.println("|---|---|---|");
      int[] edges = {0, 10, seq / 2, seq - 1, seq, 2 * seq, 3 * seq, LENGTH};
      for (int b = 0; b + 1 < edges.length; b++) {
        int lo = edges[b];
        int hi = Math.min(edges[b + 1], LENGTH);
        if (lo >= hi) {
          continue;
        }
        System.out.printf(Locale.ROOT, "| %d–%d | %.3f | %s |%n", lo + 1, hi, mean(stateful, lo, hi),
            hi <= seq - 1 ? "–" : String.format(Locale.ROOT, "%.3f", mean(window, Math.max(lo, seq - 1), hi)));
      }
    }
  }

  private static double mean(double[] v, int lo, int hi) {
    double s = 0;
    for (int i = lo; i < hi; i++) {
      s += v[i];
    }
    return s / (hi - lo);
  }
}

package io.rnnlab.reference;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Central differences over every weight entry, compared with an analytic gradient. */
final class FiniteDifferences {
  private FiniteDifferences() {}

  static final double STEP = 1e-5;

  /**
   * Floor of the relative-error denominator. With h = 1e-5 the central difference carries two
   * absolute errors: truncation, h²·|L'''|/6 ≈ 1e-11 for these O(1) losses, and cancellation,
   * ≈ ε·|L|/h ≈ 2.2e-16·1.6/1e-5 ≈ 4e-11. A gradient entry smaller than about noise/tolerance
   * = 5e-11/1e-6 = 5e-5 therefore cannot be checked to 1e-6 *relative* by any correct BPTT: the
   * difference quotient itself is not that accurate. Flooring the denominator at 1e-4 keeps the
   * relative test for every entry above it and turns it into an absolute bound of 1e-10 for the
   * few tiny entries: about twice the noise measured here (≤ 5e-11), yet 10^4 times below the
   * ~1e-6 error that dropping the dhnext term leaves on such entries. A floor like 1e-8 would fail
   * correct code on them; a floor like 1 would pass almost anything.
   */
  static final double DENOMINATOR_FLOOR = 1e-4;

  record Comparison(String entry, double analytic, double numeric) {
    double relativeError() {
      double scale = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), DENOMINATOR_FLOOR);
      return Math.abs(analytic - numeric) / scale;
    }

    @Override
    public String toString() {
      return String.format("%s analytic=%.12e numeric=%.12e rel=%.2e", entry, analytic, numeric,
          relativeError());
    }
  }

  /** Perturbs each entry of {@code w} in place (and restores it) while evaluating {@code loss}. */
  static List<Comparison> compare(
      VanillaRnnWeights w, Gradients g, ToDoubleFunction<VanillaRnnWeights> loss) {
    List<Comparison> out = new ArrayList<>();
    compare("kernel", w.kernel(), g.dKernel(), w, loss, out);
    compare("recurrentKernel", w.recurrentKernel(), g.dRecurrentKernel(), w, loss, out);
    compare("bias", new double[][] {w.bias()}, new double[][] {g.dBias()}, w, loss, out);
    compare("denseKernel", w.denseKernel(), g.dDenseKernel(), w, loss, out);
    compare("denseBias", new double[][] {w.denseBias()}, new double[][] {g.dDenseBias()}, w, loss,
        out);
    return out;
  }

  private static void compare(String name, double[][] param, double[][] grad, VanillaRnnWeights w,
      ToDoubleFunction<VanillaRnnWeights> loss, List<Comparison> out) {
    for (int i = 0; i < param.length; i++) {
      for (int j = 0; j < param[i].length; j++) {
        double saved = param[i][j];
        double up = saved + STEP;
        double down = saved - STEP;
        param[i][j] = up;
        double plus = loss.applyAsDouble(w);
        param[i][j] = down;
        double minus = loss.applyAsDouble(w);
        param[i][j] = saved;
        // Divides by the step actually taken: saved ± STEP rounds, and 2·STEP would be off by ~1e-11.
        out.add(new Comparison(name + "[" + i + "][" + j + "]", grad[i][j], (plus - minus) / (up - down)));
      }
    }
  }

  static double maxRelativeError(List<Comparison> cs) {
    return cs.stream().mapToDouble(Comparison::relativeError).max().orElseThrow();
  }
}

package io.rnnlab.reference;

/** Deep copies for the rectangular arrays this package passes around. */
final class Arrays2 {
  private Arrays2() {}

  static double[][] copy(double[][] m) {
    double[][] c = new double[m.length][];
    for (int i = 0; i < m.length; i++) {
      c[i] = m[i].clone();
    }
    return c;
  }
}

package io.rnnlab.reliability;

import io.rnnlab.cli.Main;

/** {@code rnnlab} that first waits for one line on stdin (see {@link ChildJvm#gated}). */
public final class GatedMain {
  private GatedMain() {}

  public static void main(String[] args) throws Exception {
    // Load TensorFlow's natives while waiting, so the gate opens onto a warm JVM.
    org.tensorflow.TensorFlow.version();
    if (System.in.read() < 0) {
      System.exit(3);
    }
    Main.main(args);
  }
}

package io.rnnlab.model;

import org.junit.jupiter.api.Test;

/**
 * SimpleRnnCell against Keras 3.15's {@code SimpleRNNCell}: one step forward and backward from fixed
 * weights, input and state (batch 2, 3 inputs, 2 units), numbers computed by Keras in float64
 * (python-compat's venv: {@code keras.layers.SimpleRNNCell(2, dtype="float64")}, gradients from
 * {@code tf.GradientTape} of sum(DH·h')). See {@link KerasCellCase}.
 */
class SimpleRnnCellTest {
  static final double[] X = {0.011821624700256717, 0.4504636963259353, -0.35584038728036627, 0.44864944713724386, -0.18816854798951455, -0.07667355102742435};
  static final double[] KERNEL = {-0.2383878657506836, -0.2015088565858767, 0.3142257405942803, -0.4080840578649031, 0.100100525965654, 0.22856052681179462};
  static final double[] RECURRENT = {-0.41435083285637564, -0.2631894934039003, 0.3012744652063969, 0.08216203606436778};
  static final double[] BIAS = {0.44305610557236763, 0.011327552814361597};
  static final double[] H0 = {0.3050029237453802, 0.30794078973649375, 0.015325561042142, -0.2141986199118584};
  static final double[] DH = {0.25019093320933394, 0.794427601939151, 0.551371380490387, -0.5495856200188163};
  static final double[] H1 = {0.47193892863067055, -0.3015149805870562, 0.19585478782213797, -0.04142404993927688};
  static final double[] D_X = {-0.19188926782584284, -0.23361393566629507, 0.18453382478035235, -0.01584198290017204, 0.39050145297619293, -0.07232260380140104};
  static final double[] D_H0 = {-0.2706543010831597, 0.11792573411376153, -0.07530066876108116, 0.1146645404808241};
  static final double[] D_KERNEL = {0.2401823941714769, -0.2376105416441514, -0.012170724594798107, 0.42856448334069136, -0.10985309601269361, -0.2149233938972697};
  static final double[] D_RECURRENT = {0.06743888691220525, 0.21186643307864153, -0.05368839874896052, 0.33991490873508623};
  static final double[] D_BIAS = {0.7246880909826193, 0.1735626114618245};

  @Test
  void oneStepForwardAndBackwardEqualsKeras() {
    new KerasCellCase(CellType.SIMPLE_RNN, 3, 2, 2, X, KERNEL, RECURRENT, BIAS, H0, null, DH, null, H1, null, D_X, D_H0,
        null, D_KERNEL, D_RECURRENT, D_BIAS).check();
  }
}

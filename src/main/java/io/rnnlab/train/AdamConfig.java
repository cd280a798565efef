package io.rnnlab.train;

import io.rnnlab.InvalidSetting;
import io.rnnlab.UserInputException;

/**
 * Keras's Adam hyper-parameters; the defaults are {@code keras.optimizers.Adam()}'s.
 *
 * @param clipnorm Keras's {@code clipnorm}: each weight's gradient is scaled down to at most this
 *     L2 norm before the update ({@link KerasAdam}); 0 = no clipping (Keras's None)
 */
public record AdamConfig(double learningRate, double beta1, double beta2, double epsilon, double clipnorm) {
  public static final AdamConfig KERAS_DEFAULTS = new AdamConfig(0.001, 0.9, 0.999, 1e-7, 0);

  public AdamConfig {
    if (!(learningRate > 0 && learningRate < 10) || !Double.isFinite(learningRate)) {
      throw new UserInputException("learning rate must be a positive number below 10, got " + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(epsilon > 0)) {
      throw new UserInputException("Adam needs 0 <= beta < 1 and epsilon > 0");
    }
    if (!(clipnorm >= 0) || !Double.isFinite(clipnorm)) {
      throw new InvalidSetting("clipnorm", "must be >= 0 (0 = no clipping), got " + clipnorm);
    }
  }

  public AdamConfig withLearningRate(double lr) {
    return new AdamConfig(lr, beta1, beta2, epsilon, clipnorm);
  }

  public AdamConfig withClipnorm(double c) {
    return new AdamConfig(learningRate, beta1, beta2, epsilon, c);
  }
}

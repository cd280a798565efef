package io.rnnlab.compare;

import io.rnnlab.InvalidSetting;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.Sampler;

/**
 * The one prompt, temperature, seed and length every run of a report generates with, so the
 * samples differ only by the model. Temperature 0 is greedy; {@code length} 0 turns samples off.
 *
 * @param mode null = per model, as it was trained: a model whose loss was on the last step only
 *     has only ever seen seq_len-character histories, so it gets the tutorials' sliding window
 *     (stateful generation runs it far past that and it babbles); others run statefully
 */
public record SampleRequest(String prompt, double temperature, long seed, int length, Mode mode) {
  public static final int MAX_LENGTH = 10_000;
  /** The prompt for models nothing is known about: a common start of English text. */
  public static final String DEFAULT_PROMPT = "the ";

  public SampleRequest {
    if (prompt == null || prompt.isEmpty()) {
      throw new InvalidSetting("prompt", "must not be empty");
    }
    Sampler.checkTemperature(temperature);
    if (length < 0 || length > MAX_LENGTH) {
      throw new InvalidSetting("length", "must be in [0, " + MAX_LENGTH + "], got " + length);
    }
  }

  public boolean enabled() {
    return length > 0;
  }
}

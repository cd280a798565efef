package io.rnnlab.compare;

import io.rnnlab.UserInputException;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.model.LossOn;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.savedmodel.CharModels;

/** Samples from each run's exported model through the same {@link Generator} as {@code rnnlab generate}. */
public final class GeneratedSamples implements Comparison.SampleSource {
  @Override
  public Comparison.Sample sample(RunRecord run, SampleRequest request) {
    Mode wanted = request.mode() != null ? request.mode()
        : run.spec() != null && run.spec().lossOn() == LossOn.LAST ? Mode.WINDOW : Mode.AUTO;
    try (Generator g = Generator.of(CharModels.open(RunDirectory.model(run.dir()), null))) {
      Mode mode = g.resolve(wanted);
      String text = g.generate(request.prompt(), request.length(),
          GenerationOptions.of(request.temperature(), request.seed()).withMode(mode), chars -> {});
      return new Comparison.Sample(mode.name().toLowerCase(java.util.Locale.ROOT), text);
    } catch (UserInputException e) {
      throw e;
    } catch (RuntimeException e) {
      // A damaged SavedModel fails inside TF; in a report that is one run's missing sample, not the end.
      throw new UserInputException("cannot generate from " + run.dir() + ": " + e.getMessage(), e);
    }
  }
}

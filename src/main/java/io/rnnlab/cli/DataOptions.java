package io.rnnlab.cli;

import io.rnnlab.data.CorpusSource;
import io.rnnlab.data.SplitMode;
import io.rnnlab.train.DataConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Flags that choose the corpus ({@link CorpusSource}) and replace how a preset cuts it into
 * examples ({@link DataConfig}); an absent flag keeps the preset's value.
 */
final class DataOptions {
  @Option(names = "--data", paramLabel = "FILE", description = "any UTF-8 text file as the corpus")
  Path data;

  @Option(names = "--dataset", paramLabel = "NAME", description = "a named corpus downloaded once into the cache (tiny-shakespeare)")
  String dataset;

  @Option(names = "--corpus", paramLabel = "NAME", description = "a built-in corpus (hello)")
  String corpus;

  @Option(names = "--clean-newlines", description = "newlines to spaces, double spaces collapsed")
  boolean cleanNewlines;

  @Option(names = "--limit-chars", paramLabel = "N", description = "use only the first N characters")
  Integer limitChars;

  @Option(names = "--step", description = "window stride") Integer step;
  @Option(names = "--val-fraction", paramLabel = "<valFraction>") Double validationFraction;
  @Option(names = "--split", description = "contiguous (default: last part held out) or random") String split;
  @Option(names = "--samples", description = "sum task: number of sequences") Integer samples;

  CorpusSource source() {
    return new CorpusSource(data, dataset, corpus, cleanNewlines, limitChars);
  }

  DataConfig applyTo(DataConfig d) {
    d = step == null ? d : d.withStep(step);
    d = validationFraction == null ? d : d.withValidationFraction(validationFraction);
    d = split == null ? d : d.withSplit(SplitMode.parse(split));
    return samples == null ? d : d.withSamples(samples);
  }
}

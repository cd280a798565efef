package io.rnnlab.train;

import io.rnnlab.data.Corpus;
import io.rnnlab.data.SumTask;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.data.Windows;
import io.rnnlab.model.ModelSpec;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A {@link Preset}, flags already applied, turned into what a training run needs: the model spec,
 * the vocabulary, the training data and the config. {@code rnnlab train} and {@code rnnlab
 * experiment} both start here, so a preset means the same model in either.
 */
public final class TrainSetup {
  /** How much of the corpus {@link Prepared#corpusHead} keeps. */
  static final int HEAD_CHARS = 20;

  private TrainSetup() {}

  /**
   * Ready to train.
   *
   * @param vocab null for regression
   * @param dataLine what the data is, for the log (null for the generated sum task)
   * @param corpusHead the corpus's first characters, a prompt the model has seen ("" for the sum task)
   */
  public record Prepared(ModelSpec spec, Vocabulary vocab, TrainingData data, TrainConfig config, String dataLine,
      String corpusHead) {}

  /**
   * @param corpus the text of a char model, asked for only when needed; null trains the preset's
   *     own generated data, which only the sum presets have
   */
  public static Prepared prepare(Preset p, Supplier<Corpus> corpus) {
    TrainConfig config = p.train();
    DataConfig data = p.data();
    Architecture model = p.architecture();
    if (corpus == null) {
      if (!data.corpus().equals(SumTask.NAME)) {
        throw new IllegalArgumentException("preset " + p.name() + " trains on text: pass its corpus");
      }
      SumTask task = SumTask.generate(data.samples(), model.seqLen(), config.seed());
      return new Prepared(model.regression(1), null, new SumTaskData(task.split(data.validationFraction())), config,
          null, "");
    }
    Corpus text = corpus.get();
    Vocabulary vocab = Vocabulary.fromText(text.text());
    ModelSpec spec = model.charModel(vocab.size());
    Windows windows = Windows.over(vocab.encode(text.text()), model.seqLen(), data.step());
    CharWindowData d = new CharWindowData(windows.split(data.validationFraction(), data.split(), config.seed()),
        spec.lossOn(), config.batchSize());
    String line = String.format(Locale.ROOT, "corpus %s: %,d chars, vocabulary %d, %,d training / %,d validation windows",
        text.name(), text.length(), vocab.size(), d.trainWindows(), d.validationWindows());
    String head = text.text().substring(0, text.text().offsetByCodePoints(0, Math.min(HEAD_CHARS, text.length())));
    return new Prepared(spec, vocab, d, config, line, head);
  }
}

package io.rnnlab.train;

import io.rnnlab.data.Corpus;
import io.rnnlab.data.SplitMode;
import io.rnnlab.data.SumTask;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.data.Windows;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A {@link Preset} with the user's overrides turned into what a training run needs: the model
 * spec, the vocabulary, the training data and the config. {@code rnnlab train} and {@code rnnlab
 * experiment} both start here, so a preset means the same model in either.
 */
public final class TrainSetup {
  private TrainSetup() {}

  /**
   * The flags that override a preset; null keeps the preset's value.
   *
   * @param maxSteps 0 = no limit
   */
  public record Overrides(
      CellType cell, Integer layers, Integer units, Integer embeddingDim, Double dropout,
      Integer seqLen, Integer step, LossOn lossOn, Integer samples,
      Integer epochs, Integer batchSize, Double learningRate, Double valFraction, SplitMode split,
      Integer valBatches, long seed, long maxSteps, int checkpointEvery, int keepCheckpoints) {

    /** The preset as it is, with the CLI's defaults for the rest. */
    public static Overrides none(long seed) {
      return new Overrides(null, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, seed, 0, 0, 3);
    }

    public Overrides withCell(CellType c) {
      return new Overrides(c, layers, units, embeddingDim, dropout, seqLen, step, lossOn, samples, epochs,
          batchSize, learningRate, valFraction, split, valBatches, seed, maxSteps, checkpointEvery, keepCheckpoints);
    }

    public Overrides withSeqLen(Integer len) {
      return new Overrides(cell, layers, units, embeddingDim, dropout, len, step, lossOn, samples, epochs,
          batchSize, learningRate, valFraction, split, valBatches, seed, maxSteps, checkpointEvery, keepCheckpoints);
    }

    public Overrides withBudget(Integer epochCount, long stepLimit) {
      return new Overrides(cell, layers, units, embeddingDim, dropout, seqLen, step, lossOn, samples, epochCount,
          batchSize, learningRate, valFraction, split, valBatches, seed, stepLimit, checkpointEvery, keepCheckpoints);
    }
  }

  /**
   * Ready to train.
   *
   * @param vocab null for regression
   * @param dataLine what the data is, for the log (null for the generated sum task)
   */
  public record Prepared(ModelSpec spec, Vocabulary vocab, TrainingData data, TrainConfig config, String dataLine) {}

  /**
   * @param corpus the text of a char model, asked for only when needed; null trains the preset's
   *     own generated data, which only the sum presets have
   */
  public static Prepared prepare(Preset p, Overrides o, Supplier<Corpus> corpus) {
    TrainConfig config = new TrainConfig(or(o.epochs(), p.epochs()), or(o.batchSize(), p.batchSize()),
        AdamConfig.KERAS_DEFAULTS.withLearningRate(or(o.learningRate(), p.learningRate())), o.seed(), o.maxSteps(),
        o.checkpointEvery(), o.keepCheckpoints(), or(o.valBatches(), p.validationBatches()));
    double fraction = or(o.valFraction(), p.validationFraction());
    CellType cell = o.cell() != null ? o.cell() : p.cell();
    int seq = or(o.seqLen(), p.seqLen());
    int layers = or(o.layers(), p.layers());
    int units = or(o.units(), p.units());
    if (corpus == null) {
      if (!p.data().equals("sum")) {
        throw new IllegalArgumentException("preset " + p.name() + " trains on text: pass its corpus");
      }
      ModelSpec spec = ModelSpec.regression(cell, layers, units, seq, 1);
      SumTask task = SumTask.generate(or(o.samples(), p.samples()), seq, o.seed());
      return new Prepared(spec, null, new SumTaskData(task.split(fraction)), config, null);
    }
    Corpus text = corpus.get();
    Vocabulary vocab = Vocabulary.fromText(text.text());
    ModelSpec spec = ModelSpec.charModel(cell, layers, units, or(o.embeddingDim(), p.embeddingDim()),
        or(o.dropout(), p.dropout()), seq, vocab.size(), o.lossOn() != null ? o.lossOn() : p.lossOn());
    Windows windows = Windows.over(vocab.encode(text.text()), seq, or(o.step(), p.step()));
    SplitMode mode = o.split() != null ? o.split() : p.split();
    CharWindowData d = new CharWindowData(windows.split(fraction, mode, o.seed()), spec.lossOn(), config.batchSize());
    String line = String.format(Locale.ROOT, "corpus %s: %,d chars, vocabulary %d, %,d training / %,d validation windows",
        text.name(), text.length(), vocab.size(), d.trainWindows(), d.validationWindows());
    return new Prepared(spec, vocab, d, config, line);
  }

  private static int or(Integer v, int d) {
    return v != null ? v : d;
  }

  private static double or(Double v, double d) {
    return v != null ? v : d;
  }
}

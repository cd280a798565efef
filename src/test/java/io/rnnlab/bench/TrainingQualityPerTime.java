package io.rnnlab.bench;

import io.rnnlab.data.Corpus;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.Batch;
import io.rnnlab.train.Preset;
import io.rnnlab.train.StepMetrics;
import io.rnnlab.train.TrainSetup;
import io.rnnlab.train.TrainingData;
import io.rnnlab.train.TrainingGraph;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * rnnlab's half of {@code bench/quality-per-time}: trains a preset (default shakespeare-lstm256,
 * rnnlab's best recipe for Tiny Shakespeare: loss on all steps, lr 0.003, contiguous 90/10 split)
 * for a fixed wall-clock budget, then prints one JSON line with the validation loss on the
 * held-out last 10 % of the text.
 *
 * <p>The validation loss is measured the same way on both sides ({@code
 * bench/keras_quality_per_time.py} computes the same windows): the cross-entropy of the character
 * after each window of {@code seq_len} held-out characters, windows starting every {@code
 * --val-stride} characters from the cut to the end. A model trained with the loss on all steps is
 * evaluated on the last step only, like the tutorial's, with the same weights.
 *
 * <pre>
 *   --data FILE --minutes 15 [--preset shakespeare-lstm256] [--intra 2 --inter 2] [--val-stride 7] [--seed 1]
 * </pre>
 */
public final class TrainingQualityPerTime {
  private TrainingQualityPerTime() {}

  public static void main(String[] args) {
    Map<String, String> a = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    double minutes = Double.parseDouble(a.getOrDefault("minutes", "15"));
    long seed = Long.parseLong(a.getOrDefault("seed", "1"));
    int valStride = Integer.parseInt(a.getOrDefault("val-stride", "7"));
    SessionOptions threads = new SessionOptions(Integer.parseInt(a.getOrDefault("intra", "2")),
        Integer.parseInt(a.getOrDefault("inter", "2")), false);
    Preset preset = Preset.named(a.getOrDefault("preset", "shakespeare-lstm256"));
    Corpus corpus = Corpus.fromFile(Path.of(a.get("data")));
    TrainSetup.Prepared p = TrainSetup.prepare(
        preset.withTrain(preset.train().withSeed(seed).withEpochs(1_000_000)), () -> corpus);
    ModelSpec spec = p.spec();
    TrainingData data = p.data();
    int batchSize = p.config().batchSize();

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("side", "rnnlab");
    out.put("recipe", preset.name() + ": " + spec.describe() + ", lr " + p.config().adam().learningRate()
        + ", batch " + batchSize + ", window step " + preset.data().step());
    out.put("minutes", minutes);
    out.put("intra", threads.intraOpThreads());
    out.put("inter", threads.interOpThreads());
    long steps = 0;
    long chars = 0;
    double trainSeconds;
    io.rnnlab.model.Weights weights;
    try (TrainingGraph g = TrainingGraph.build(spec, p.config().adam(), threads)) {
      g.initialize(WeightInitializer.initialize(spec, seed));
      Batch batch = data.newBatch(batchSize);
      long start = System.nanoTime();
      long deadline = start + (long) (minutes * 60e9);
      outer:
      for (int epoch = 0; ; epoch++) {
        for (int b = 0; b < data.trainBatches(batchSize); b++) {
          if (System.nanoTime() >= deadline) {
            break outer;
          }
          Batch current = data.trainBatch(seed, epoch, b, batch);
          g.trainStep(current, seed, steps++);
          chars += (long) current.rows() * data.stepsPerExample();
        }
      }
      trainSeconds = (System.nanoTime() - start) / 1e9;
      weights = g.weights();
    }
    out.put("steps", steps);
    out.put("chars", chars);
    out.put("train_chars_per_s", chars / trainSeconds);

    // The held-out text: rnnlab's contiguous split cuts at N − round(0.1·N) (Windows.split).
    int[] ids = p.vocab().encode(corpus.text());
    int n = ids.length;
    int cut = (int) (n - Math.round(preset.data().validationFraction() * n));
    ModelSpec lastStep = new ModelSpec(spec.recurrent(), spec.units(), spec.embeddingDim(), spec.dropouts(),
        spec.seqLen(), spec.vocabSize(), spec.head(), LossOn.LAST, 0);
    int seq = spec.seqLen();
    double lossSum = 0;
    double accSum = 0;
    long windows = 0;
    try (TrainingGraph eval = TrainingGraph.build(lastStep, p.config().adam(), threads)) {
      eval.initialize(weights);
      int[] x = new int[batchSize * seq];
      int[] y = new int[batchSize];
      int rows = 0;
      for (int s = cut; s + seq < n; s += valStride) {
        System.arraycopy(ids, s, x, rows * seq, seq);
        y[rows++] = ids[s + seq];
        if (rows == batchSize || s + valStride + seq >= n) {
          StepMetrics m = eval.evaluate(Batch.chars(rows, x, y));
          lossSum += m.loss() * rows;
          accSum += m.accuracy() * rows;
          windows += rows;
          rows = 0;
        }
      }
    }
    out.put("val_loss", lossSum / windows);
    out.put("val_accuracy", accSum / windows);
    out.put("val_windows", windows);
    out.put("cut", cut);
    out.put("peak_rss_mb", KerasSideBySide.Rss.peakMb());
    System.out.println(KerasSideBySide.Json.line(out));
  }
}

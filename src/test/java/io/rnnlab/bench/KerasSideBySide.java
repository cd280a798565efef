package io.rnnlab.bench;

import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.model.CellType;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Network;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.RnnlabModel;
import io.rnnlab.savedmodel.SavedModelExporter;
import io.rnnlab.train.AdamConfig;
import io.rnnlab.train.Batch;
import io.rnnlab.train.TrainingGraph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.TensorFlow;

/**
 * rnnlab's half of {@code bench/run}: one measurement per process (so VmHWM is this model's peak),
 * printed as one JSON line that {@code bench/keras_side_by_side.py} prints too for Keras, with the
 * same field names. The model and thread flags are the same on both sides; see bench/run.
 *
 * <pre>
 *   train    --cell lstm --units 256 --layers 1 --embedding 0 --dropout 0 --loss-on last
 *            --seq 100 --batch 64 --vocab 65 --warmup 5 --steps 20 --intra 2 --inter 2
 *            [--row-groups N]   (default: TrainingGraph's choice for these threads)
 *            [--device cpu|gpu] [--recurrence auto|unrolled|cudnn] [--xla]   (bench/gpu)
 *   generate (same model flags) --window-chars 100 --stateful-chars 2000 --intra 1 --inter 1
 * </pre>
 *
 * Inputs are seeded random ids: throughput does not depend on the text. Not a test.
 */
public final class KerasSideBySide {
  private KerasSideBySide() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = flags(args);
    ModelSpec spec = ModelSpec.charModel(CellType.parse(a.getOrDefault("cell", "lstm")),
        intFlag(a, "layers", 1), intFlag(a, "units", 256), intFlag(a, "embedding", 0),
        Double.parseDouble(a.getOrDefault("dropout", "0")), intFlag(a, "seq", 100),
        intFlag(a, "vocab", 65), LossOn.parse(a.getOrDefault("loss-on", "last")));
    boolean gpu = a.getOrDefault("device", "cpu").equals("gpu");
    SessionOptions threads = new SessionOptions(intFlag(a, "intra", 2), intFlag(a, "inter", 2), gpu)
        .withXla(a.containsKey("xla"));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("side", "rnnlab");
    out.put("mode", args[0]);
    out.put("case", a.getOrDefault("case", spec.describe()));
    out.put("intra", threads.intraOpThreads());
    out.put("inter", threads.interOpThreads());
    out.put("device", gpu ? "gpu" : "cpu");
    out.put("batch", intFlag(a, "batch", 64));
    switch (args[0]) {
      case "train" -> train(spec, intFlag(a, "batch", 64), intFlag(a, "warmup", 5), intFlag(a, "steps", 20), threads,
          intFlag(a, "row-groups", 0), a.getOrDefault("recurrence", "auto"), out);
      case "generate" -> generate(spec, intFlag(a, "window-chars", 100), intFlag(a, "stateful-chars", 2000), threads, out);
      default -> throw new IllegalArgumentException("first argument: train | generate");
    }
    out.put("peak_rss_mb", Rss.peakMb());
    out.put("tf", TensorFlow.version());
    out.put("java", System.getProperty("java.version"));
    System.out.println(Json.line(out));
  }

  /**
   * Graph build (Java op construction + session), the first step (TF's graph optimisation and
   * allocations), then {@code warmup} more steps, then {@code steps} timed ones.
   */
  private static void train(ModelSpec spec, int batchSize, int warmup, int steps, SessionOptions threads,
      int rowGroups, String recurrence, Map<String, Object> out) {
    Batch batch = randomBatch(spec, batchSize, 7);
    long t0 = System.nanoTime();
    try (TrainingGraph g = rowGroups > 0
        ? TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, threads, rowGroups)
        : recurrence.equals("auto")
            ? TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, threads)
            : TrainingGraph.build(spec, AdamConfig.KERAS_DEFAULTS, threads,
                Network.Recurrence.valueOf(recurrence.toUpperCase(Locale.ROOT)))) {
      out.put("row_groups", rowGroups > 0 ? rowGroups : "default");
      out.put("recurrence", g.recurrence().name().toLowerCase(Locale.ROOT));
      out.put("xla", threads.xla());
      out.put("gpu", threads.allowGpu() && io.rnnlab.runtime.Devices.gpuAvailable());
      g.initialize(WeightInitializer.initialize(spec, 1));
      long t1 = System.nanoTime();
      g.trainStep(batch, 1, 0);
      long t2 = System.nanoTime();
      for (int i = 1; i < warmup; i++) {
        g.trainStep(batch, 1, i);
      }
      long t3 = System.nanoTime();
      double cpu0 = Rss.cpuSeconds();
      double[] each = new double[steps];
      for (int i = 0; i < steps; i++) {
        long s = System.nanoTime();
        g.trainStep(batch, 1, warmup + i);
        each[i] = (System.nanoTime() - s) / 1e6;
      }
      long t4 = System.nanoTime();
      java.util.Arrays.sort(each);
      out.put("step_ms_min", each[0]);
      out.put("step_ms_median", each[steps / 2]);
      out.put("cpu_ms_per_step", (Rss.cpuSeconds() - cpu0) * 1e3 / steps);
      double stepSeconds = (t4 - t3) / 1e9 / steps;
      out.put("build_s", (t1 - t0) / 1e9);
      out.put("first_step_s", (t2 - t1) / 1e9);
      out.put("step_ms", stepSeconds * 1e3);
      out.put("train_chars_per_s", (double) batchSize * spec.seqLen() / stepSeconds);
    }
  }

  /**
   * Batch-1 generation through rnnlab's {@link Generator} (the CLI's path) from a SavedModel of
   * this model with random weights: the tutorials' sliding window and the stateful step.
   */
  private static void generate(ModelSpec spec, int windowChars, int statefulChars, SessionOptions threads,
      Map<String, Object> out) throws IOException {
    List<String> symbols = new ArrayList<>();
    for (int i = 0; i < spec.vocabSize(); i++) {
      symbols.add(Character.toString(' ' + i));
    }
    Vocabulary vocab = Vocabulary.of(symbols);
    StringBuilder prompt = new StringBuilder();
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < spec.seqLen(); i++) {
      prompt.append(vocab.symbol(rng.nextInt(vocab.size())));
    }
    Path dir = Files.createTempDirectory("rnnlab-sidebyside");
    try {
      Path saved = dir.resolve("saved_model");
      SavedModelExporter.export(spec, vocab, WeightInitializer.initialize(spec, 1), saved, threads);
      try (Generator g = Generator.of(RnnlabModel.open(saved, null, threads))) {
        out.put("window_chars_per_s", charsPerSecond(g, prompt.toString(), Mode.WINDOW, windowChars));
        out.put("stateful_chars_per_s", charsPerSecond(g, prompt.toString(), Mode.STATEFUL, statefulChars));
      }
    } finally {
      io.rnnlab.AtomicFiles.deleteTree(dir);
    }
  }

  /** From the first to the last new character: the prompt and the graph's first run are excluded. */
  private static double charsPerSecond(Generator g, String prompt, Mode mode, int length) {
    GenerationOptions o = GenerationOptions.of(0.8, 1).withMode(mode);
    g.generateAll(prompt.substring(0, 10), 5, o);
    long[] firstLast = new long[2];
    int[] count = {0};
    g.generate(prompt, length + 1, o, chunk -> {
      if (count[0]++ == 1) {
        firstLast[0] = System.nanoTime();
      }
      firstLast[1] = System.nanoTime();
    });
    return length / ((firstLast[1] - firstLast[0]) / 1e9);
  }

  static Batch randomBatch(ModelSpec spec, int rows, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int seq = spec.seqLen();
    int[] ids = new int[rows * seq];
    int[] targets = new int[spec.lossOn() == LossOn.LAST ? rows : rows * seq];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(spec.vocabSize());
    }
    for (int i = 0; i < targets.length; i++) {
      targets[i] = rng.nextInt(spec.vocabSize());
    }
    return Batch.chars(rows, ids, targets);
  }

  private static Map<String, String> flags(String[] args) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --flag value, got " + args[i]);
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  private static int intFlag(Map<String, String> a, String name, int dflt) {
    return a.containsKey(name) ? Integer.parseInt(a.get(name)) : dflt;
  }

  /** Peak resident memory (VmHWM) and CPU time of this process, all threads. */
  static final class Rss {
    private Rss() {}

    /** utime + stime from /proc/self/stat: less disturbed than wall time on a busy machine. */
    static double cpuSeconds() {
      try {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // fields 14, 15; USER_HZ
      } catch (IOException e) {
        return Double.NaN;
      }
    }

    static double peakMb() {
      try {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (l.startsWith("VmHWM:")) {
            return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
          }
        }
      } catch (IOException e) {
        // not Linux: reported as NaN
      }
      return Double.NaN;
    }
  }

  /** Flat JSON objects of strings and numbers: all bench/run's reports need. */
  static final class Json {
    private Json() {}

    static String line(Map<String, Object> m) {
      StringBuilder b = new StringBuilder("{");
      for (var e : m.entrySet()) {
        if (b.length() > 1) {
          b.append(", ");
        }
        b.append('"').append(e.getKey()).append("\": ");
        Object v = e.getValue();
        if (v instanceof Number n) {
          double d = n.doubleValue();
          b.append(Double.isFinite(d) ? (v instanceof Double ? String.format(Locale.ROOT, "%.6g", d) : v.toString()) : "null");
        } else {
          b.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
      }
      return b.append('}').toString();
    }
  }
}

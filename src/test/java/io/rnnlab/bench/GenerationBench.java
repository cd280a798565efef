package io.rnnlab.bench;

import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.Tensors;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.CharModels;
import io.rnnlab.savedmodel.RnnlabModel;
import io.rnnlab.savedmodel.SavedModelExporter;
import io.rnnlab.train.Preset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Generation speed and memory for the shakespeare-lstm256 shape (one-hot 65 → LSTM 256 → Dense,
 * seq 100, random weights: speed does not depend on training). Prints a Markdown report.
 * Run it with {@code bench/generation/run.sh}; not a test.
 */
public final class GenerationBench {
  static final int ROUNDS = 5;
  static final Preset PRESET = Preset.named("shakespeare-lstm256");
  /** The preset's model over Tiny Shakespeare's 65 characters. */
  static final ModelSpec SPEC = PRESET.architecture().charModel(65);
  /** What {@code rnnlab generate} uses. */
  static final SessionOptions RNNLAB = CharModels.GENERATION_SESSION;
  static final SessionOptions ONE_THREAD = new SessionOptions(1, 1, false);
  /** rnnlab's run option for its own calls (see savedmodel.SignatureCall). */
  static final RunOptions CALLER_THREAD = RunOptions.newBuilder().setInterOpThreadPool(-1).build();

  private final Path model;
  private final Vocabulary vocab;
  private final String prompt;
  private final StringBuilder report = new StringBuilder();

  private GenerationBench(Path model, Vocabulary vocab) {
    this.model = model;
    this.vocab = vocab;
    StringBuilder p = new StringBuilder();
    SplittableRandom rng = new SplittableRandom(3);
    for (int i = 0; i < SPEC.seqLen(); i++) {
      p.append(vocab.symbol(rng.nextInt(vocab.size())));
    }
    this.prompt = p.toString();
  }

  public static void main(String[] args) throws Exception {
    double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0; // < 1 for a quick smoke run
    Path dir = Files.createTempDirectory("rnnlab-genbench");
    try {
      List<String> symbols = new ArrayList<>();
      for (int i = 0; i < SPEC.vocabSize(); i++) {
        symbols.add(Character.toString(' ' + i));
      }
      Vocabulary vocab = Vocabulary.of(symbols);
      Path saved = dir.resolve("saved_model");
      SavedModelExporter.export(SPEC, vocab, WeightInitializer.initialize(SPEC, 1), saved, RNNLAB);
      new GenerationBench(saved, vocab).run(scale);
    } finally {
      io.rnnlab.AtomicFiles.deleteTree(dir);
    }
  }

  private void run(double scale) throws IOException {
    line("## Generation");
    line("");
    line("Measured " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " by `bench/generation/run.sh`"
        + " (`src/test/java/io/rnnlab/bench/GenerationBench.java`).");
    line("Machine: " + Runtime.getRuntime().availableProcessors() + " cores (" + cpuModel() + "), "
        + "TensorFlow " + TensorFlow.version() + " (TF Java 1.1.0), Java " + System.getProperty("java.version")
        + ", load average at start " + loadAverage() + ".");
    line("Model: the shakespeare-lstm256 shape, " + SPEC.describe() + ", random weights; prompt of "
        + SPEC.seqLen() + " characters; temperature 0.8.");
    line("");

    int windowChars = (int) Math.max(20, 300 * scale);
    int statefulChars = (int) Math.max(200, 20_000 * scale);
    int batchSteps = (int) Math.max(20, 1_000 * scale);

    line("### Throughput (steady state, prompt excluded)");
    line("");
    line("Median of " + ROUNDS + " rounds; the configurations alternate within each round, so load drifts hit them alike.");
    line("");
    line("| mode | TF threads (intra/inter) | samples | chars/s | per step |");
    line("|---|---|---|---|---|");
    record Config(Mode mode, SessionOptions threads, int samples, int length) {}
    List<Config> configs = new ArrayList<>();
    for (SessionOptions threads : List.of(RNNLAB, ONE_THREAD)) {
      configs.add(new Config(Mode.WINDOW, threads, 1, windowChars));
      configs.add(new Config(Mode.STATEFUL, threads, 1, statefulChars));
      configs.add(new Config(Mode.STATEFUL, threads, 64, batchSteps));
    }
    double[][] rounds = new double[configs.size()][ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      for (int c = 0; c < configs.size(); c++) {
        Config k = configs.get(c);
        rounds[c][round] = charsPerSecond(k.threads(), k.mode(), k.samples(), k.length());
      }
    }
    double[] median = new double[configs.size()];
    for (int c = 0; c < configs.size(); c++) {
      Arrays.sort(rounds[c]);
      median[c] = rounds[c][ROUNDS / 2];
      Config k = configs.get(c);
      row(k.mode().name().toLowerCase(Locale.ROOT), k.threads(), k.samples(), median[c], k.samples());
    }
    line("");
    line(String.format(Locale.ROOT, "Stateful / window at batch 1 with rnnlab's generation session (%s threads):"
        + " **%.0f×** (with 1/1 threads: %.0f×).", threadLabel(RNNLAB), median[1] / median[0], median[4] / median[3]));
    line("");

    callPaths(scale);
    memory((int) Math.max(2_000, 100_000 * scale));
    line("Load average at the end: " + loadAverage() + ".");
    System.out.print(report);
  }

  /** Chars per second from the first to the last generated character (prompt and warm-up excluded). */
  private double charsPerSecond(SessionOptions threads, Mode mode, int samples, int length) {
    GenerationOptions o = GenerationOptions.of(0.8, 1).withMode(mode).withSamples(samples);
    try (Generator g = Generator.of(RnnlabModel.open(model, null, threads))) {
      g.generateAll(prompt.substring(0, 10), Math.min(length, 50), o); // graph warm-up
      long[] firstLast = new long[2];
      int[] count = {0};
      if (samples == 1) {
        g.generate(prompt, length, o, chunk -> {
          if (count[0]++ == 1) {
            firstLast[0] = System.nanoTime();
          }
          firstLast[1] = System.nanoTime();
        });
        return (length - 1) / ((firstLast[1] - firstLast[0]) / 1e9);
      }
      long t0 = System.nanoTime();
      g.generateAll(prompt, length, o);
      long warm = System.nanoTime();
      g.generateAll(prompt, 1, o); // the prompt alone, to subtract it
      long promptOnly = System.nanoTime() - warm;
      return (double) samples * length / ((warm - t0 - promptOnly) / 1e9);
    }
  }

  /** Where a batch-1 step's time goes: TF's call overhead, Java's call path, and the math. */
  private void callPaths(double scale) {
    int n = (int) Math.max(300, 5_000 * scale);
    line("### Per-character latency at batch 1, and where it goes");
    line("");
    line("Median of 5 rounds of " + n + " calls each; µs per call.");
    line("");
    line("| call | " + threadLabel(RNNLAB) + " threads (rnnlab) | 1/1 threads |");
    line("|---|---|---|");
    Map<String, double[]> rows = new java.util.LinkedHashMap<>();
    for (int t = 0; t < 2; t++) {
      SessionOptions threads = t == 0 ? RNNLAB : ONE_THREAD;
      try (SavedModelBundle b = SavedModelBundle.loader(model.toString()).withTags("serve")
          .withConfigProto(threads.toConfig()).load()) {
        put(rows, "`step` via `SessionFunction.call` (new tensors, map lookups)", t, median(() -> sessionFunction(b, n)));
        put(rows, "`step` via `Session.runner()`, feeds/fetches resolved once, new tensors", t, median(() -> rawRunner(b, n, false)));
        put(rows, "`step` via `Session.runner()`, resolved once, input tensors reused, caller thread (rnnlab's fallback)",
            t, median(() -> rawRunner(b, n, true)));
        put(rows, "`serving_default` window (100-step unroll) / 100: the math of one step", t,
            median(() -> windowCall(b, Math.max(5, n / 100))) / SPEC.seqLen());
      }
      try (RnnlabModel m = RnnlabModel.open(model, null, threads)) {
        put(rows, "`RnnlabModel.step`: `TF_SessionRun` (C API) on the same session, resolved once, inputs reused (rnnlab)",
            t, median(() -> modelStep(m, n)));
      }
      put(rows, "empty call through TF Java: feed [1, 512] → identity, fetch it", t, median(() -> emptyCall(threads, n)));
    }
    rows.forEach((k, v) -> line(String.format(Locale.ROOT, "| %s | %.1f | %.1f |", k, v[0], v[1])));
    line("");
    line(String.format(Locale.ROOT, "The math of one step is %,d multiply-adds (recurrent 256×1024 + Dense 256×65;"
        + " the one-hot input is a row gather): the window row above is what TF takes for it inside one call.",
        256 * 1024 + 256 * 65));
    line("");
  }

  private void memory(int length) {
    line("### Resident memory while generating " + String.format(Locale.ROOT, "%,d", length)
        + " characters (stateful, batch 1, from /proc/self/status VmRSS)");
    line("");
    List<long[]> samples = new ArrayList<>();
    try (Generator g = Generator.of(RnnlabModel.open(model, null, RNNLAB))) {
      long before = rssKb();
      int[] count = {0};
      long t0 = System.nanoTime();
      g.generate(prompt, length, GenerationOptions.of(0.8, 7).withMode(Mode.STATEFUL), chunk -> {
        if (count[0]++ % (length / 20) == 0) {
          samples.add(new long[] {count[0] - 1, rssKb()});
        }
      });
      double seconds = (System.nanoTime() - t0) / 1e9;
      long after = rssKb();
      long warm = samples.stream().filter(s -> s[0] >= length / 10).findFirst().orElseThrow()[1];
      long max = samples.stream().mapToLong(s -> s[1]).max().orElseThrow();
      line("| point | VmRSS |");
      line("|---|---|");
      line("| model loaded, before generating | " + mb(before) + " |");
      line("| after " + String.format(Locale.ROOT, "%,d", length / 10) + " characters (warm) | " + mb(warm) + " |");
      line("| after " + String.format(Locale.ROOT, "%,d", length) + " characters | " + mb(after) + " |");
      line("| highest sample (every " + String.format(Locale.ROOT, "%,d", length / 20) + " chars) | " + mb(max) + " |");
      line("");
      line(String.format(Locale.ROOT, "Growth from warm to last: %+.1f MB over %,d characters (%.0f chars/s in this run).",
          (after - warm) / 1024.0, length - length / 10, length / seconds));
      line("");
    }
  }

  private static double sessionFunction(SavedModelBundle b, int n) {
    SessionFunction f = b.function("step");
    float[] state = new float[SPEC.stateSize()];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      try (TInt32 ids = TInt32.vectorOf(i % 65);
          TFloat32 st = Tensors.floats(state, 1, state.length);
          Result r = f.call(Map.of("char_ids", ids, "state", st))) {
        ((TFloat32) r.get("state").orElseThrow()).copyTo(DataBuffers.of(state, false, false));
        Tensors.floats(r.get("probabilities").orElseThrow());
      }
    }
    return (System.nanoTime() - t0) / 1e3 / n;
  }

  private static double rawRunner(SavedModelBundle b, int n, boolean reuse) {
    Signature sig = b.function("step").signature();
    Output<?> ids = b.graph().outputOrThrow(sig.getInputs().get("char_ids").name);
    Output<?> st = b.graph().outputOrThrow(sig.getInputs().get("state").name);
    Output<?> probs = b.graph().outputOrThrow(sig.getOutputs().get("probabilities").name);
    Output<?> next = b.graph().outputOrThrow(sig.getOutputs().get("state").name);
    float[] state = new float[SPEC.stateSize()];
    try (TInt32 idT = TInt32.tensorOf(Shape.of(1)); TFloat32 stT = TFloat32.tensorOf(Shape.of(1, state.length))) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        TInt32 idIn = reuse ? idT : TInt32.vectorOf(i % 65);
        TFloat32 stIn = reuse ? stT : Tensors.floats(state, 1, state.length);
        if (reuse) {
          idT.setInt(i % 65, 0);
          stT.copyFrom(DataBuffers.of(state, true, false));
        }
        Session.Runner runner = b.session().runner();
        if (reuse) {
          runner.setOptions(CALLER_THREAD);
        }
        try (Result r = runner.feed(ids, idIn).feed(st, stIn).fetch(probs).fetch(next).run()) {
          ((TFloat32) r.get(1)).copyTo(DataBuffers.of(state, false, false));
          Tensors.floats(r.get(0));
        } finally {
          if (!reuse) {
            idIn.close();
            stIn.close();
          }
        }
      }
      return (System.nanoTime() - t0) / 1e3 / n;
    }
  }

  private static double modelStep(RnnlabModel m, int n) {
    float[][] state = new float[1][m.stateSize()];
    int[] id = new int[1];
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      id[0] = i % 65;
      m.step(id, state);
    }
    return (System.nanoTime() - t0) / 1e3 / n;
  }

  private static double windowCall(SavedModelBundle b, int n) {
    SessionFunction f = b.function("serving_default");
    try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, SPEC.seqLen(), SPEC.vocabSize()))) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        try (Result r = f.call(Map.of("inputs", x))) {
          Tensors.floats(r.get(0));
        }
      }
      return (System.nanoTime() - t0) / 1e3 / n;
    }
  }

  private static double emptyCall(SessionOptions threads, int n) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SPEC.stateSize())));
      Output<TFloat32> out = tf.identity(in).asOutput();
      try (Session s = new Session(g, threads.toConfig()); TFloat32 x = TFloat32.tensorOf(Shape.of(1, SPEC.stateSize()))) {
        for (int i = 0; i < 200; i++) {
          s.runner().feed(in, x).fetch(out).run().close();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          s.runner().feed(in, x).fetch(out).run().close();
        }
        return (System.nanoTime() - t0) / 1e3 / n;
      }
    }
  }

  private interface Measure {
    double run();
  }

  private static double median(Measure m) {
    double[] v = new double[5];
    m.run(); // warm-up round
    for (int i = 0; i < v.length; i++) {
      v[i] = m.run();
    }
    Arrays.sort(v);
    return v[v.length / 2];
  }

  private static void put(Map<String, double[]> rows, String key, int column, double value) {
    rows.computeIfAbsent(key, k -> new double[2])[column] = value;
  }

  private void row(String mode, SessionOptions threads, int samples, double charsPerSecond, int rows) {
    double perStep = 1e6 / (charsPerSecond / rows);
    line(String.format(Locale.ROOT, "| %s | %s | %d | %,.0f | %s |", mode, threadLabel(threads), samples,
        charsPerSecond, perStep >= 1000 ? String.format(Locale.ROOT, "%.2f ms", perStep / 1000)
            : String.format(Locale.ROOT, "%.0f µs", perStep)));
  }

  private static String threadLabel(SessionOptions o) {
    return o.intraOpThreads() == 0 ? "TF default (0/0)" : o.intraOpThreads() + "/" + o.interOpThreads();
  }

  private void line(String s) {
    report.append(s).append('\n');
  }

  static long rssKb() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // not Linux: reported as 0
    }
    return 0;
  }

  private static String mb(long kb) {
    return String.format(Locale.ROOT, "%.1f MB", kb / 1024.0);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}

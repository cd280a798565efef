package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random command lines through {@link Main#run}: each command with random subsets of its options,
 * each set to a good, absurd or malformed value, plus free junk. Whatever the line, rnnlab exits 0
 * or 2 — never 1, which means an exception escaped as a bug — and a 2 comes with exactly one line
 * on stderr. Options that would download data, train a large model or generate for minutes are
 * pinned to safe values (listed per command) and not fuzzed; every run writes into its own fresh
 * directory. Not generated: {@code --debug} (it prints stack traces on purpose) and NUL characters
 * (no shell can pass one in an argument).
 */
class CliFuzzTest {
  static final Duration BOUND = Duration.ofSeconds(120);
  private static final ExecutorService WORKER = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cli-fuzz");
    t.setDaemon(true);
    return t;
  });

  static Path scratch;
  static Path run;
  static Path corpus;
  static Path binary;
  static Path vocab;
  static Path badVocab;
  static int fresh;

  static final List<String> NUMBERS = List.of("-1", "0", "1", "2", "3", "abc", "", "1e3", "2147483648", "NaN",
      "-0.5", "0.5", "1.5", "Infinity");

  @BeforeContainer
  static void fixtures() throws IOException {
    scratch = Files.createTempDirectory("rnnlab-cli-fuzz-");
    run = scratch.resolve("run");
    Cli r = Cli.run("train", "--preset", "hello-lstm", "--units", "4", "--epochs", "1", "--device", "cpu",
        "--sample-length", "0", "--out", run.toString());
    assertThat(r.code()).as(r.toString()).isZero();
    corpus = Files.writeString(scratch.resolve("corpus.txt"), "the cat sat on the mat. the dog sat on the log. ");
    binary = Files.write(scratch.resolve("noise.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80});
    vocab = run.resolve("vocab.json");
    badVocab = Files.writeString(scratch.resolve("bad-vocab.json"), "{\"chars\": [\"a\", ");
  }

  @AfterContainer
  static void cleanUp() throws IOException {
    io.rnnlab.AtomicFiles.deleteTree(scratch);
  }

  static String freshDir() {
    return scratch.resolve("out-" + (fresh++)).toString();
  }

  static List<String> paths() {
    return List.of(run.toString(), run.resolve("saved_model").toString(), scratch.resolve("missing").toString(),
        corpus.toString(), binary.toString(), scratch.toString(), vocab.toString(), badVocab.toString(),
        "saved_models/keras3-lstm-hello", "saved_models/keras3-sum-lstm", "saved_models/keras3-lstm-hello.keras", "");
  }

  /** One option and the values it may get. */
  record Opt(String name, List<String> values) {}

  static Opt opt(String name, String... values) {
    return new Opt(name, List.of(values));
  }

  static Opt number(String name) {
    return new Opt(name, NUMBERS);
  }

  static Opt path(String name) {
    return new Opt(name, null); // values: paths(), known only once the fixtures exist
  }

  static Opt flag(String name) {
    return new Opt(name, List.of());
  }

  /** Options to fuzz per command; the pinned ones are added by {@link #line}. */
  static final Map<String, List<Opt>> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("train", List.of(path("--data"), opt("--corpus", "hello", "bye", ""), flag("--clean-newlines"),
        number("--limit-chars"), opt("--cell", "lstm", "simple_rnn", "rnn", "gru", ""), number("--layers"),
        number("--units"), number("--embedding-dim"), number("--dropout"), number("--seq-len"), number("--step"),
        opt("--loss-on", "last", "all", "first"), number("--epochs"), number("--batch-size"), number("--lr"),
        number("--val-fraction"), opt("--split", "contiguous", "random", "sideways"), number("--val-batches"),
        number("--seed"), number("--checkpoint-every"), number("--keep-checkpoints"), flag("--resume"),
        opt("--device", "cpu", "gpu", "auto", "tpu"), number("--threads"), opt("--prompt", "the", "", "\u00e9"),
        number("--temperature"), path("--init-from"), number("--samples")));
    OPTIONS.put("generate", List.of(path("--model"), opt("--prompt", "hello", "", "h", "\u00e9\u00e8", "hello world. "),
        number("--length"), number("--temperature"), number("--top-k"), number("--seed"),
        opt("--mode", "auto", "stateful", "window", "sideways"), number("--samples"),
        opt("--format", "plain", "paragraphs", "html"), path("--vocab"), opt("--unknown", "error", "skip", "ignore"),
        opt("--device", "cpu", "gpu", "auto", "tpu"), number("--threads")));
    OPTIONS.put("export", List.of(path("--run"), path("--checkpoint"), opt("--checkpoint", "ckpt-000000006", "ckpt-1")));
    OPTIONS.put("inspect", List.of(flag("--json"), path("--vocab"), flag("--check")));
    OPTIONS.put("compare", List.of(opt("--prompt", "the ", "", "\u00e9"), number("--temperature"), number("--seed"),
        opt("--mode", "auto", "stateful", "window", "sideways"), number("--length")));
    OPTIONS.put("experiment", List.of(opt("--task", "hello", "poems", "HELLO", ""), number("--epochs"),
        path("--data"), number("--seed"), opt("--prompt", "hello", "", "\u00e9"), number("--temperature"),
        opt("--mode", "auto", "window", "sideways"), opt("--device", "cpu", "gpu", "tpu"), number("--threads")));
  }

  /** A command line for {@code command}: pinned safe options, then up to five fuzzed ones. */
  static Arbitrary<List<String>> line(String command) {
    List<Opt> opts = OPTIONS.get(command);
    Arbitrary<List<Integer>> picks = Arbitraries.integers().between(0, opts.size() - 1).list().ofMaxSize(5).uniqueElements();
    Arbitrary<Long> choices = Arbitraries.longs();
    Arbitrary<String> pinned = Arbitraries.of("hello-lstm", "hello-rnn", "sum-rnn", "sum-lstm", "gpt-9");
    Arbitrary<Boolean> junk = Arbitraries.of(false, false, false, true);
    return Combinators.combine(picks, choices, pinned, junk).as((p, seed, preset, withJunk) -> {
      java.util.Random r = new java.util.Random(seed);
      List<String> a = new ArrayList<>(List.of(command));
      // Options a fuzzed value may replace: the required ones, so that most lines get past them.
      Map<String, String> options = new LinkedHashMap<>();
      switch (command) {
        // Never fuzzed: the default preset downloads Tiny Shakespeare, and a run without a step
        // limit or with a long sample takes minutes.
        case "train" -> a.addAll(List.of("--preset", preset, "--max-steps", "1", "--sample-length", "0",
            "--out", freshDir()));
        case "experiment" -> a.addAll(List.of(r.nextInt(4) == 0 ? "gru-vs-lstm" : "rnn-vs-lstm", "--max-steps", "1",
            "--length", "0", "--out", freshDir()));
        case "generate" -> {
          options.put("--model", run.toString());
          options.put("--prompt", "hello");
          options.put("--length", "3");
        }
        case "export" -> {
          a.addAll(List.of("--out", freshDir(), "--keras", freshDir() + "/m.keras"));
          options.put("--run", run.toString());
        }
        case "inspect" -> a.add(pick(paths(), r));
        case "compare" -> a.addAll(List.of(pick(paths(), r), "--out", freshDir()));
        default -> { }
      }
      for (int i : p) {
        Opt o = opts.get(i);
        options.put(o.name(), o.values() == null ? pick(paths(), r) : o.values().isEmpty() ? null : pick(o.values(), r));
      }
      options.forEach((name, value) -> {
        a.add(name);
        if (value != null) {
          a.add(value);
        }
      });
      if (withJunk) {
        // Last, so that it can never become the value of an option (a junk --out would write into
        // the working directory).
        a.add(pick(List.of("--", "-x", "--help=3", "@nofile", "--out", "extra"), r));
      }
      return a;
    });
  }

  static String pick(List<String> values, java.util.Random r) {
    return values.get(r.nextInt(values.size()));
  }

  @Provide
  Arbitrary<List<String>> trainLines() {
    return line("train");
  }

  @Provide
  Arbitrary<List<String>> generateLines() {
    return line("generate");
  }

  @Provide
  Arbitrary<List<String>> otherLines() {
    return Arbitraries.oneOf(line("export"), line("inspect"), line("compare"));
  }

  @Provide
  Arbitrary<List<String>> experimentLines() {
    return line("experiment");
  }

  /**
   * Little command knowledge: a first word, then tokens from every command in any order. The
   * first word is never train or experiment: "train" alone is a valid line, whose default preset
   * trains Tiny Shakespeare for hours (or downloads it); those two are fuzzed above with their
   * limits pinned.
   */
  @Provide
  Arbitrary<List<String>> junkLines() {
    List<String> tokens = new ArrayList<>(List.of("train", "generate", "export", "inspect", "compare", "experiment",
        "help", "--help", "--version", "-h", "", " ", "--", "-", "--out", "--model=", "--length=-1"));
    OPTIONS.values().forEach(l -> l.forEach(o -> tokens.add(o.name())));
    tokens.addAll(NUMBERS);
    Arbitrary<String> first = Arbitraries.of("generate", "export", "inspect", "compare", "help", "--help", "-h",
        "--version", "", "fit", "--out");
    return Combinators.combine(first, Arbitraries.of(tokens).list().ofMaxSize(5)).as((f, l) -> {
      List<String> a = new ArrayList<>();
      a.add(f);
      a.addAll(l);
      // a fresh place for anything that writes, so no line touches another's output
      a.replaceAll(t -> t.equals("--out") ? "--out=" + freshDir() : t);
      return a;
    });
  }

  @Property(tries = 40)
  void train(@ForAll("trainLines") List<String> args) {
    check(args);
  }

  @Property(tries = 120)
  void generate(@ForAll("generateLines") List<String> args) {
    check(args);
  }

  @Property(tries = 120)
  void exportInspectCompare(@ForAll("otherLines") List<String> args) {
    check(args);
  }

  @Property(tries = 15)
  void experiment(@ForAll("experimentLines") List<String> args) {
    check(args);
  }

  @Property(tries = 300)
  void junk(@ForAll("junkLines") List<String> args) {
    check(args);
  }

  /** Exit 0, or 2 with one line; anything else (an escaped exception, a hang) fails. */
  static void check(List<String> args) {
    Cli r = bounded(() -> Cli.run(args));
    assertThat(r.code()).as("%s%n%s", args, r).isIn(Main.OK, Main.USAGE);
    if (r.code() == Main.USAGE) {
      // One error line. Only compare, when no run is usable, first lists why, one warning per
      // problem (its own tests specify that).
      List<String> lines = r.errLines();
      assertThat(lines).as("%s%n%s", args, r).isNotEmpty();
      assertThat(lines.get(lines.size() - 1)).as("%s%n%s", args, r).startsWith("rnnlab: error: ")
          .doesNotContain("Exception", "\tat ");
      assertThat(lines.subList(0, lines.size() - 1)).as("%s%n%s", args, r)
          .allSatisfy(l -> assertThat(l).startsWith(args.get(0).equals("compare") ? "rnnlab: warning: run " : "never"));
    }
  }

  private static Cli bounded(Callable<Cli> c) {
    Future<Cli> f = WORKER.submit(c);
    try {
      return f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("command still running after " + BOUND);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}

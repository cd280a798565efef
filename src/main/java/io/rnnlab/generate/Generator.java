package io.rnnlab.generate;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.generate.GenerationOptions.Mode;
import io.rnnlab.generate.GenerationOptions.UnknownChars;
import io.rnnlab.interop.KerasArchive;
import io.rnnlab.interop.KerasSavedModel;
import io.rnnlab.interop.RnnlabModel;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.train.TrainJob;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Text from a {@link CharModel}: a prompt, then characters drawn one at a time by a {@link
 * Sampler}.
 *
 * <ul>
 *   <li><b>Stateful</b>: a zero state, the prompt fed one character at a time (all of it, however
 *       long), then one step per new character: O(1) work each.
 *   <li><b>Window</b>: the tutorials' loop, the last seq_len characters through the whole network
 *       per new character; short prompts are padded as {@link SlidingWindows} explains.
 * </ul>
 *
 * The prompt must not be empty in either mode: a model has nothing to predict from without a
 * character (the state would stay zero and the window would be all padding). Several samples of
 * one prompt run side by side, one model call per character for all of them. Owns the model.
 */
public final class Generator implements AutoCloseable {
  /**
   * CPU with TF's default thread pools. A batch-1 step is a few small matrix-vector products whose
   * cost is latency, which a GPU transfer would only add to; the window's matrix products do use
   * the cores (docs/BENCHMARKS.md, Generation: one thread is no faster for the step).
   */
  public static final SessionOptions GENERATION_SESSION = SessionOptions.cpuOnly();

  private final CharModel model;

  private Generator(CharModel model) {
    this.model = Objects.requireNonNull(model, "model");
  }

  /** Takes ownership of {@code model}. */
  public static Generator of(CharModel model) {
    return new Generator(model);
  }

  /** See {@link #open(Path, Path, SessionOptions)}; runs on {@link #GENERATION_SESSION}. */
  public static Generator open(Path path, Path vocabOverride) {
    return open(path, vocabOverride, GENERATION_SESSION);
  }

  /**
   * Opens an rnnlab run directory (its {@code saved_model/}), an rnnlab SavedModel, any other
   * SavedModel (trained in Python), or a Keras {@code .keras} file. {@code vocabOverride} (may be
   * null) replaces the model's own vocabulary file.
   */
  public static Generator open(Path path, Path vocabOverride, SessionOptions options) {
    Objects.requireNonNull(path, "path");
    if (KerasArchive.isKerasFile(path)) {
      return new Generator(RnnlabModel.openKeras(path, vocabOverride, options));
    }
    if (RnnlabModel.locate(path).isPresent()) {
      return new Generator(RnnlabModel.open(path, vocabOverride, options));
    }
    if (Files.isRegularFile(path.resolve("saved_model.pb"))) {
      return new Generator(KerasSavedModel.open(path, vocabOverride, options));
    }
    throw new UserInputException(whyNotAModel(path));
  }

  public CharModel model() {
    return model;
  }

  /** The mode {@code requested} runs in on this model. */
  public Mode resolve(Mode requested) {
    return switch (requested) {
      case AUTO -> model.stepByDefault() ? Mode.STATEFUL : Mode.WINDOW;
      case WINDOW -> Mode.WINDOW;
      case STATEFUL -> {
        if (!model.hasStep()) {
          throw new UserInputException(model.describe()
              + " has no step signature, so it cannot generate statefully; use mode window or auto");
        }
        yield Mode.STATEFUL;
      }
    };
  }

  /**
   * One sample: sends the prompt, then each new character as it is drawn, to {@code sink}, and
   * returns the prompt followed by the {@code length} new characters.
   */
  public String generate(String prompt, int length, GenerationOptions options, Consumer<String> sink) {
    StringBuilder text = new StringBuilder();
    stream(prompt, length, options, s -> {
      text.append(s);
      sink.accept(s);
    });
    return text.toString();
  }

  /**
   * As {@link #generate} without keeping the text: memory stays flat however long it runs (the
   * CLI's path, where {@code --length} may be in the billions).
   */
  public void stream(String prompt, int length, GenerationOptions options, Consumer<String> sink) {
    if (options.samples() != 1) {
      throw new IllegalArgumentException("generate streams one sample; use generateAll for " + options.samples());
    }
    Vocabulary vocab = model.vocabulary();
    Mode mode = check(length, options);
    int[] ids = encodePrompt(prompt, options.unknown());
    sink.accept(prompt); // only once nothing the user gave can fail any more
    run(ids, length, mode, options, (row, id) -> sink.accept(vocab.symbol(id)));
  }

  /** {@code options.samples()} continuations of one prompt, each returned as prompt + new text. */
  public List<String> generateAll(String prompt, int length, GenerationOptions options) {
    Vocabulary vocab = model.vocabulary();
    Mode mode = check(length, options);
    int[] ids = encodePrompt(prompt, options.unknown());
    List<StringBuilder> texts = new ArrayList<>();
    for (int r = 0; r < options.samples(); r++) {
      texts.add(new StringBuilder(prompt));
    }
    run(ids, length, mode, options, (row, id) -> texts.get(row).append(vocab.symbol(id)));
    return texts.stream().map(StringBuilder::toString).toList();
  }

  /**
   * The next-character probabilities after {@code prompt} in {@code mode} (resolved as {@link
   * #resolve} does): the distribution the first new character is drawn from, before temperature.
   */
  public float[] nextProbabilities(String prompt, Mode mode, UnknownChars unknown) {
    Mode resolved = resolve(mode);
    return predictor(resolved, 1, encodePrompt(prompt, unknown)).first()[0];
  }

  /** The prompt's ids; unknown characters are an error listing them, or dropped. */
  int[] encodePrompt(String prompt, UnknownChars unknown) {
    Objects.requireNonNull(prompt, "prompt");
    if (prompt.isEmpty()) {
      throw new UserInputException("the prompt is empty; give at least one character to start from");
    }
    Vocabulary vocab = model.vocabulary();
    if (unknown == UnknownChars.ERROR) {
      try {
        return vocab.encode(prompt);
      } catch (UserInputException e) {
        throw new UserInputException("prompt: " + e.getMessage() + " (" + vocab.size()
            + " in this model's vocabulary), or skip them with --unknown skip");
      }
    }
    int[] ids = vocab.encode(prompt, true);
    if (ids.length == 0) {
      throw new UserInputException("no character of the prompt is in the model's vocabulary of "
          + vocab.size() + "; nothing is left to start from");
    }
    return ids;
  }

  /** Receives every new character's id, row by row within a step, steps in order. */
  private interface Emitter {
    void accept(int row, int id);
  }

  /** The mode to run in, after checking what the user asked for. */
  private Mode check(int length, GenerationOptions options) {
    if (length < 0) {
      throw new UserInputException("length must be >= 0, got " + length);
    }
    return resolve(options.mode());
  }

  private void run(int[] prompt, int length, Mode mode, GenerationOptions options, Emitter emit) {
    if (length == 0) {
      return;
    }
    int rows = options.samples();
    Sampler[] samplers = new Sampler[rows];
    for (int r = 0; r < rows; r++) {
      samplers[r] = new Sampler(options.temperature(), options.topK(), options.seedOf(r));
    }
    Predictor predictor = predictor(mode, rows, prompt);
    float[][] p = predictor.first();
    int[] next = new int[rows];
    for (int t = 0; t < length; t++) {
      for (int r = 0; r < rows; r++) {
        next[r] = samplers[r].sample(p[r]);
        emit.accept(r, next[r]);
      }
      if (t + 1 < length) { // the last character needs no prediction after it
        p = predictor.advance(next);
      }
    }
  }

  private Predictor predictor(Mode mode, int rows, int[] prompt) {
    return mode == Mode.STATEFUL
        ? new Stateful(model, rows, prompt)
        : new Windowed(model, rows, prompt, model.vocabulary().idOf(' '));
  }

  /** Next-character probabilities per row: after the prompt, then after each new character. */
  private interface Predictor {
    float[][] first();

    float[][] advance(int[] ids);
  }

  private static final class Stateful implements Predictor {
    private final CharModel model;
    private final float[][] state;
    private final float[][] first;

    /**
     * The prompt is the same for every row, so it warms one state that is then copied: a long
     * prompt costs the same for 64 samples as for one, and each row's numbers are exactly those
     * of a single-sample run.
     */
    Stateful(CharModel model, int rows, int[] prompt) {
      this.model = model;
      float[][] warm = new float[1][model.stateSize()];
      float[][] p = null;
      for (int id : prompt) {
        p = model.step(new int[] {id}, warm);
      }
      state = new float[rows][];
      first = new float[rows][];
      for (int r = 0; r < rows; r++) {
        state[r] = warm[0].clone();
        first[r] = p[0];
      }
    }

    @Override
    public float[][] first() {
      return first;
    }

    @Override
    public float[][] advance(int[] ids) {
      return model.step(ids, state);
    }
  }

  private static final class Windowed implements Predictor {
    private final CharModel model;
    private final SlidingWindows windows;

    Windowed(CharModel model, int rows, int[] prompt, int padId) {
      this.model = model;
      this.windows = new SlidingWindows(rows, prompt, model.seqLen(), padId);
    }

    @Override
    public float[][] first() {
      return model.predictWindow(windows.current());
    }

    @Override
    public float[][] advance(int[] ids) {
      windows.push(ids);
      return model.predictWindow(windows.current());
    }
  }

  @Override
  public void close() {
    model.close();
  }

  /** Why {@code path} cannot be opened, naming what is there instead. */
  private static String whyNotAModel(Path path) {
    String expected = "pass an rnnlab run directory, an rnnlab SavedModel, a Keras SavedModel directory or a .keras file";
    if (!Files.exists(path)) {
      return "model " + path + " does not exist; " + expected;
    }
    if (!Files.isDirectory(path)) {
      String h5 = KerasArchive.h5Hint(path);
      return h5 != null ? h5 : "model " + path + " is a file but not a .keras file; " + expected;
    }
    if (Files.isRegularFile(path.resolve(TrainJob.SPEC))) {
      return "run directory " + path + " has no saved_model/ yet (the run has not finished); "
          + "finish it with rnnlab train --resume --out " + path;
    }
    List<String> found;
    try (Stream<Path> entries = Files.list(path)) {
      found = entries.map(p -> p.getFileName().toString()).sorted().limit(6).toList();
    } catch (IOException e) {
      return "model " + path + " cannot be read (" + e.getMessage() + "); " + expected;
    }
    String listing = found.isEmpty() ? "it is empty"
        : "found " + String.join(", ", found.subList(0, Math.min(5, found.size())))
            + (found.size() > 5 ? ", …" : "");
    return "model " + path + " holds no saved_model.pb, saved_model/ or assets/spec.json (" + listing + "); "
        + expected;
  }
}

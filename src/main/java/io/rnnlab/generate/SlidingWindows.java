package io.rnnlab.generate;

/**
 * The tutorials' window algorithm for a batch of rows that share a prompt: the model sees the
 * last {@code length} ids of each row; every new id is appended and the oldest one drops out.
 *
 * <p><b>Prompts shorter than the window</b> are padded on the left. The reference notebook pads
 * with id 0, which is a real character (often {@code '\n'} or {@code ' '}, whichever sorts
 * first), so the model reads text that never existed. rnnlab pads with a space when the
 * vocabulary has one: a prompt then reads as the start of a word after blank text, which is what
 * a prompt usually is, and space is the most common character of almost every corpus, so it
 * pushes the state least towards any particular continuation. Without a space the prompt is
 * cycled to the left so the window still ends with it ({@code "llohello"} for {@code "hello"} in
 * a window of 8), which keeps every input a character the user chose. Either way the first
 * predictions of a short prompt differ from stateful mode, which starts from a zero state and
 * sees only the prompt; after {@code length} new characters the padding has slid out.
 *
 * <p><b>Free-length models</b> ({@code fixedLength = -1}) get no padding: the window starts as the
 * prompt and grows with the text up to {@code max(prompt length, FREE_MAX)}, then slides.
 */
final class SlidingWindows {
  /** The tutorials' seq_len; caps the cost per character of models that accept any length. */
  static final int FREE_MAX = 100;

  private final int[][] rows;
  private final int capacity;
  private int filled;

  /**
   * @param fixedLength the model's window length, or -1 if it takes any length
   * @param padId the id to pad with, or -1 to cycle the prompt
   */
  SlidingWindows(int rowCount, int[] prompt, int fixedLength, int padId) {
    if (prompt.length == 0) {
      throw new IllegalArgumentException("empty prompt");
    }
    capacity = fixedLength > 0 ? fixedLength : Math.max(prompt.length, FREE_MAX);
    int[] start = fixedLength > 0 ? leftPad(prompt, fixedLength, padId) : prompt;
    filled = Math.min(start.length, capacity);
    rows = new int[rowCount][capacity];
    for (int[] row : rows) {
      System.arraycopy(start, start.length - filled, row, 0, filled);
    }
  }

  /** The current windows, [rows][length]; valid until the next {@link #push}. */
  int[][] current() {
    if (filled == capacity) {
      return rows;
    }
    int[][] view = new int[rows.length][];
    for (int r = 0; r < rows.length; r++) {
      view[r] = java.util.Arrays.copyOf(rows[r], filled);
    }
    return view;
  }

  /** Appends one id per row, dropping the oldest once the window is full. */
  void push(int[] ids) {
    for (int r = 0; r < rows.length; r++) {
      int[] row = rows[r];
      if (filled == capacity) {
        System.arraycopy(row, 1, row, 0, capacity - 1);
        row[capacity - 1] = ids[r];
      } else {
        row[filled] = ids[r];
      }
    }
    filled = Math.min(filled + 1, capacity);
  }

  /** The last {@code length} ids of the prompt, left-padded (see the class comment). */
  static int[] leftPad(int[] prompt, int length, int padId) {
    int[] w = new int[length];
    int offset = length - prompt.length; // where the prompt starts; negative = truncated
    for (int i = 0; i < length; i++) {
      int k = i - offset;
      if (k >= 0) {
        w[i] = prompt[k];
      } else {
        w[i] = padId >= 0 ? padId : prompt[Math.floorMod(k, prompt.length)];
      }
    }
    return w;
  }
}

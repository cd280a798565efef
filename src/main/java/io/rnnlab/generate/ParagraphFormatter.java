package io.rnnlab.generate;

import java.util.function.Consumer;

/**
 * The tutorials' numbered output: the text split on {@code ". "}, each piece printed under
 * "Paragraph i:" with a blank line between. Only the separator's space is dropped; each piece
 * but the last keeps its full stop, so no character of the text is lost.
 *
 * <p>Works on a stream: text arrives in chunks (the prompt, then one character at a time) and
 * goes out as soon as it is known not to start a separator, so generation still streams.
 * Call {@link #finish} at the end.
 */
public final class ParagraphFormatter implements Consumer<String> {
  private final Consumer<String> out;
  private int paragraph;
  private boolean pendingStop; // a '.' held back until we know whether ' ' follows

  public ParagraphFormatter(Consumer<String> out) {
    this.out = out;
  }

  /** The whole text, formatted. */
  public static String format(String text) {
    StringBuilder s = new StringBuilder();
    ParagraphFormatter f = new ParagraphFormatter(s::append);
    f.accept(text);
    f.finish();
    return s.toString();
  }

  @Override
  public void accept(String chunk) {
    if (paragraph == 0) {
      startParagraph("");
    }
    StringBuilder ready = new StringBuilder();
    chunk.codePoints().forEach(cp -> {
      if (pendingStop) {
        pendingStop = false;
        if (cp == ' ') {
          out.accept(ready.append('.').toString());
          ready.setLength(0);
          startParagraph("\n\n");
          return;
        }
        ready.append('.');
      }
      if (cp == '.') {
        pendingStop = true;
      } else {
        ready.appendCodePoint(cp);
      }
    });
    if (ready.length() > 0) {
      out.accept(ready.toString());
    }
  }

  /** Emits a held-back full stop and ends the last paragraph's line. */
  public void finish() {
    if (paragraph == 0) {
      startParagraph("");
    }
    out.accept(pendingStop ? ".\n" : "\n");
    pendingStop = false;
  }

  private void startParagraph(String before) {
    paragraph++;
    out.accept(before + "Paragraph " + paragraph + ":\n");
  }
}

package io.rnnlab.compare;

/** Text that has to survive inside a GitHub-flavoured markdown table cell. */
final class Markdown {
  private Markdown() {}

  /** Plain text: a pipe would end the cell and a newline the row. */
  static String cell(String s) {
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").replace("\n", " ");
  }

  /**
   * Generated text shown verbatim: an inline code span (so markdown characters stay literal) whose
   * fence is longer than any backtick run inside, newlines shown as ⏎. GFM splits cells on pipes
   * before it parses code spans, so pipes are escaped there too.
   */
  static String code(String s) {
    String text = s.replace("\r", "").replace("\n", "⏎").replace("|", "\\|");
    int longest = 0;
    int run = 0;
    for (int i = 0; i < text.length(); i++) {
      run = text.charAt(i) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(longest + 1);
    return fence + " " + text + " " + fence;
  }
}

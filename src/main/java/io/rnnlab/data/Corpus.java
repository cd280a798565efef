package io.rnnlab.data;

import io.rnnlab.InputFiles;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A training text and a short name for logs and run metadata. Lengths and limits count Unicode
 * code points, because that is what the vocabulary calls a character.
 */
public record Corpus(String name, String text) {
  private static final String HELLO_TEXT =
      "hello world. this is a simple example of character level text generation using rnn and"
          + " lstm.";
  private static final Pattern NEWLINE = Pattern.compile("\r\n|\r|\n");
  private static final Pattern SPACE_RUN = Pattern.compile(" {2,}");

  public Corpus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(text, "text");
  }

  /**
   * The largest corpus file read: its bytes, the decoded text and one int per character must fit
   * the launcher's 2 GB heap beside the model (Tiny Shakespeare is 1.1 MB).
   */
  public static final long MAX_BYTES = 128 * InputFiles.MIB;

  /** Reads a UTF-8 text file; every way the file can be unusable is reported as a user mistake. */
  public static Corpus fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (Files.isDirectory(file)) {
      throw new UserInputException(
          "corpus " + file + " is a directory; pass a UTF-8 text file with --data FILE");
    }
    if (!Files.exists(file)) {
      throw new UserInputException(
          "corpus " + file + " does not exist; check the path given with --data FILE");
    }
    InputFiles.requireRegular(file, MAX_BYTES, "corpus " + file);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (AccessDeniedException e) {
      throw new UserInputException(
          "corpus " + file + " is not readable (permission denied); fix its permissions", e);
    } catch (IOException e) {
      throw new UserInputException("cannot read corpus " + file + " (" + Messages.cause(e) + ")", e);
    }
    String text;
    try {
      text = Utf8.decode(bytes);
    } catch (Utf8.MalformedException e) {
      throw new UserInputException(
          "corpus "
              + file
              + " is not valid UTF-8 (byte offset "
              + e.byteOffset()
              + "); convert it, e.g. iconv -f LATIN1 -t UTF-8",
          e);
    }
    if (text.isEmpty()) {
      throw new UserInputException("corpus " + file + " is empty; pass a file with some text");
    }
    Path fileName = file.getFileName();
    return new Corpus(fileName == null ? file.toString() : fileName.toString(), text);
  }

  /** The one-sentence text of the Keras hello-world tutorials, for smoke tests without data. */
  public static Corpus hello() {
    return new Corpus("hello", HELLO_TEXT);
  }

  /**
   * Newlines become spaces and runs of spaces shrink to one, as the tutorials do with {@code
   * text.replace('\n', ' ')} before building the vocabulary, so a line break is not a symbol.
   */
  public Corpus cleanNewlines() {
    String oneLine = NEWLINE.matcher(text).replaceAll(" ");
    return new Corpus(name, SPACE_RUN.matcher(oneLine).replaceAll(" "));
  }

  /** The first {@code maxChars} code points; a limit never splits a surrogate pair. */
  public Corpus limit(int maxChars) {
    if (maxChars < 1) {
      throw new UserInputException(
          "character limit must be at least 1 (got " + maxChars + "); leave it out to use all");
    }
    if (length() <= maxChars) {
      return this;
    }
    return new Corpus(name, text.substring(0, text.offsetByCodePoints(0, maxChars)));
  }

  /** Length in code points (not UTF-16 chars). */
  public int length() {
    return text.codePointCount(0, text.length());
  }

  @Override
  public String toString() {
    // The text can be megabytes; keep logs and assertion messages readable.
    return "Corpus[name=" + name + ", length=" + length() + "]";
  }
}

package io.rnnlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The one check before rnnlab reads a file a user pointed it at: it must be a regular file (a
 * FIFO or a device would block the read forever or never end) of a size the reader can hold
 * (a corpus of gigabytes would exhaust the heap). Readers keep their own messages for a missing
 * file or a directory; this adds what they cannot see.
 */
public final class InputFiles {
  public static final long MIB = 1L << 20;

  private InputFiles() {}

  /**
   * @param what the file as the message should name it ("corpus x.txt", "vocabulary v.json")
   * @throws UserInputException when {@code file} is not a regular file or is over {@code maxBytes}
   */
  public static void requireRegular(Path file, long maxBytes, String what) {
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(what + " is not a regular file (a device, FIFO or socket cannot be read as one)");
    }
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UserInputException("cannot read " + what + " (" + Messages.reason(e) + ")", e);
    }
    if (size > maxBytes) {
      throw new UserInputException(String.format(java.util.Locale.ROOT,
          "%s is %,d bytes, over the %,d rnnlab reads for it", what, size, maxBytes));
    }
  }
}

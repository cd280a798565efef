package io.rnnlab.data;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 decoding. {@code new String(bytes, UTF_8)} silently turns bad bytes into U+FFFD,
 * which would then become a real vocabulary symbol; we would rather tell the user where the file
 * is broken.
 */
final class Utf8 {
  private static final char BOM = '\uFEFF';

  private Utf8() {}

  /** Thrown with the byte offset of the first malformed or unmappable sequence. */
  static final class MalformedException extends Exception {
    private final long byteOffset;

    MalformedException(long byteOffset) {
      super("not valid UTF-8 (byte offset " + byteOffset + ")");
      this.byteOffset = byteOffset;
    }

    long byteOffset() {
      return byteOffset;
    }
  }

  /** Decodes {@code bytes} and drops one leading byte-order mark (editors on Windows add it). */
  static String decode(byte[] bytes) throws MalformedException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    // UTF-8 never yields more UTF-16 chars than it has bytes, so one buffer always suffices.
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw new MalformedException(in.position());
    }
    result = decoder.flush(out);
    if (result.isError()) {
      throw new MalformedException(in.position());
    }
    out.flip();
    if (out.hasRemaining() && out.get(0) == BOM) {
      out.position(1);
    }
    return out.toString();
  }
}

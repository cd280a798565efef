package io.rnnlab.model;

import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * rnnlab's own named-tensor file (checkpoints): magic, count, then per tensor its name, rank,
 * dims and little-endian float32 data. Small and dependency-free; integrity is checked by the
 * SHA-256 the checkpoint manifest records, and structure errors here become clear messages.
 */
public final class TensorFile {
  private static final byte[] MAGIC = "RNNLABT1".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_NAME = 1024;
  private static final int MAX_RANK = 8;

  private TensorFile() {}

  /** Writes and fsyncs; callers write to a temporary path and rename. */
  public static void write(Path file, Map<String, HostTensor> tensors) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      head.put(MAGIC).putInt(tensors.size()).flip();
      writeFully(ch, head);
      for (var e : tensors.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        int[] shape = e.getValue().shape();
        ByteBuffer h = ByteBuffer.allocate(8 + name.length + 4 * shape.length).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(name.length).put(name).putInt(shape.length);
        for (int d : shape) {
          h.putInt(d);
        }
        writeFully(ch, h.flip());
        float[] data = e.getValue().data();
        ByteBuffer body = ByteBuffer.allocate(4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        body.asFloatBuffer().put(data);
        writeFully(ch, body);
      }
      ch.force(true);
    }
  }

  public static Map<String, HostTensor> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE) {
        throw new UserInputException(file + " is too large to be an rnnlab tensor file");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // read fully
      }
      buf.flip();
      return parse(buf, file.toString());
    }
  }

  static Map<String, HostTensor> parse(ByteBuffer buf, String source) {
    try {
      byte[] magic = new byte[MAGIC.length];
      buf.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new UserInputException(source + " is not an rnnlab tensor file");
      }
      int count = buf.getInt();
      if (count < 0 || count > 100_000) {
        throw new UserInputException(source + " is corrupt (tensor count " + count + ")");
      }
      Map<String, HostTensor> out = new LinkedHashMap<>();
      for (int i = 0; i < count; i++) {
        int nameLen = buf.getInt();
        if (nameLen <= 0 || nameLen > MAX_NAME) {
          throw new UserInputException(source + " is corrupt (name length " + nameLen + ")");
        }
        byte[] name = new byte[nameLen];
        buf.get(name);
        int rank = buf.getInt();
        if (rank < 0 || rank > MAX_RANK) {
          throw new UserInputException(source + " is corrupt (rank " + rank + ")");
        }
        int[] shape = new int[rank];
        long n = 1;
        for (int r = 0; r < rank; r++) {
          shape[r] = buf.getInt();
          if (shape[r] < 0) {
            throw new UserInputException(source + " is corrupt (negative dimension)");
          }
          n *= shape[r];
          if (n > Integer.MAX_VALUE) {
            // Checked per dimension: a product that overflowed a long could wrap to the data's size.
            throw new UserInputException(source + " is corrupt (a tensor of more than 2^31 values)");
          }
        }
        if (n * 4 > buf.remaining()) {
          throw new UserInputException(source + " is truncated");
        }
        float[] data = new float[(int) n];
        buf.asFloatBuffer().get(data);
        buf.position(buf.position() + 4 * (int) n);
        out.put(new String(name, StandardCharsets.UTF_8), new HostTensor(shape, data));
      }
      if (buf.hasRemaining()) {
        throw new UserInputException(source + " has trailing bytes");
      }
      return out;
    } catch (java.nio.BufferUnderflowException e) {
      throw new UserInputException(source + " is truncated");
    }
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}

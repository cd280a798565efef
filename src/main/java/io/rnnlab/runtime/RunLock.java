package io.rnnlab.runtime;

import io.rnnlab.AtomicFiles;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS file lock on {@code DIR/.lock}: a second process writing the same run directory is
 * refused instead of interleaving checkpoints. The OS drops the lock if the holder dies, so a
 * killed run never leaves a stale lock behind.
 */
public final class RunLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static RunLock acquire(Path dir) throws IOException {
    Path file = dir.resolve(".lock");
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
    } catch (IOException e) {
      // The first write into the run directory: a read-only or otherwise unusable --out shows here.
      throw AtomicFiles.unwritable(dir, "--out", e);
    }
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null;
    }
    if (l == null) {
      ch.close();
      throw new UserInputException(dir + " is in use by another rnnlab process; wait for it or choose another --out");
    }
    ch.truncate(0);
    ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
    return new RunLock(ch, l);
  }

  /**
   * Waits for the lock on {@code file} (created if missing), saying once why when another process
   * holds it: for work that a second process should wait for, not be refused (fetching the CUDA
   * libraries, say).
   */
  public static RunLock await(Path file, Runnable onWait) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        throw new IllegalStateException("this process already holds " + file, e);
      }
      if (l == null) {
        onWait.run();
        l = ch.lock();
      }
      return new RunLock(ch, l);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}

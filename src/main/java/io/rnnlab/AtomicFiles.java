package io.rnnlab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Every file rnnlab publishes (checkpoints, SavedModels, histories, vocabularies) appears whole or
 * not at all: written beside its target under a temporary name, fsynced, then renamed.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static void writeString(Path target, String content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      fsync(tmp);
      move(tmp, target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A fresh empty directory beside {@code target} to fill before {@link #publishDirectory}. */
  public static Path stagingDirectory(Path target) throws IOException {
    Path parent = target.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    return Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
  }

  /**
   * Renames a filled staging directory to {@code target}. An existing target is first moved aside
   * and deleted only after the new one is in place, so a crash leaves one complete copy.
   */
  public static void publishDirectory(Path staging, Path target) throws IOException {
    fsyncTree(staging);
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
      move(target, old);
    }
    move(staging, target);
    fsync(target.toAbsolutePath().getParent());
    if (old != null) {
      deleteTree(old);
    }
  }

  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Fails before anything is written when {@code target}, a file or directory the user named with
   * {@code option}, could never be created there: its path runs through a regular file, or the
   * nearest existing directory is read-only. Creates nothing; what only writing reveals (a full
   * disk) stays the writer's to report.
   */
  public static void checkWritableLocation(Path target, String option) {
    for (Path p = target.toAbsolutePath().normalize().getParent(); p != null; p = p.getParent()) {
      if (Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          throw new UserInputException(option + " " + target + " lies under " + p
              + ", which is a file, not a directory; choose another place");
        }
        if (!Files.isWritable(p)) {
          throw new UserInputException("cannot write " + option + " " + target + ": " + p
              + " is read-only here; choose another place");
        }
        return;
      }
    }
  }

  /**
   * The first entry of directory {@code dir} (by name) that is not in {@code ours}: what replacing
   * {@code dir} would delete that rnnlab did not write.
   */
  public static java.util.Optional<String> foreignEntry(Path dir, java.util.Set<String> ours) throws IOException {
    try (var entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> !ours.contains(n)).sorted().findFirst();
    }
  }

  /** Creating the output the user named failed: theirs to fix, so one line naming the place and why. */
  public static UserInputException unwritable(Path target, String option, IOException e) {
    return new UserInputException("cannot write " + option + " " + target + " (" + Messages.reason(e)
        + "); choose a place you can write to", e);
  }

  /**
   * Renames {@code from} over {@code to} (same folder): atomically where the file system can, so
   * that {@code to} is always the old file or the new one.
   */
  public static void replace(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void fsyncTree(Path root) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        fsync(p);
      }
    }
  }

  private static void fsync(Path p) {
    // Directories cannot be opened for writing on every platform; a failed directory sync only
    // weakens durability after a power cut, never the atomicity of the rename itself.
    try (FileChannel ch = FileChannel.open(p, Files.isDirectory(p)
        ? new StandardOpenOption[] {StandardOpenOption.READ}
        : new StandardOpenOption[] {StandardOpenOption.WRITE})) {
      ch.force(true);
    } catch (IOException e) {
      // see above
    }
  }
}

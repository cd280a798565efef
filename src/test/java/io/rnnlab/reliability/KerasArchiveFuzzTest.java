package io.rnnlab.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnlab.keras.KerasArchive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link KerasArchive#read} on mutants of real Keras 3 archives (trained in Python, in {@code
 * saved_models/}): raw byte damage to the zip, and archives rebuilt with one entry damaged —
 * {@code config.json} as text, {@code model.weights.h5} in its HDF5 structure near either end. It
 * returns a model whose weights fit its config or refuses with a one-line user error; nothing
 * else escapes, and nothing hangs.
 */
class KerasArchiveFuzzTest {
  static final List<Path> SEEDS = List.of(Path.of("saved_models", "keras3-simplernn-hello.keras"),
      Path.of("saved_models", "keras3-lstm-hello.keras"));
  /** HDF5 keeps its superblock and root object headers near the start, some heaps near the end. */
  static final int H5_STRUCTURE = 8192;

  static Path scratch;
  static List<byte[]> archives;
  static List<Map<String, byte[]>> entries;

  @BeforeContainer
  static void load() throws IOException {
    scratch = Files.createTempDirectory("rnnlab-keras-fuzz-");
    archives = new java.util.ArrayList<>();
    entries = new java.util.ArrayList<>();
    for (Path p : SEEDS) {
      archives.add(Files.readAllBytes(p));
      Map<String, byte[]> m = new LinkedHashMap<>();
      try (ZipFile z = new ZipFile(p.toFile())) {
        for (var e = z.entries(); e.hasMoreElements(); ) {
          ZipEntry entry = e.nextElement();
          m.put(entry.getName(), z.getInputStream(entry).readAllBytes());
        }
      }
      entries.add(m);
    }
  }

  @AfterContainer
  static void cleanUp() throws IOException {
    io.rnnlab.AtomicFiles.deleteTree(scratch);
  }

  @Provide
  Arbitrary<byte[]> damagedZips() {
    return Fuzz.mutants(archives);
  }

  /** Seed index, which entry, mutation seed, mutation count → the archive rebuilt around the damage. */
  @Provide
  Arbitrary<byte[]> damagedEntries() {
    return Combinators.combine(Arbitraries.integers().between(0, SEEDS.size() - 1),
        Arbitraries.of("config.json", "metadata.json", "model.weights.h5"), Arbitraries.longs(),
        Arbitraries.integers().between(1, 6)).as(KerasArchiveFuzzTest::rebuild);
  }

  static byte[] rebuild(int seed, String name, long rng, int count) {
    Map<String, byte[]> m = new LinkedHashMap<>(entries.get(seed));
    byte[] original = m.get(name);
    byte[] damaged;
    if (name.endsWith(".h5")) {
      // Damage a structural window (start or end), keep the weight data between intact.
      damaged = original.clone();
      boolean head = new Random(rng).nextBoolean();
      int from = head ? 0 : original.length - H5_STRUCTURE;
      byte[] window = java.util.Arrays.copyOfRange(original, from, from + H5_STRUCTURE);
      byte[] hurt = Fuzz.mutate(window, rng, count);
      byte[] fixed = java.util.Arrays.copyOf(hurt, H5_STRUCTURE); // keep offsets where they were
      System.arraycopy(fixed, 0, damaged, from, H5_STRUCTURE);
    } else {
      damaged = Fuzz.mutate(original, rng, count);
    }
    m.put(name, damaged);
    return zip(m);
  }

  static byte[] zip(Map<String, byte[]> m) {
    var bytes = new java.io.ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      for (var e : m.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(e.getValue().length);
        entry.setCrc(crc.getValue());
        z.putNextEntry(entry);
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  @Property(tries = 150)
  void damagedZipBytes(@ForAll("damagedZips") byte[] archive) throws IOException {
    check(archive, scratch);
  }

  @Property(tries = 250)
  void damagedEntry(@ForAll("damagedEntries") byte[] archive) throws IOException {
    check(archive, scratch);
  }

  static void check(byte[] archive, Path dir) throws IOException {
    Path file = Files.createTempDirectory(dir, "k").resolve("model.keras");
    try {
      Files.write(file, archive);
      KerasArchive.Model m = Fuzz.accepts(() -> KerasArchive.read(file));
      if (m != null) {
        assertThat(m.weights().checkFits(m.spec(), "fuzz")).isNotNull();
      }
    } finally {
      io.rnnlab.AtomicFiles.deleteTree(file.getParent());
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

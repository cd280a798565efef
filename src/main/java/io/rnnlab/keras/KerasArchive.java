package io.rnnlab.keras;

import io.jhdf.HdfFile;
import io.rnnlab.AtomicFiles;
import io.rnnlab.Json;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.HostTensor;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.WeightSpec;
import io.rnnlab.model.Weights;
import io.rnnlab.train.AdamConfig;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.util.Enumeration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Keras 3's native {@code .keras} format: a zip of {@code metadata.json}, {@code config.json}
 * ({@link KerasConfigWriter} / {@link KerasConfigReader}) and {@code model.weights.h5} ({@link
 * KerasH5Weights}), entries stored uncompressed as Keras stores them. {@code
 * keras.saving.load_model} opens what {@link #write} writes, compiled for {@code fit}; {@link
 * #read} opens what Keras writes. A char model's vocabulary travels beside the archive as {@code
 * NAME.vocab.json} (Keras has no place for it), the file train_keras.py writes too.
 */
public final class KerasArchive {
  static final String METADATA = "metadata.json";
  static final String CONFIG = "config.json";
  static final String WEIGHTS = "model.weights.h5";
  public static final String EXTENSION = ".keras";

  /** config.json of the largest supported model is a few KB; more is not a Keras config. */
  static final long MAX_JSON_BYTES = 16L << 20;
  /** Central directories with more entries than this are crafted, not saved by Keras. */
  static final int MAX_ENTRIES = 10_000;

  /**
   * The Keras release whose file format this writer reproduces (and was checked against);
   * Keras reads it from metadata.json only for information.
   */
  static final String KERAS_FORMAT_VERSION = "3.15.1";

  // Fixed entry times make an archive a pure function of the model (1980-01-01, the zip epoch).
  private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

  private KerasArchive() {}

  /**
   * A model read from a {@code .keras} file; {@code vocab} is null when no vocabulary lies beside
   * it. {@code anyLength}: the Keras model takes sequences of any length, and {@code
   * spec.seqLen()} is the window length the reader was given for it. {@code logits}: its Dense
   * head is linear (rnnlab's graph applies the softmax). {@code trainingProblems}: why rnnlab
   * cannot train the model as Keras would (training-time layers it reads as the identity), one
   * line each; empty when it can.
   */
  public record Model(ModelSpec spec, Weights weights, Vocabulary vocab, boolean anyLength, boolean logits,
      List<String> trainingProblems) {}

  /**
   * The Adam a {@code .keras} file carries: its hyper-parameters (compile_config) and state
   * (optimizer variables: iterations, learning rate, a momentum and a velocity per weight), so
   * Keras's {@code fit} continues where rnnlab stopped.
   *
   * @param moments rnnlab's Adam slots by name, {@code adam/<weight>_m} and {@code _v} for every
   *     weight; empty for a fresh Adam (zeros)
   */
  public record Optimizer(AdamConfig adam, long iterations, Map<String, HostTensor> moments) {
    public static Optimizer fresh(AdamConfig adam) {
      return new Optimizer(adam, 0, Map.of());
    }

    /** Weight {@code name}'s momentum ({@code "m"}) or velocity ({@code "v"}), zeros if fresh. */
    HostTensor moment(WeightSpec w, String which) {
      if (moments.isEmpty()) {
        return HostTensor.zeros(w.shape());
      }
      HostTensor t = moments.get("adam/" + w.name() + "_" + which);
      if (t == null || !java.util.Arrays.equals(t.shape(), w.shape())) {
        throw new IllegalArgumentException("no Adam " + which + " of shape " + java.util.Arrays.toString(w.shape())
            + " for " + w.name());
      }
      return t;
    }
  }

  /** As {@link #write(ModelSpec, Vocabulary, Weights, Optimizer, Path)} with a fresh default Adam. */
  public static void write(ModelSpec spec, Vocabulary vocab, Weights weights, Path out) throws IOException {
    write(spec, vocab, weights, Optimizer.fresh(AdamConfig.KERAS_DEFAULTS), out);
  }

  /**
   * Writes {@code out} (which must end in {@code .keras}, as Keras's loader demands) atomically,
   * plus {@code NAME.vocab.json} beside it for char models.
   *
   * @param vocab the model's vocabulary; null for regression models
   */
  public static void write(ModelSpec spec, Vocabulary vocab, Weights weights, Optimizer optimizer, Path out)
      throws IOException {
    if (!out.getFileName().toString().endsWith(EXTENSION)) {
      throw new UserInputException("a Keras model file must end in .keras (Keras's load_model insists), got " + out);
    }
    for (Path p : new Path[] {out, vocabFile(out)}) {
      if (Files.isDirectory(p)) {
        throw new UserInputException(p + " is a directory; a .keras file (and its vocabulary) cannot replace it");
      }
    }
    if (spec.isCharModel() && (vocab == null || vocab.size() != spec.vocabSize())) {
      throw new IllegalArgumentException("a char model needs its vocabulary of " + spec.vocabSize() + " symbols");
    }
    weights.checkFits(spec, "weights");
    Path staging = AtomicFiles.stagingDirectory(out);
    try {
      Path h5 = staging.resolve(WEIGHTS);
      KerasH5Weights.writeKeras3(spec, weights, optimizer, h5);
      Path zip = staging.resolve(out.getFileName());
      try (FileOutputStream file = new FileOutputStream(zip.toFile());
          ZipOutputStream z = new ZipOutputStream(file)) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("keras_version", KERAS_FORMAT_VERSION);
        metadata.put("saved_by", "rnnlab");
        putStored(z, METADATA, Json.MAPPER.writeValueAsBytes(metadata));
        putStored(z, CONFIG, Json.MAPPER.writeValueAsBytes(KerasConfigWriter.config(spec, optimizer.adam())));
        putStored(z, WEIGHTS, h5);
        z.finish();
        file.getChannel().force(true);
      }
      if (vocab != null) {
        vocab.write(vocabFile(out)); // first: an archive that exists always has its vocabulary
      }
      moveAtomically(zip, out);
    } finally {
      AtomicFiles.deleteTree(staging);
    }
  }

  /**
   * Reads a {@code .keras} archive written by Keras 3 (or tf_keras, or {@link #write}); a model
   * that takes sequences of any length is refused.
   */
  public static Model read(Path file) {
    return read(file, 0);
  }

  /**
   * As {@link #read(Path)}, giving a model that takes sequences of any length the window length
   * {@code seqLenIfAny} (0: refuse such models).
   */
  public static Model read(Path file, int seqLenIfAny) {
    return read(file, seqLenIfAny, true);
  }

  /** As {@link #read(Path, int)}; without {@code withVocabulary} the vocabulary is the caller's to find. */
  public static Model read(Path file, int seqLenIfAny, boolean withVocabulary) {
    String source = file.getFileName().toString();
    if (!Files.isRegularFile(file)) {
      throw new UserInputException(file + " does not exist or is not a file");
    }
    try (ZipFile zip = new ZipFile(file.toFile())) {
      checkEntries(zip, source);
      KerasConfigReader.Parsed config = KerasConfigReader.parse(
          new String(readCapped(zip, CONFIG, MAX_JSON_BYTES, source), StandardCharsets.UTF_8), source, seqLenIfAny);
      ModelSpec spec = config.spec();
      Weights weights = readWeights(zip, spec, config.denseGroup(), source).checkFits(spec, source);
      return new Model(spec, weights, withVocabulary ? readVocabulary(file, spec) : null, config.anyLength(),
          config.logits(), config.trainingProblems());
    } catch (ZipException e) {
      throw new UserInputException(source + " is not a valid .keras archive (" + Messages.of(e)
          + "); it may be truncated or not a Keras file");
    } catch (IOException e) {
      throw new UserInputException("cannot read " + file + " (" + Messages.of(e) + ")");
    }
  }

  /** Whether {@code path} names a .keras file (Keras itself goes by the name, too). */
  public static boolean isKerasFile(Path path) {
    return Files.isRegularFile(path) && path.getFileName().toString().endsWith(EXTENSION);
  }

  /**
   * For a Keras {@code .h5} file (HDF5 by its signature, whatever its name) given where a model is
   * expected: what it is and, for a whole model, the one line of Python that turns it into a
   * {@code .keras} file, which rnnlab reads (tf_keras for a Keras 2 file: Keras 3 cannot load
   * Keras 2's LSTM configs). Null for any other path.
   */
  public static String h5Hint(Path path) {
    if (!Files.isRegularFile(path) || !isHdf5(path)) {
      return null;
    }
    String name = path.toString(); // as the user gave it: the line runs where they ran rnnlab
    String stem = name.replaceFirst("\\.(h5|hdf5)$", "");
    String kerasVersion = "";
    boolean wholeModel = true;
    try (HdfFile h5 = new HdfFile(path)) {
      wholeModel = h5.getAttributes().containsKey("model_config");
      var version = h5.getAttribute("keras_version");
      kerasVersion = version == null ? "" : String.valueOf(version.getData());
    } catch (RuntimeException e) {
      // Unreadable attributes: still an HDF5 file, so still the hint for a Keras 3 model.
    }
    if (!wholeModel) {
      return path + " is a Keras weights file (.h5 without the model's layers): rnnlab uses it only as"
          + " --init-from weights for the model the train flags describe";
    }
    String load = kerasVersion.startsWith("2.")
        ? "import tf_keras; tf_keras.models.load_model('" + name + "')"
        : "import keras; keras.saving.load_model('" + name + "')";
    return path + " is a Keras .h5 file, which rnnlab reads only as --init-from weights; make a .keras file of it"
        + " with: python -c \"" + load + ".save('" + stem + ".keras')\"";
  }

  private static boolean isHdf5(Path path) {
    byte[] signature = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    try (var in = Files.newInputStream(path)) {
      return java.util.Arrays.equals(in.readNBytes(signature.length), signature);
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code model.keras} → {@code model.vocab.json}. */
  public static Path vocabFile(Path archive) {
    String name = archive.getFileName().toString();
    String stem = name.endsWith(EXTENSION) ? name.substring(0, name.length() - EXTENSION.length()) : name;
    return archive.resolveSibling(stem + ".vocab.json");
  }

  /**
   * Upper bound on a genuine {@code model.weights.h5} for {@code spec}: the weights plus Adam's two
   * slots per weight (Keras saves them after {@code fit}), with room for HDF5 overhead and metrics.
   */
  static long maxWeightsBytes(ModelSpec spec) {
    return 4 * Float.BYTES * spec.parameterCount() + (16L << 20);
  }

  private static Weights readWeights(ZipFile zip, ModelSpec spec, String denseGroup, String source)
      throws IOException {
    if (zip.getEntry(WEIGHTS) == null) {
      throw new UserInputException(source + " has no " + WEIGHTS
          + (zip.getEntry("model.weights.npz") != null ? " (its weights are in npz format, which rnnlab does not read)" : ""));
    }
    Path tmp = Files.createTempFile("rnnlab-keras-", ".h5");
    try {
      try (OutputStream out = Files.newOutputStream(tmp)) {
        copyCapped(zip, WEIGHTS, maxWeightsBytes(spec), source, out);
      }
      try (HdfFile h5 = new HdfFile(tmp)) {
        return KerasH5Weights.readKeras3(h5, spec, denseGroup, source);
      } catch (UserInputException e) {
        throw e;
      } catch (RuntimeException e) {
        // jhdf reports a damaged file as HdfException or as whatever its parser trips over deeper
        // in (ArithmeticException, BufferUnderflowException, ...): all mean the same to the user.
        throw new UserInputException(source + ": " + WEIGHTS + " is not readable HDF5 (" + Messages.of(e) + ")");
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static Vocabulary readVocabulary(Path archive, ModelSpec spec) {
    Path file = vocabFile(archive);
    if (!spec.isCharModel() || !Files.exists(file)) {
      return null;
    }
    Vocabulary vocab = Vocabulary.read(file);
    if (vocab.size() != spec.vocabSize()) {
      throw new UserInputException(file + " has " + vocab.size() + " symbols but " + archive.getFileName()
          + " predicts " + spec.vocabSize() + "; it is the vocabulary of another model");
    }
    return vocab;
  }

  /** Rejects archives crafted to escape a directory on extraction or to flood the reader. */
  private static void checkEntries(ZipFile zip, String source) {
    if (zip.size() > MAX_ENTRIES) {
      throw new UserInputException(source + " has " + zip.size() + " entries; a .keras archive has a handful");
    }
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      String name = e.nextElement().getName();
      boolean unsafe = name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.contains(":")
          || name.contains("\0");
      for (String part : name.split("/")) {
        unsafe |= part.equals("..");
      }
      if (unsafe) {
        throw new UserInputException(source + " has an unsafe entry name '" + Messages.printable(name)
            + "' (absolute or escaping its directory); refusing to read it");
      }
    }
  }

  private static byte[] readCapped(ZipFile zip, String name, long cap, String source) throws IOException {
    if (zip.getEntry(name) == null) {
      throw new UserInputException(source + " has no " + name + "; it is not a Keras 3 .keras archive");
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    copyCapped(zip, name, cap, source, bytes);
    return bytes.toByteArray();
  }

  /**
   * Copies an entry, refusing it as soon as it declares or actually yields more than {@code cap}
   * bytes: the declared size of a zip bomb can lie, the count cannot.
   */
  private static void copyCapped(ZipFile zip, String name, long cap, String source, OutputStream out)
      throws IOException {
    ZipEntry entry = zip.getEntry(name);
    if (entry.getSize() > cap) {
      throw tooBig(source, name, entry.getSize(), cap);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] buf = new byte[1 << 16];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > cap) {
          throw tooBig(source, name, total, cap);
        }
        out.write(buf, 0, n);
      }
    }
  }

  private static UserInputException tooBig(String source, String name, long size, long cap) {
    return new UserInputException(source + ": " + name + " expands to more than " + Math.max(size, cap + 1)
        + " bytes, over the " + cap + " this model can need; refusing a possible zip bomb");
  }

  private static void putStored(ZipOutputStream z, String name, byte[] data) throws IOException {
    CRC32 crc = new CRC32();
    crc.update(data);
    z.putNextEntry(storedEntry(name, data.length, crc.getValue()));
    z.write(data);
    z.closeEntry();
  }

  private static void putStored(ZipOutputStream z, String name, Path file) throws IOException {
    CRC32 crc = new CRC32();
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    z.putNextEntry(storedEntry(name, Files.size(file), crc.getValue()));
    Files.copy(file, z);
    z.closeEntry();
  }

  private static ZipEntry storedEntry(String name, long size, long crc) {
    ZipEntry e = new ZipEntry(name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(size);
    e.setCompressedSize(size);
    e.setCrc(crc);
    e.setTimeLocal(ENTRY_TIME);
    return e;
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

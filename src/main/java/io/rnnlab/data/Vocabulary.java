package io.rnnlab.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnlab.InputFiles;
import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The mapping between characters and integer ids. A character is a Unicode code point, so an emoji
 * (a surrogate pair in Java) is one symbol, exactly as in Python where the vocabulary files are also
 * read.
 *
 * <p>{@link #fromText} numbers the sorted distinct code points, like the Keras tutorials' {@code
 * sorted(set(text))} (Python sorts str by code point, which is not Java's UTF-16 String order).
 * {@link #of} and {@link #read} keep the order given: in a saved vocabulary the position is the id
 * the model was trained with.
 */
public final class Vocabulary {
  static final String FORMAT = "rnnlab-vocab";
  static final int VERSION = 1;
  private static final int MAX_LISTED_UNKNOWN = 10;
  private static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private final int[] codePoints; // by id
  private final List<String> symbols; // by id, unmodifiable
  // Lookup by binary search; ids need not be in code point order (see class comment).
  private final int[] sortedCodePoints;
  private final int[] idsOfSorted;

  private Vocabulary(int[] codePoints) {
    this.codePoints = codePoints;
    List<String> list = new ArrayList<>(codePoints.length);
    for (int cp : codePoints) {
      list.add(Character.toString(cp));
    }
    this.symbols = Collections.unmodifiableList(list);
    Integer[] order = new Integer[codePoints.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(codePoints[a], codePoints[b]));
    this.sortedCodePoints = new int[codePoints.length];
    this.idsOfSorted = new int[codePoints.length];
    for (int i = 0; i < order.length; i++) {
      sortedCodePoints[i] = codePoints[order[i]];
      idsOfSorted[i] = order[i];
    }
  }

  /** The sorted distinct code points of {@code text}. */
  public static Vocabulary fromText(String text) {
    Objects.requireNonNull(text, "text");
    if (text.isEmpty()) {
      throw new UserInputException("cannot build a vocabulary from empty text; use a non-empty corpus");
    }
    BitSet seen = new BitSet();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (isSurrogate(cp)) {
        throw new UserInputException(
            "text has a lone surrogate " + escape(cp) + " at char index " + i
                + "; it is not a character and cannot be in a vocabulary");
      }
      seen.set(cp);
      i += Character.charCount(cp);
    }
    return new Vocabulary(seen.stream().toArray());
  }

  /** Symbols in id order; each must be exactly one code point and appear once. */
  public static Vocabulary of(List<String> symbols) {
    Objects.requireNonNull(symbols, "symbols");
    return new Vocabulary(checkedCodePoints(symbols, "symbols", "vocabulary"));
  }

  public int size() {
    return codePoints.length;
  }

  public String symbol(int id) {
    return symbols.get(Objects.checkIndex(id, codePoints.length));
  }

  /** The id of {@code codePoint}, or -1 if it is not in the vocabulary. */
  public int idOf(int codePoint) {
    int k = Arrays.binarySearch(sortedCodePoints, codePoint);
    return k < 0 ? -1 : idsOfSorted[k];
  }

  /** All symbols in id order (unmodifiable). */
  public List<String> symbols() {
    return symbols;
  }

  /** Ids of every character of {@code text}; unknown characters are a user error listing them. */
  public int[] encode(String text) {
    return encode(text, false);
  }

  /**
   * Ids of the characters of {@code text}. With {@code skipUnknown} characters outside the
   * vocabulary are dropped (the result is then shorter than the text); without it they are
   * reported.
   */
  public int[] encode(String text, boolean skipUnknown) {
    Objects.requireNonNull(text, "text");
    int[] ids = new int[text.codePointCount(0, text.length())];
    int n = 0;
    boolean missing = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      int id = idOf(cp);
      if (id >= 0) {
        ids[n++] = id;
      } else {
        missing = true;
      }
      i += Character.charCount(cp);
    }
    if (missing && !skipUnknown) {
      throw new UserInputException(unknownMessage(unknownSymbols(text)));
    }
    return n == ids.length ? ids : Arrays.copyOf(ids, n);
  }

  public String decode(int[] ids) {
    StringBuilder out = new StringBuilder(ids.length);
    for (int id : ids) {
      out.appendCodePoint(codePoints[Objects.checkIndex(id, codePoints.length)]);
    }
    return out.toString();
  }

  public String decode(int id) {
    return symbol(id);
  }

  /** Characters of {@code text} not in the vocabulary, in order of first appearance. */
  public Set<String> unknownSymbols(String text) {
    Objects.requireNonNull(text, "text");
    Set<String> unknown = new LinkedHashSet<>();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (idOf(cp) < 0) {
        unknown.add(Character.toString(cp));
      }
      i += Character.charCount(cp);
    }
    return Collections.unmodifiableSet(unknown);
  }

  /** {@code {"format": "rnnlab-vocab", "version": 1, "chars": [...]}}, the Python side's format. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    ArrayNode chars = root.putArray("chars");
    symbols.forEach(chars::add);
    try {
      return JSON.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise a vocabulary", e);
    }
  }

  /**
   * Parses the vocabulary format, an object with only {@code "chars"}, a bare array of strings, or
   * a {@code {char: id}} object with the ids 0..n-1 (what Keras tutorials save as {@code char2idx}).
   * {@code sourceName} goes into error messages ("vocabulary SOURCE: what is wrong").
   */
  public static Vocabulary fromJson(String json, String sourceName) {
    Objects.requireNonNull(json, "json");
    String prefix = "vocabulary " + sourceName + ": ";
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new UserInputException(
          prefix + "not valid JSON (" + oneLine(e.getOriginalMessage()) + location(e) + ")", e);
    }
    if (root == null || root.isMissingNode()) {
      throw new UserInputException(prefix + "empty file, expected a JSON object with \"chars\"");
    }
    JsonNode chars;
    if (root.isArray()) {
      chars = root;
    } else if (root.isObject() && isCharToId((ObjectNode) root)) {
      return new Vocabulary(checkedCodePoints(byId((ObjectNode) root, prefix), "chars", "vocabulary " + sourceName));
    } else if (root.isObject()) {
      chars = charsOf((ObjectNode) root, prefix);
    } else {
      throw new UserInputException(
          prefix + "expected a JSON object with \"chars\" or an array of strings, found "
              + root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
    }
    List<String> symbols = new ArrayList<>(chars.size());
    for (int i = 0; i < chars.size(); i++) {
      JsonNode entry = chars.get(i);
      if (!entry.isTextual()) {
        throw new UserInputException(
            prefix + "chars[" + i + "] is " + entry + ", expected a one-character string");
      }
      symbols.add(entry.textValue());
    }
    return new Vocabulary(checkedCodePoints(symbols, "chars", "vocabulary " + sourceName));
  }

  /** Reads a vocabulary file written by {@link #write} or by the Python side. */
  public static Vocabulary read(Path file) {
    Objects.requireNonNull(file, "file");
    String prefix = "vocabulary " + file + ": ";
    if (Files.isDirectory(file)) {
      throw new UserInputException(prefix + "is a directory, expected a JSON file");
    }
    if (!Files.exists(file)) {
      throw new UserInputException(prefix + "file does not exist");
    }
    // A vocabulary of the largest size allowed (MAX_VOCAB symbols) takes a few MB of JSON.
    InputFiles.requireRegular(file, 64 * InputFiles.MIB, "vocabulary " + file);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserInputException(prefix + "cannot read it (" + Reason.of(e) + ")", e);
    }
    String json;
    try {
      json = Utf8.decode(bytes);
    } catch (Utf8.MalformedException e) {
      throw new UserInputException(prefix + e.getMessage(), e);
    }
    return fromJson(json, file.toString());
  }

  /**
   * Writes {@link #toJson} atomically: a reader (or a crash) never sees half a file, because the
   * text goes to a temp file in the same directory that is then renamed over the target.
   */
  public void write(Path file) {
    Objects.requireNonNull(file, "file");
    Path dir = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
      // createTempFile makes the file owner-only; a vocabulary sits next to a model meant to be shared.
      if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      Files.writeString(temp, toJson() + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new UserInputException(
          "cannot write vocabulary " + file + " (" + Reason.of(e) + "); check the directory is writable",
          e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed; that error is the one worth reporting.
        }
      }
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary other && Arrays.equals(codePoints, other.codePoints);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(codePoints);
  }

  @Override
  public String toString() {
    StringJoiner joined = new StringJoiner(", ", "Vocabulary[size=" + size() + ": ", "]");
    for (int cp : codePoints) {
      joined.add(escape(cp));
    }
    return joined.toString();
  }

  /**
   * A character quoted for a one-line message: {@code 'a'}, {@code 'é'}, {@code '\n'}, {@code
   * '\u00a0'}. Invisible and line-breaking characters are escaped so they can be seen at all.
   */
  static String escape(int cp) {
    return cp == '\'' ? "'\\''" : "'" + bare(cp) + "'";
  }

  /** A whole string in double quotes, escaped the same way. */
  static String quoted(String s) {
    StringBuilder out = new StringBuilder("\"");
    s.codePoints().forEach(cp -> out.append(cp == '"' ? "\\\"" : bare(cp)));
    return out.append('"').toString();
  }

  private static String bare(int cp) {
    switch (cp) {
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\\':
        return "\\\\";
      default:
        break;
    }
    if (isVisible(cp)) {
      return Character.toString(cp);
    }
    return cp <= 0xFFFF ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp);
  }

  private static boolean isVisible(int cp) {
    if (cp == ' ') {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.SURROGATE:
      case Character.PRIVATE_USE:
      case Character.UNASSIGNED:
      case Character.SPACE_SEPARATOR:
      case Character.LINE_SEPARATOR:
      case Character.PARAGRAPH_SEPARATOR:
        return false;
      default:
        return true;
    }
  }

  private static String unknownMessage(Set<String> unknown) {
    StringJoiner listed = new StringJoiner(", ");
    Iterator<String> it = unknown.iterator();
    for (int i = 0; i < MAX_LISTED_UNKNOWN && it.hasNext(); i++) {
      listed.add(escape(it.next().codePointAt(0)));
    }
    if (it.hasNext()) {
      listed.add("…");
    }
    return "text has "
        + unknown.size()
        + (unknown.size() == 1 ? " character" : " characters")
        + " not in the vocabulary: "
        + listed
        + "; use only characters that occur in the training corpus";
  }

  /**
   * A {@code {char: id}} object: not rnnlab's format (none of its keys), and at least one value
   * is a number, so an object meant as such a dictionary gets that dictionary's errors.
   */
  private static boolean isCharToId(ObjectNode root) {
    if (root.has("chars") || root.has("format") || root.has("version")) {
      return false;
    }
    for (Iterator<JsonNode> values = root.elements(); values.hasNext(); ) {
      if (values.next().isNumber()) {
        return true;
      }
    }
    return false;
  }

  /** The keys of a {@code {char: id}} object in id order; the ids must be 0..n-1, each once. */
  private static List<String> byId(ObjectNode root, String prefix) {
    int n = root.size();
    String[] symbols = new String[n];
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = quoted(e.getKey());
      int length = e.getKey().codePointCount(0, e.getKey().length());
      if (length != 1) {
        throw new UserInputException(prefix + "a {char: id} dictionary maps single characters; key " + key
            + " has " + length + " characters");
      }
      JsonNode id = e.getValue();
      if (!id.isIntegralNumber()) {
        throw new UserInputException(prefix + "a {char: id} dictionary needs an integer id for every character; "
            + key + " has " + id);
      }
      long i = id.asLong();
      if (i < 0 || i >= n) {
        throw new UserInputException(prefix + "a {char: id} dictionary of " + n + " characters needs the ids 0.."
            + (n - 1) + "; " + key + " has " + i);
      }
      if (symbols[(int) i] != null) {
        throw new UserInputException(prefix + "id " + i + " is given to both " + quoted(symbols[(int) i])
            + " and " + key + "; each id must belong to one character");
      }
      symbols[(int) i] = e.getKey();
    }
    return Arrays.asList(symbols);
  }

  private static JsonNode charsOf(ObjectNode root, String prefix) {
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("format") && !name.equals("version") && !name.equals("chars")) {
        throw new UserInputException(
            prefix + "unexpected key \"" + name + "\" (expected \"format\", \"version\", \"chars\","
                + " or a {char: id} dictionary with integer ids)");
      }
    }
    JsonNode format = root.get("format");
    if (format != null && !(format.isTextual() && format.textValue().equals(FORMAT))) {
      throw new UserInputException(
          prefix + "format is " + format + ", expected \"" + FORMAT + "\"");
    }
    JsonNode version = root.get("version");
    if (version != null && !(version.isIntegralNumber() && version.asLong() == VERSION)) {
      throw new UserInputException(
          prefix + "version " + version + " is not supported (this rnnlab reads version " + VERSION
              + ")");
    }
    JsonNode chars = root.get("chars");
    if (chars == null) {
      throw new UserInputException(prefix + "no \"chars\" key");
    }
    if (!chars.isArray()) {
      throw new UserInputException(prefix + "\"chars\" is not an array of strings");
    }
    return chars;
  }

  /** Validates symbols (one code point each, no duplicates, not empty) and returns the code points. */
  private static int[] checkedCodePoints(List<String> symbols, String listName, String source) {
    String prefix = source + ": ";
    if (symbols.isEmpty()) {
      throw new UserInputException(prefix + "no characters; a vocabulary needs at least one");
    }
    int[] cps = new int[symbols.size()];
    Map<Integer, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < cps.length; i++) {
      String s = symbols.get(i);
      String where = prefix + listName + "[" + i + "]";
      if (s == null) {
        throw new UserInputException(where + " is null, expected a one-character string");
      }
      int count = s.codePointCount(0, s.length());
      if (count != 1) {
        throw new UserInputException(
            where + " is " + quoted(s) + " (" + count + " characters), expected exactly one");
      }
      int cp = s.codePointAt(0);
      if (isSurrogate(cp)) {
        throw new UserInputException(
            where + " is a lone surrogate " + escape(cp) + ", not a character");
      }
      Integer previous = firstIndex.putIfAbsent(cp, i);
      if (previous != null) {
        throw new UserInputException(
            where + " " + escape(cp) + " is a duplicate of " + listName + "[" + previous + "]");
      }
      cps[i] = cp;
    }
    return cps;
  }

  private static boolean isSurrogate(int cp) {
    return cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
  }

  private static String oneLine(String s) {
    return s == null ? "syntax error" : s.replaceAll("\\s+", " ").strip();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }
}

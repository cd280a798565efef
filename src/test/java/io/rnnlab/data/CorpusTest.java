package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {
  @TempDir Path dir;

  private Path write(String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  @Test
  void readsUtf8FileAndNamesItAfterTheFile() throws IOException {
    Path file = write("poem.txt", "héllo\nwörld 😀".getBytes(StandardCharsets.UTF_8));

    Corpus corpus = Corpus.fromFile(file);

    assertThat(corpus.name()).isEqualTo("poem.txt");
    assertThat(corpus.text()).isEqualTo("héllo\nwörld 😀");
    assertThat(corpus.length()).isEqualTo(13); // the emoji is one code point, two chars
    assertThat(corpus.text().length()).isEqualTo(14);
  }

  @Test
  void stripsLeadingByteOrderMarkOnly() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    byte[] body = "ab\uFEFFc".getBytes(StandardCharsets.UTF_8);
    byte[] bytes = new byte[bom.length + body.length];
    System.arraycopy(bom, 0, bytes, 0, 3);
    System.arraycopy(body, 0, bytes, 3, body.length);

    assertThat(Corpus.fromFile(write("bom.txt", bytes)).text()).isEqualTo("ab\uFEFFc");
  }

  @Test
  void invalidUtf8ReportsByteOffset() throws IOException {
    Path file = write("latin1.txt", new byte[] {'a', 'b', 'c', (byte) 0xE9, 'd'});

    assertThatThrownBy(() -> Corpus.fromFile(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("corpus " + file + " is not valid UTF-8 (byte offset 3)");
  }

  @Test
  void truncatedMultiByteSequenceAtEndIsInvalid() throws IOException {
    // "ab" then the first two bytes of the three-byte euro sign.
    Path file = write("cut.txt", new byte[] {'a', 'b', (byte) 0xE2, (byte) 0x82});

    assertThatThrownBy(() -> Corpus.fromFile(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("byte offset 2");
  }

  @Test
  void encodedSurrogateIsInvalid() throws IOException {
    // U+D800 encoded as if it were a character (CESU-8 style) is not UTF-8.
    Path file = write("cesu.txt", new byte[] {'x', (byte) 0xED, (byte) 0xA0, (byte) 0x80});

    assertThatThrownBy(() -> Corpus.fromFile(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("byte offset 1");
  }

  @Test
  void emptyFileIsRejected() throws IOException {
    Path file = write("empty.txt", new byte[0]);

    assertThatThrownBy(() -> Corpus.fromFile(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("corpus " + file + " is empty");
  }

  @Test
  void fileWithOnlyBomIsEmpty() throws IOException {
    Path file = write("bom-only.txt", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});

    assertThatThrownBy(() -> Corpus.fromFile(file)).hasMessageContaining("is empty");
  }

  @Test
  void missingFileAndDirectoryAreUserErrors() {
    Path missing = dir.resolve("nope.txt");

    assertThatThrownBy(() -> Corpus.fromFile(missing))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> Corpus.fromFile(dir))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("is a directory");
  }

  @Test
  void unreadableFileIsUserError() throws IOException {
    Path file = write("secret.txt", "x".getBytes(StandardCharsets.UTF_8));
    // root reads anything, so only check where permissions mean something.
    org.junit.jupiter.api.Assumptions.assumeTrue(file.toFile().setReadable(false, false));
    org.junit.jupiter.api.Assumptions.assumeFalse(Files.isReadable(file));

    assertThatThrownBy(() -> Corpus.fromFile(file))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("not readable");
  }

  @Test
  void helloIsTheTutorialSentence() {
    Corpus hello = Corpus.hello();

    assertThat(hello.name()).isEqualTo("hello");
    assertThat(hello.text())
        .isEqualTo(
            "hello world. this is a simple example of character level text generation using rnn"
                + " and lstm.");
  }

  @Test
  void cleanNewlinesTurnsEveryNewlineKindIntoOneSpace() {
    Corpus corpus = new Corpus("c", "one\r\ntwo\nthree\rfour\n\n  five \n");

    Corpus clean = corpus.cleanNewlines();

    assertThat(clean.text()).isEqualTo("one two three four five ");
    assertThat(clean.name()).isEqualTo("c");
  }

  @Test
  void cleanNewlinesKeepsTabs() {
    assertThat(new Corpus("c", "a\t\tb").cleanNewlines().text()).isEqualTo("a\t\tb");
  }

  @Test
  void limitCountsCodePointsAndNeverSplitsSurrogatePairs() {
    Corpus corpus = new Corpus("c", "a😀b😀c");

    assertThat(corpus.limit(2).text()).isEqualTo("a😀");
    assertThat(corpus.limit(4).text()).isEqualTo("a😀b😀");
    assertThat(corpus.limit(4).length()).isEqualTo(4);
    assertThat(corpus.limit(5)).isSameAs(corpus);
    assertThat(corpus.limit(100)).isSameAs(corpus);
  }

  @Test
  void limitBelowOneIsUserError() {
    assertThatThrownBy(() -> Corpus.hello().limit(0))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("got 0");
  }
}

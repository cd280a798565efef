package io.rnnlab.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {
  @Test
  void idsAreSortedDistinctCharacters() {
    Vocabulary vocab = Vocabulary.fromText("hello world");

    assertThat(vocab.symbols()).containsExactly(" ", "d", "e", "h", "l", "o", "r", "w");
    assertThat(vocab.size()).isEqualTo(8);
    assertThat(vocab.idOf('l')).isEqualTo(4);
    assertThat(vocab.symbol(4)).isEqualTo("l");
    assertThat(vocab.idOf('z')).isEqualTo(-1);
  }

  @Test
  void helloCorpusMatchesPythonSortedSet() {
    // sorted(set(text)) of the tutorial sentence, computed in Python.
    Vocabulary vocab = Vocabulary.fromText(Corpus.hello().text());

    assertThat(String.join("", vocab.symbols())).isEqualTo(" .acdefghilmnoprstuvwx");
  }

  @Test
  void surrogatePairIsOneSymbolSortedByCodePoint() {
    // U+1F600 is a surrogate pair in UTF-16 and so sorts *before* U+FB01 in Java's String order,
    // but Python (and we) sort by code point, putting it last.
    Vocabulary vocab = Vocabulary.fromText("ﬁ😀a");

    assertThat(vocab.symbols()).containsExactly("a", "ﬁ", "😀");
    assertThat(vocab.idOf("😀".codePointAt(0))).isEqualTo(2);
    assertThat(vocab.encode("😀aﬁ😀")).containsExactly(2, 0, 1, 2);
    assertThat(vocab.decode(new int[] {2, 0, 1})).isEqualTo("😀aﬁ");
    assertThat(vocab.decode(2)).isEqualTo("😀");
  }

  @Test
  void loneSurrogateInTextIsRejected() {
    assertThatThrownBy(() -> Vocabulary.fromText("ab\uD83D"))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("lone surrogate")
        .hasMessageContaining("index 2");
  }

  @Test
  void emptyTextIsRejected() {
    assertThatThrownBy(() -> Vocabulary.fromText("")).isInstanceOf(UserInputException.class);
  }

  @Test
  void encodeDecodeRoundTrip() {
    String text = "the quick brown fox\njumps";
    Vocabulary vocab = Vocabulary.fromText(text);

    int[] ids = vocab.encode(text);

    assertThat(ids).hasSize(text.length());
    assertThat(vocab.decode(ids)).isEqualTo(text);
  }

  @Test
  void encodeListsUnknownCharactersEscapedInOrderOfAppearance() {
    Vocabulary vocab = Vocabulary.fromText("abc");

    assertThatThrownBy(() -> vocab.encode("ab\néxé\u00a0"))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "text has 4 characters not in the vocabulary: '\\n', 'é', 'x', '\\u00a0'; use only"
                + " characters that occur in the training corpus");
  }

  @Test
  void encodeListsAtMostTenUnknownCharacters() {
    Vocabulary vocab = Vocabulary.fromText("a");

    assertThatThrownBy(() -> vocab.encode("bcdefghijklmn"))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith(
            "text has 13 characters not in the vocabulary: 'b', 'c', 'd', 'e', 'f', 'g', 'h',"
                + " 'i', 'j', 'k', …;");
  }

  @Test
  void encodeCanSkipUnknownCharacters() {
    Vocabulary vocab = Vocabulary.fromText("abc");

    assertThat(vocab.encode("a?b😀c", true)).containsExactly(0, 1, 2);
    assertThat(vocab.encode("abc", false)).containsExactly(0, 1, 2);
    assertThatThrownBy(() -> vocab.encode("a?", false)).isInstanceOf(UserInputException.class);
  }

  @Test
  void unknownSymbolsInFirstAppearanceOrder() {
    Vocabulary vocab = Vocabulary.fromText("abc");

    assertThat(vocab.unknownSymbols("zaz😀y")).containsExactly("z", "😀", "y");
    assertThat(vocab.unknownSymbols("cab")).isEmpty();
  }

  @Test
  void ofKeepsTheGivenOrderAsIds() {
    Vocabulary vocab = Vocabulary.of(List.of("b", "a", "😀"));

    assertThat(vocab.idOf('b')).isEqualTo(0);
    assertThat(vocab.idOf('a')).isEqualTo(1);
    assertThat(vocab.encode("ab😀")).containsExactly(1, 0, 2);
    assertThat(vocab.symbols()).containsExactly("b", "a", "😀");
  }

  @Test
  void ofRejectsDuplicatesMultiCharAndEmptySymbols() {
    assertThatThrownBy(() -> Vocabulary.of(List.of("a", "b", "a")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("symbols[2] 'a' is a duplicate of symbols[0]");
    assertThatThrownBy(() -> Vocabulary.of(List.of("a", "bc")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("symbols[1] is \"bc\" (2 characters), expected exactly one");
    assertThatThrownBy(() -> Vocabulary.of(List.of("")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("(0 characters)");
    assertThatThrownBy(() -> Vocabulary.of(List.of()))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("no characters");
    assertThatThrownBy(() -> Vocabulary.of(List.of("\uDC00")))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("lone surrogate");
  }

  @Test
  void equalityIsBySymbolsInOrder() {
    assertThat(Vocabulary.fromText("cab")).isEqualTo(Vocabulary.of(List.of("a", "b", "c")));
    assertThat(Vocabulary.fromText("cab").hashCode())
        .isEqualTo(Vocabulary.of(List.of("a", "b", "c")).hashCode());
    assertThat(Vocabulary.fromText("cab")).isNotEqualTo(Vocabulary.of(List.of("c", "a", "b")));
  }

  @Test
  void symbolsListIsUnmodifiable() {
    Vocabulary vocab = Vocabulary.fromText("ab");

    assertThatThrownBy(() -> vocab.symbols().add("c"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void outOfRangeIdsAreProgrammingErrors() {
    Vocabulary vocab = Vocabulary.fromText("ab");

    assertThatThrownBy(() -> vocab.symbol(2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> vocab.decode(new int[] {0, -1}))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void escapeShowsInvisibleCharacters() {
    assertThat(Vocabulary.escape('\n')).isEqualTo("'\\n'");
    assertThat(Vocabulary.escape('\t')).isEqualTo("'\\t'");
    assertThat(Vocabulary.escape('é')).isEqualTo("'é'");
    assertThat(Vocabulary.escape(' ')).isEqualTo("' '");
    assertThat(Vocabulary.escape('\'')).isEqualTo("'\\''");
    assertThat(Vocabulary.escape(0x200B)).isEqualTo("'\\u200b'");
    assertThat(Vocabulary.escape(0xE0001)).isEqualTo("'\\U000e0001'");
    assertThat(Vocabulary.escape("😀".codePointAt(0))).isEqualTo("'😀'");
  }
}

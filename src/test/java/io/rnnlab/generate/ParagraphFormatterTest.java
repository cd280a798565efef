package io.rnnlab.generate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ParagraphFormatterTest {
  @Test
  void splitsOnFullStopSpaceAndNumbersTheParagraphs() {
    assertThat(ParagraphFormatter.format("to be. or not. to be."))
        .isEqualTo("Paragraph 1:\nto be.\n\nParagraph 2:\nor not.\n\nParagraph 3:\nto be.\n");
  }

  @Test
  void aFullStopWithoutASpaceIsText() {
    assertThat(ParagraphFormatter.format("e.g..x")).isEqualTo("Paragraph 1:\ne.g..x\n");
    assertThat(ParagraphFormatter.format("")).isEqualTo("Paragraph 1:\n\n");
  }

  @Test
  void streamingOneCharacterAtATimeGivesTheSameText() {
    String text = "hello world. this is a simple example.. of text. ";
    StringBuilder out = new StringBuilder();
    ParagraphFormatter f = new ParagraphFormatter(out::append);
    f.accept("hel");
    text.substring(3).codePoints().forEach(cp -> f.accept(Character.toString(cp)));
    f.finish();
    assertThat(out.toString()).isEqualTo(ParagraphFormatter.format(text))
        .isEqualTo("Paragraph 1:\nhello world.\n\nParagraph 2:\nthis is a simple example..\n\n"
            + "Paragraph 3:\nof text.\n\nParagraph 4:\n\n");
  }

  @Test
  void nothingIsHeldBackButAFullStop() {
    StringBuilder out = new StringBuilder();
    ParagraphFormatter f = new ParagraphFormatter(out::append);
    f.accept("ab");
    assertThat(out).hasToString("Paragraph 1:\nab");
    f.accept(".");
    assertThat(out).hasToString("Paragraph 1:\nab");
    f.accept("c");
    assertThat(out).hasToString("Paragraph 1:\nab.c");
  }
}

package io.rnnlab.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import io.rnnlab.savedmodel.SavedModelInspector.SignatureInfo;
import io.rnnlab.savedmodel.SavedModelInspector.TensorInfo;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which signatures read as char models, decided from specs alone. */
class CharSignatureTest {
  private static final String NEEDS = "rnnlab needs one-hot float32[batch, seq, vocab] or ids [batch, seq] in "
      + "and [batch, vocab] out)";

  private static TensorInfo t(String name, String dtype, Long... shape) {
    return new TensorInfo(name, dtype, shape.length == 0 ? null : Arrays.asList(shape));
  }

  private static SignatureInfo sig(List<TensorInfo> in, List<TensorInfo> out) {
    return new SignatureInfo("serving_default", "", in, out);
  }

  @Test
  void regressionOutputIsNotACharModel() {
    SignatureInfo s = sig(List.of(t("inputs", "float32", -1L, 5L, 1L)), List.of(t("output_0", "float32", -1L, 1L)));
    assertThatThrownBy(() -> CharSignature.of(s)).isInstanceOf(UserInputException.class)
        .hasMessage("serving_default takes inputs float32[-1, 5, 1] and returns output_0 float32[-1, 1]: "
            + "not a char model (" + NEEDS);
  }

  @Test
  void otherShapesAreNotCharModels() {
    List<SignatureInfo> bad = List.of(
        sig(List.of(t("a", "int32", -1L, 10L), t("b", "int32", -1L, 10L)), List.of(t("y", "float32", -1L, 22L))),
        sig(List.of(t("x", "float32", -1L, 10L, 22L)), List.of(t("y", "int32", -1L, 22L))),
        sig(List.of(t("x", "float32", -1L, 10L, 22L)), List.of(t("y", "float32", -1L, 30L))),
        sig(List.of(t("x", "float32", -1L, 10L, 22L, 3L)), List.of(t("y", "float32", -1L, 22L))),
        sig(List.of(t("x", "string", -1L, 10L)), List.of(t("y", "float32", -1L, 22L))),
        sig(List.of(t("x", "float32")), List.of(t("y", "float32", -1L, 22L))),
        sig(List.of(t("x", "int32", -1L, 10L)), List.of(t("y", "float32", -1L))),
        sig(List.of(t("x", "int32", -1L, 10L)), List.of(t("p", "float32", -1L, 22L), t("q", "float32", -1L, 22L))));
    for (SignatureInfo s : bad) {
      assertThatThrownBy(() -> CharSignature.of(s)).as(s.toString())
          .isInstanceOf(UserInputException.class).hasMessageContaining(": not a char model (");
    }
  }

  @Test
  void readsEachAcceptedForm() {
    CharSignature oneHot = CharSignature.of(sig(List.of(t("x", "float32", -1L, 10L, 22L)),
        List.of(t("y", "float32", -1L, 22L))));
    assertThat(oneHot.form()).isEqualTo(CharSignature.Form.ONE_HOT);
    assertThat(oneHot.seqLen()).isEqualTo(10);
    assertThat(oneHot.vocabDim()).isEqualTo(22);

    CharSignature freeIds = CharSignature.of(sig(List.of(t("x", "float32", -1L, -1L)),
        List.of(t("y", "float32", -1L, -1L, 31L))));
    assertThat(freeIds.form()).isEqualTo(CharSignature.Form.IDS);
    assertThat(freeIds.seqLen()).isEqualTo(-1);
    assertThat(freeIds.vocabDim()).isEqualTo(31);

    // a second output that cannot be probabilities (a [b, 1] score) does not hide the real one
    CharSignature twoOutputs = CharSignature.of(sig(List.of(t("x", "int64", -1L, 7L)),
        List.of(t("score", "float32", -1L, 1L), t("probs", "float32", -1L, -1L))));
    assertThat(twoOutputs.output().name()).isEqualTo("probs");
    assertThat(twoOutputs.vocabDim()).isEqualTo(-1);
  }
}

package io.rnnlab.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.generate.TinyModels;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/** The C-API call and TF Java's runner are two ways into one session: same numbers, any batch. */
class SignatureCallTest {
  static final ModelSpec SPEC = TinyModels.lstm(0, LossOn.LAST);
  @TempDir static Path tmp;
  static Path model;

  @BeforeAll
  static void export() throws IOException {
    model = TinyModels.export(SPEC, TinyModels.weights(SPEC, 4), tmp.resolve("m"));
  }

  @Test
  void nativeAndRunnerCallsAgreeExactlyAcrossBatchSizes() {
    try (SavedModelBundle b = SavedModelBundle.load(model.toString(), "serve")) {
      Output<?>[] in = outputs(b, true, "char_ids", "state");
      Output<?>[] out = outputs(b, false, "probabilities", "state");
      try (NativeSignatureCall direct = NativeSignatureCall.tryOpen(b.session(), in, out);
          RunnerSignatureCall runner = new RunnerSignatureCall(b.session(), in, out)) {
        assertThat(direct).as("TF Java 1.1.0 exposes the session handle to reflection").isNotNull();
        int s = SPEC.stateSize();
        for (int rows : new int[] {1, 3, 1, 2}) {
          int[] ids = new int[rows];
          float[] state = new float[rows * s];
          for (int r = 0; r < rows; r++) {
            ids[r] = (7 * r + rows) % SPEC.vocabSize();
            for (int i = 0; i < s; i++) {
              state[r * s + i] = (float) Math.sin(r + 0.37 * i);
            }
          }
          for (SignatureCall c : List.<SignatureCall>of(direct, runner)) {
            c.feedInts(0, ids, rows);
            c.feedFloats(1, state, rows, s);
          }
          float[][] a = direct.run();
          float[][] b2 = runner.run();
          assertThat(a[0]).hasSize(rows * SPEC.vocabSize()).containsExactly(b2[0]);
          assertThat(a[1]).hasSize(rows * s).containsExactly(b2[1]);
          assertThat(a[1]).isNotEqualTo(state);
        }
      }
    }
  }

  @Test
  void aBadFeedIsAnExceptionAndTheCallStillWorksAfterIt() {
    try (SavedModelBundle b = SavedModelBundle.load(model.toString(), "serve");
        SignatureCall c = SignatureCall.open(b, "step", List.of("char_ids", "state"), List.of("probabilities", "state"))) {
      assertThat(c).isInstanceOf(NativeSignatureCall.class);
      assertThatThrownBy(c::run).isInstanceOf(IllegalStateException.class).hasMessage("input 0 was never fed");
      assertThatThrownBy(() -> c.feedInts(0, new int[] {1, 2}, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("2 values for shape [1]");
      c.feedInts(0, new int[] {1}, 1);
      c.feedFloats(1, new float[3], 1, 3); // state must be [rows, 32]
      assertThatThrownBy(c::run).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("TensorFlow: ");
      c.feedFloats(1, new float[SPEC.stateSize()], 1, SPEC.stateSize());
      assertThat(c.run()[0]).hasSize(SPEC.vocabSize());
    }
  }

  private static Output<?>[] outputs(SavedModelBundle b, boolean inputs, String... names) {
    Signature sig = b.function("step").signature();
    Output<?>[] o = new Output<?>[names.length];
    for (int i = 0; i < names.length; i++) {
      o[i] = b.graph().outputOrThrow((inputs ? sig.getInputs() : sig.getOutputs()).get(names[i]).name);
    }
    return o;
  }
}

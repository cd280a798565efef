package io.rnnlab.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnlab.UserInputException;
import io.rnnlab.data.Vocabulary;
import io.rnnlab.model.CellType;
import io.rnnlab.model.Head;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.model.WeightInitializer;
import io.rnnlab.model.Weights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --init-from}: Keras files → weights for the flags' model. Real Keras 2 {@code .h5}
 * files are read in test_keras_parity.py; here the Keras 3 layouts and the one-line errors.
 */
class KerasWeightsImportTest {
  static final Vocabulary VOCAB = KerasArchiveTest.VOCAB;
  static final ModelSpec EMB = ModelSpec.charModel(CellType.LSTM, 2, 16, 8, 0.2, 10, VOCAB.size(), LossOn.LAST);

  @TempDir Path dir;

  @Test
  void aKerasArchiveGivesItsWeightsAndVocabulary() throws IOException {
    Weights w = WeightInitializer.initialize(EMB, 5);
    Path file = dir.resolve("m.keras");
    KerasArchive.write(EMB, VOCAB, w, file);

    KerasWeightsImport.Imported in = KerasWeightsImport.load(file, EMB);

    assertThat(in.weights().asMap()).isEqualTo(w.asMap());
    assertThat(in.vocab()).isEqualTo(VOCAB);
  }

  @Test
  void aKeras3WeightsFileGivesTheSameWeights() throws IOException {
    Weights w = WeightInitializer.initialize(EMB, 5);
    Path h5 = weightsFileOf(EMB, w);

    assertThat(KerasH5Weights.read(h5, EMB).asMap()).isEqualTo(w.asMap());
    assertThat(KerasWeightsImport.load(h5, EMB).weights().asMap()).isEqualTo(w.asMap());
    assertThat(KerasWeightsImport.load(h5, EMB).vocab()).isNull();
  }

  @Test
  void whatDoesNotShapeTheWeightsMayDiffer() throws IOException {
    Weights w = WeightInitializer.initialize(EMB, 5);
    Path file = dir.resolve("m.keras");
    KerasArchive.write(EMB, VOCAB, w, file);
    ModelSpec retrain = new ModelSpec(ModelSpec.stack(CellType.LSTM, 2), 16, 8, ModelSpec.dropoutAfterEach(2, 0.5), 40,
        VOCAB.size(), Head.SOFTMAX, LossOn.ALL, 0);

    KerasWeightsImport.Imported in = KerasWeightsImport.load(file, retrain);
    assertThat(in.weights().asMap()).isEqualTo(w.asMap());
    assertThat(in.notes()).containsExactly(
        "m.keras was built for windows of 10; this run uses 40 (--seq-len)",
        "m.keras predicts from the last step only (return_sequences=False); this run puts the loss on every step"
            + " (--loss-on all)",
        "m.keras has dropout 0.2; this run uses 0.5 (--dropout)");
    assertThat(KerasWeightsImport.load(file, EMB).notes()).isEmpty();
    assertThat(KerasWeightsImport.load(weightsFileOf(EMB, w), retrain).weights().asMap()).isEqualTo(w.asMap());
  }

  @Test
  void anotherWidthIsOneLineNamingIt() throws IOException {
    Path file = dir.resolve("model.keras");
    KerasArchive.write(EMB, VOCAB, WeightInitializer.initialize(EMB, 5), file);
    ModelSpec wider = ModelSpec.charModel(CellType.LSTM, 2, 128, 8, 0.2, 10, VOCAB.size(), LossOn.LAST);

    assertThatThrownBy(() -> KerasWeightsImport.load(file, wider)).isInstanceOf(UserInputException.class)
        .hasMessage("model.keras has lstm(16), the flags ask for lstm(128)");
    Path h5 = weightsFileOf(EMB, WeightInitializer.initialize(EMB, 5));
    assertThatThrownBy(() -> KerasWeightsImport.load(h5, wider)).isInstanceOf(UserInputException.class)
        .hasMessage("x.weights.h5 has lstm(16), the flags ask for lstm(128)");
  }

  @Test
  void everyDifferenceIsNamed() throws IOException {
    Path h5 = weightsFileOf(EMB, WeightInitializer.initialize(EMB, 5));
    ModelSpec other = ModelSpec.charModel(CellType.SIMPLE_RNN, 1, 16, 0, 0, 10, VOCAB.size() + 1, LossOn.LAST);

    assertThatThrownBy(() -> KerasWeightsImport.load(h5, other)).isInstanceOf(UserInputException.class)
        .hasMessage("x.weights.h5 has lstm(16), 2 recurrent layers, embedding 8, vocabulary " + VOCAB.size()
            + ", the flags ask for simple_rnn(16), 1 recurrent layer, one-hot input, vocabulary " + (VOCAB.size() + 1));
  }

  @Test
  void aRegressionModelIsNotACharModel() throws IOException {
    ModelSpec sum = ModelSpec.regression(CellType.LSTM, 1, 16, 5, 1);
    Path file = dir.resolve("sum.keras");
    KerasArchive.write(sum, null, WeightInitializer.initialize(sum, 1), file);
    ModelSpec chars = ModelSpec.charModel(CellType.LSTM, 1, 16, 0, 0, 5, VOCAB.size(), LossOn.LAST);

    assertThatThrownBy(() -> KerasWeightsImport.load(file, chars)).isInstanceOf(UserInputException.class)
        .hasMessage("sum.keras has a regression head, the flags ask for a softmax head");
  }

  @Test
  void aVocabularyBesideTheArchiveMustNumberTheCorpusCharactersAlike() throws IOException {
    ModelSpec spec = ModelSpec.charModel(CellType.LSTM, 1, 8, 0, 0, 5, 4, LossOn.LAST);
    Path file = dir.resolve("abcd.keras");
    KerasArchive.write(spec, Vocabulary.fromText("abcd"), WeightInitializer.initialize(spec, 1), file);

    assertThat(KerasWeightsImport.load(file, spec, Vocabulary.fromText("dcba")).vocab()).isEqualTo(Vocabulary.fromText("abcd"));
    assertThatThrownBy(() -> KerasWeightsImport.load(file, spec, Vocabulary.fromText("ab d")))
        .isInstanceOf(UserInputException.class)
        .hasMessage("abcd.vocab.json gives id 0 to 'a', the corpus to U+0020; train on the text the Keras model was trained on");
    Files.delete(dir.resolve("abcd.vocab.json"));
    assertThat(KerasWeightsImport.load(file, spec, Vocabulary.fromText("wxyz")).vocab()).isNull();
  }

  @Test
  void aFileThatIsNoKerasModelIsOneLine() throws IOException {
    Path text = Files.writeString(dir.resolve("notes.h5"), "hello");
    assertThatThrownBy(() -> KerasWeightsImport.load(text, EMB)).isInstanceOf(UserInputException.class)
        .hasMessage(text + " is neither a .keras archive nor a Keras .h5 weights file");
    Path missing = dir.resolve("missing.keras");
    assertThatThrownBy(() -> KerasWeightsImport.load(missing, EMB)).isInstanceOf(UserInputException.class)
        .hasMessage(missing + " does not exist or is not a file");
  }

  @Test
  void anHdf5FileWithoutKerasLayersIsOneLine() throws IOException {
    Path h5 = dir.resolve("other.h5");
    try (var f = io.jhdf.HdfFile.write(h5)) {
      f.putDataset("data", new float[] {1, 2, 3});
    }
    assertThatThrownBy(() -> KerasWeightsImport.load(h5, EMB)).isInstanceOf(UserInputException.class)
        .hasMessage("other.h5 holds no Keras weights (no 'layers' group, no layer_names attribute); "
            + "expected a Keras model.save(\"x.h5\") or save_weights file");
  }

  /**
   * {@code train --init-from FILE.keras} takes the model from the file where the flags say
   * nothing: its cells, Dropout positions and the cells' own dropout (saved_models/variants/).
   * A model with a training-time noise layer reads for inference but is not trained; a .h5 holds
   * weights only.
   */
  @Test
  void aKerasFileGivesTheModelToTrainUnlessItHasLayersRnnlabDoesNotTrain() throws IOException {
    Path variants = Path.of("saved_models", "variants");
    ModelSpec between = KerasWeightsImport.model(variants.resolve("drop-between.keras"), 100);
    assertThat(between.dropouts()).containsExactly(0.0, 0.1, 0.0);
    ModelSpec mixed = KerasWeightsImport.model(variants.resolve("gru-lstm.keras"), 100);
    assertThat(mixed.recurrent()).extracting(RecurrentSpec::cell).containsExactly(CellType.GRU, CellType.LSTM);
    ModelSpec cellDrop = KerasWeightsImport.model(variants.resolve("lstm-celldrop.keras"), 100);
    assertThat(cellDrop.recurrent()).containsExactly(new RecurrentSpec(CellType.LSTM, 0.2, 0.2),
        new RecurrentSpec(CellType.LSTM, 0.1, 0));
    assertThat(KerasWeightsImport.model(variants.resolve("gru-tutorial.keras"), 25).seqLen()).isEqualTo(25);
    assertThatThrownBy(() -> KerasWeightsImport.model(variants.resolve("noise-onehot.keras"), 100))
        .isInstanceOf(UserInputException.class)
        .hasMessage("noise-onehot.keras: layer 'gaussian_noise' (GaussianNoise) is a training-time noise layer rnnlab"
            + " does not train (generate, predict and inspect read it as the identity, as Keras does outside training)");
    assertThat(KerasWeightsImport.model(weightsFileOf(EMB, WeightInitializer.initialize(EMB, 5)), 100)).isNull();
  }

  /** model.weights.h5 of an archive is exactly what Keras 3's save_weights("x.weights.h5") writes. */
  private Path weightsFileOf(ModelSpec spec, Weights w) throws IOException {
    Path keras = dir.resolve("for-weights.keras");
    KerasArchive.write(spec, VOCAB, w, keras);
    Path h5 = dir.resolve("x.weights.h5");
    try (ZipFile z = new ZipFile(keras.toFile()); InputStream in = z.getInputStream(z.getEntry("model.weights.h5"))) {
      Files.copy(in, h5, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return h5;
  }
}

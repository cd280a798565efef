package io.rnnlab.keras;

import io.rnnlab.UserInputException;
import io.rnnlab.model.CellType;
import io.rnnlab.model.RecurrentSpec;
import io.rnnlab.model.LossOn;
import io.rnnlab.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether weights found in a Keras file fit the model the flags ask for. Only what shapes the
 * weights counts (cell, width, depth, input, vocabulary, head); sequence length, dropout and the
 * loss position do not, so a Keras model can be fine-tuned with other values of those.
 */
final class KerasArchitecture {
  private KerasArchitecture() {}

  /** Throws a one-line message naming every difference, e.g. "has lstm(64), the flags ask for lstm(128)". */
  static void requireSame(ModelSpec found, ModelSpec wanted, String source) {
    List<String> has = new ArrayList<>();
    List<String> asks = new ArrayList<>();
    if (!cells(found).equals(cells(wanted)) || found.units() != wanted.units()) {
      has.add(cell(found));
      asks.add(cell(wanted));
    }
    if (found.layers() != wanted.layers()) {
      has.add(layers(found));
      asks.add(layers(wanted));
    }
    if (found.head() != wanted.head()) {
      has.add(found.isCharModel() ? "a softmax head" : "a regression head");
      asks.add(wanted.isCharModel() ? "a softmax head" : "a regression head");
    } else if (found.isCharModel()) {
      if (found.embeddingDim() != wanted.embeddingDim()) {
        has.add(input(found));
        asks.add(input(wanted));
      }
      if (found.vocabSize() != wanted.vocabSize()) {
        has.add("vocabulary " + found.vocabSize());
        asks.add("vocabulary " + wanted.vocabSize());
      }
    } else if (found.inputFeatures() != wanted.inputFeatures()) {
      has.add(found.inputFeatures() + " input feature(s)");
      asks.add(wanted.inputFeatures() + " input feature(s)");
    }
    if (!has.isEmpty()) {
      throw new UserInputException(source + " has " + String.join(", ", has) + ", the flags ask for "
          + String.join(", ", asks));
    }
  }

  /**
   * What the Keras model in {@code found} was built with that the wanted run changes without
   * changing the weights: its window length, where its loss is, its dropout. One line each.
   */
  static List<String> otherSettings(KerasArchive.Model found, ModelSpec wanted, String source) {
    ModelSpec k = found.spec();
    List<String> notes = new ArrayList<>();
    if (!found.anyLength() && k.seqLen() != wanted.seqLen()) {
      notes.add(source + " was built for windows of " + k.seqLen() + "; this run uses " + wanted.seqLen() + " (--seq-len)");
    }
    if (k.lossOn() != wanted.lossOn()) {
      notes.add(source + (k.lossOn() == LossOn.LAST
          ? " predicts from the last step only (return_sequences=False); this run puts the loss on every step"
          : " predicts at every step (return_sequences=True); this run puts the loss on the last step only")
          + " (--loss-on " + wanted.lossOn().jsonName() + ")");
    }
    if (!k.dropouts().equals(wanted.dropouts())) {
      notes.add(source + " has dropout " + rates(k) + "; this run uses " + rates(wanted) + " (--dropout)");
    }
    return notes;
  }

  /** The cells layer by layer, e.g. {@code [lstm, lstm]}. */
  private static java.util.List<CellType> cells(ModelSpec s) {
    return s.recurrent().stream().map(RecurrentSpec::cell).toList();
  }

  /** {@code lstm(128)}, or {@code gru(16)+lstm(16)} for mixed cells. */
  private static String cell(ModelSpec s) {
    java.util.List<String> names = cells(s).stream().map(c -> c.kerasName() + "(" + s.units() + ")").distinct().toList();
    return names.size() == 1 ? names.get(0)
        : String.join("+", cells(s).stream().map(c -> c.kerasName() + "(" + s.units() + ")").toList());
  }

  /**
   * Dropout by position: the one rate after each recurrent layer ({@code --dropout}'s form), or
   * {@code [0.1, 0.0, 0.2] (after the input, then after each recurrent layer)}.
   */
  private static String rates(ModelSpec s) {
    double each = s.dropoutAfterEach();
    return Double.isNaN(each) ? s.dropouts() + " (after the input, then after each recurrent layer)" : String.valueOf(each);
  }

  private static String layers(ModelSpec s) {
    return s.layers() + (s.layers() == 1 ? " recurrent layer" : " recurrent layers");
  }

  private static String input(ModelSpec s) {
    return s.embeddingDim() > 0 ? "embedding " + s.embeddingDim() : "one-hot input";
  }
}

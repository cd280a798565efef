package io.rnnlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnlab.Json;
import io.rnnlab.UserInputException;
import io.rnnlab.generate.GenerationOptions;
import io.rnnlab.generate.Generator;
import io.rnnlab.keras.KerasArchive;
import io.rnnlab.model.ModelSpec;
import io.rnnlab.run.RunDirectory;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.CharModels;
import io.rnnlab.savedmodel.RnnlabModel;
import io.rnnlab.savedmodel.SavedModelInspector.CharModelFit;
import io.rnnlab.savedmodel.SavedModelInspector.Description;
import io.rnnlab.savedmodel.SavedModelInspector.SignatureInfo;
import io.rnnlab.savedmodel.SavedModelInspector.TensorInfo;
import io.rnnlab.savedmodel.SavedModelInspector;
import io.rnnlab.savedmodel.VocabularyLookup;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rnnlab inspect}: what a SavedModel (rnnlab's or Python's) or a .keras file holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Describe a SavedModel: tags, signatures, each input and output with dtype and shape,",
        "and whether 'rnnlab generate' can sample from it (signature, input form, vocabulary).",
        "A .keras file: the model rnnlab reads from it, its parameters and vocabulary."})
final class InspectCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = Json.MAPPER;

  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "PATH", description = "a SavedModel directory or a .keras file")
  Path path;

  @Option(names = "--json", description = "machine-readable output")
  boolean json;

  @Option(names = "--vocab", paramLabel = "FILE", description = "vocabulary to check against the model (default: looked up beside it)")
  Path vocab;

  @Option(names = "--check", description = "also open the model as 'rnnlab generate' would (one probe call, "
      + "vocabulary); exit 2 if it cannot generate from it")
  boolean check;

  @Override
  public Integer call() throws Exception {
    if (KerasArchive.isKerasFile(path)) {
      return inspectKeras();
    }
    Path dir = RunDirectory.savedModelToInspect(path);
    Description d = SavedModelInspector.inspect(dir);
    CharModelFit fit = SavedModelInspector.charModelFit(d, vocab);
    PrintWriter out = cmd.commandLine().getOut();
    if (json) {
      out.println(JSON.writeValueAsString(toJson(d, fit)));
    } else {
      printText(out, d, fit);
    }
    out.flush();
    if (check) {
      checkGenerates(out, dir);
    }
    return Main.OK;
  }

  /** Opens {@code model} as generate does and says which mode generate would use. */
  private void checkGenerates(PrintWriter out, Path model) {
    try (Generator g = Generator.of(CharModels.open(model, vocab, SessionOptions.cpuOnly()))) {
      if (!json) {
        out.println("check: ok, " + g.model().describe() + "; generate runs it in "
            + g.resolve(GenerationOptions.Mode.AUTO).name().toLowerCase(java.util.Locale.ROOT) + " mode");
      }
    }
  }

  /**
   * A .keras file: what rnnlab reads from it. The vocabulary is looked up as generate does; with
   * --check the model is also built and opened as generate would.
   */
  private Integer inspectKeras() throws Exception {
    RnnlabModel.KerasFit fit = RnnlabModel.inspectKeras(path, vocab);
    KerasArchive.Model m = fit.model();
    ModelSpec spec = m.spec();
    String problem = fit.problem();
    VocabularyLookup.Found vocabulary = fit.vocabulary();
    String mode = fit.defaultMode() == null ? null : fit.defaultMode().name().toLowerCase(java.util.Locale.ROOT);
    PrintWriter out = cmd.commandLine().getOut();
    if (json) {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("path", path.toString());
      root.put("format", "keras");
      root.put("spec", JSON.readTree(spec.toJson()));
      root.put("parameters", spec.parameterCount());
      root.put("any_length", m.anyLength());
      root.put("head", !spec.isCharModel() ? "regression" : m.logits() ? "logits" : "softmax");
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("ok", problem == null);
      if (mode != null) {
        c.put("default_mode", mode);
      }
      if (vocabulary != null) {
        c.put("vocabulary_file", vocabulary.file().toString());
        c.put("vocabulary_size", vocabulary.vocabulary().size());
      }
      if (problem != null) {
        c.put("problem", problem);
      }
      root.put("char_model", c);
      root.put("training_problems", m.trainingProblems());
      out.println(JSON.writeValueAsString(root));
    } else {
      out.println("Keras file " + path);
      out.println("model: " + spec.describe() + (m.anyLength()
          ? " (the Keras model takes any length; window mode uses " + spec.seqLen() + ")" : ""));
      out.println("parameters: " + String.format(java.util.Locale.ROOT, "%,d", spec.parameterCount()));
      if (spec.isCharModel()) {
        out.println("head: " + (m.logits() ? "linear Dense (logits); rnnlab applies the softmax" : "Dense softmax"));
        out.println(vocabulary != null
            ? "vocabulary: " + vocabulary.vocabulary().size() + " symbols from " + vocabulary.file()
            : "vocabulary: not found");
      }
      out.println(problem == null ? "char model: yes, rnnlab generate samples it (default mode " + mode + ")"
          : "char model: no; " + problem);
      out.println(m.trainingProblems().isEmpty() ? "train --init-from: yes"
          : "train --init-from: no; " + m.trainingProblems().get(0));
    }
    out.flush();
    if (check) {
      if (problem != null) {
        throw new UserInputException("cannot generate from " + path + ": " + problem);
      }
      checkGenerates(out, path);
    }
    return Main.OK;
  }

  private static void printText(PrintWriter out, Description d, CharModelFit fit) {
    out.println("SavedModel " + d.dir());
    out.println("tags: " + String.join(", ", d.tags()));
    for (SignatureInfo s : d.signatures()) {
      out.println();
      out.println("signature " + s.key() + (s.methodName().isEmpty() ? "" : " (" + s.methodName() + ")"));
      int width = 0;
      for (TensorInfo t : concat(s.inputs(), s.outputs())) {
        width = Math.max(width, t.name().length());
      }
      for (TensorInfo t : s.inputs()) {
        out.printf("  input  %-" + width + "s  %s%n", t.name(), t.type());
      }
      for (TensorInfo t : s.outputs()) {
        out.printf("  output %-" + width + "s  %s%n", t.name(), t.type());
      }
    }
    out.println();
    if (fit.signature() == null) {
      out.println("char model: no; " + fit.problem());
      return;
    }
    out.println("char model: " + fit.signature() + ", " + fit.inputForm() + " " + fit.inputDtype() + " input, "
        + (fit.seqLen() > 0 ? "window " + fit.seqLen() : "any window length") + ", "
        + (fit.vocabDim() > 0 ? fit.vocabDim() + " symbols" : "vocabulary size set by the model"));
    out.println(fit.vocabularyFile() != null
        ? "vocabulary: " + fit.vocabularySize() + " symbols from " + fit.vocabularyFile()
        : "vocabulary: not found");
    if (!fit.ok()) {
      out.println("cannot generate: " + fit.problem());
    }
  }

  private static List<TensorInfo> concat(List<TensorInfo> a, List<TensorInfo> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }

  private static Map<String, Object> toJson(Description d, CharModelFit fit) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("path", d.dir().toString());
    root.put("tags", d.tags());
    List<Map<String, Object>> sigs = d.signatures().stream().map(s -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("key", s.key());
      m.put("method", s.methodName());
      m.put("inputs", s.inputs().stream().map(InspectCommand::tensor).toList());
      m.put("outputs", s.outputs().stream().map(InspectCommand::tensor).toList());
      return m;
    }).toList();
    root.put("signatures", sigs);
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("ok", fit.ok());
    if (fit.signature() != null) {
      c.put("signature", fit.signature());
      c.put("input_form", fit.inputForm());
      c.put("input_dtype", fit.inputDtype());
      c.put("seq_len", fit.seqLen());
      c.put("vocab_dim", fit.vocabDim());
    }
    if (fit.vocabularyFile() != null) {
      c.put("vocabulary_file", fit.vocabularyFile().toString());
      c.put("vocabulary_size", fit.vocabularySize());
    }
    if (fit.problem() != null) {
      c.put("problem", fit.problem());
    }
    root.put("char_model", c);
    return root;
  }

  private static Map<String, Object> tensor(TensorInfo t) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", t.name());
    m.put("dtype", t.dtype());
    m.put("shape", t.shape());
    return m;
  }
}

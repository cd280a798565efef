package io.rnnlab.cli;

import io.rnnlab.AtomicFiles;
import io.rnnlab.UserInputException;
import io.rnnlab.keras.KerasArchive;
import io.rnnlab.run.RunExport;
import io.rnnlab.runtime.SessionOptions;
import io.rnnlab.savedmodel.SavedModelExporter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rnnlab export}: a run directory's checkpoint as an rnnlab SavedModel and/or a .keras file. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Rebuild a run's model from a checkpoint (the newest one that verifies, or --checkpoint)",
        "as a SavedModel (serving_default + step + assets) with --out, and/or a Keras 3 file with --keras."})
final class ExportCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec cmd;

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "run directory (rnnlab train --out)")
  Path run;

  @Option(names = "--checkpoint", paramLabel = "PATH", description = "a checkpoint directory, or its name under DIR/checkpoints (default: newest valid)")
  Path checkpoint;

  @Option(names = "--out", paramLabel = "DIR", description = "SavedModel directory to write (an existing SavedModel is replaced)")
  Path out;

  // Keras 3 archive: written by KerasArchive (its own engineer's format code); this command only
  // hands it the checkpoint's spec, vocabulary and weights.
  @Option(names = "--keras", paramLabel = "FILE.keras", description = "also (or only) write a Keras 3 .keras file, vocabulary beside it as FILE.vocab.json")
  Path keras;

  @Override
  public Integer call() throws Exception {
    if (out == null && keras == null) {
      throw new UserInputException("nothing to write: give --out DIR (SavedModel), --keras FILE.keras, or both");
    }
    if (out != null) {
      SavedModelExporter.checkTarget(out);
    }
    if (keras != null) {
      AtomicFiles.checkWritableLocation(keras, "--keras");
      if (out != null && keras.toAbsolutePath().normalize().startsWith(out.toAbsolutePath().normalize())) {
        throw new UserInputException("--keras " + keras + " lies in --out " + out
            + ", which the SavedModel replaces; put the .keras file elsewhere");
      }
    }
    PrintWriter stdout = cmd.commandLine().getOut();
    PrintWriter stderr = cmd.commandLine().getErr();
    RunExport.Source s = RunExport.read(run, checkpoint, stderr::println);
    String from = s.spec().describe() + " from " + s.checkpoint().dir().getFileName()
        + " (step " + s.checkpoint().state().globalStep() + ")";
    // The .keras writer checks its file name before writing anything, so it goes first: a bad
    // --keras then leaves no SavedModel behind either.
    if (keras != null) {
      KerasArchive.write(s.spec(), s.vocab(), s.weights(), s.optimizer(), keras);
      stdout.println("exported " + from + " -> " + keras);
    }
    if (out != null) {
      RunExport.writeSavedModel(s, out, SessionOptions.cpuOnly());
      stdout.println("exported " + from + " -> " + out);
    }
    stdout.flush();
    return Main.OK;
  }
}

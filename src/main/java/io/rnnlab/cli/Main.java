package io.rnnlab.cli;

import io.rnnlab.InvalidSetting;
import io.rnnlab.Messages;
import io.rnnlab.UserInputException;
import io.rnnlab.run.TrainRunner;
import io.rnnlab.runtime.FilteredStderr;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * {@code rnnlab}: one subcommand per verb. Exit codes: 0 ok, 2 usage or input error (one line on
 * stderr, no stack trace unless {@code --debug}), 1 runtime failure.
 */
@Command(
    name = "rnnlab",
    mixinStandardHelpOptions = true,
    version = "rnnlab 0.1.0 (TensorFlow Java 1.1.0, TF 2.18 runtime)",
    description = "Keras-identical SimpleRNN and LSTM character models on TensorFlow Java.",
    subcommands = {TrainCommand.class, InspectCommand.class, ExportCommand.class, GenerateCommand.class, PredictCommand.class, CompareCommand.class, ExperimentCommand.class, SetupCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  /** A run stopped by Ctrl-C (128 + SIGINT), as shells report it. */
  public static final int INTERRUPTED = 130;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (train, generate, predict, export, inspect, compare, experiment, setup)");
  }

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    FilteredStderr.drain();
    System.exit(code);
  }

  /** Runs a command line in this JVM (tests use this) and returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    boolean debug = java.util.Arrays.asList(args).contains("--debug");
    String[] rest = java.util.Arrays.stream(args).filter(a -> !a.equals("--debug")).toArray(String[]::new);
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    // picocli would read "@FILE" arguments as more arguments: an undocumented door to blocking
    // reads (a FIFO) and stack traces (a directory). A literal '@' is just a value here.
    cli.setExpandAtFiles(false);
    cli.setParameterExceptionHandler((ex, a) -> {
      err.println("rnnlab: error: " + Messages.forTerminal(ex.getMessage()) + " (see '"
          + ex.getCommandLine().getCommandName() + " --help')");
      if (debug) {
        ex.printStackTrace(err);
      }
      return USAGE;
    });
    cli.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof UserInputException) {
        err.println("rnnlab: error: " + Messages.forTerminal(inFlags(ex, c)));
        if (debug) {
          ex.printStackTrace(err);
        }
        return USAGE;
      }
      err.println("rnnlab: failed: " + Messages.forTerminal(describe(ex)) + (debug ? "" : " (--debug for details)"));
      if (debug) {
        ex.printStackTrace(err);
      }
      return FAILURE;
    });
    try {
      return cli.execute(rest);
    } catch (OutOfMemoryError e) {
      // Not a user mistake, but not a stack trace either: say what ran out and how to get more.
      err.println("rnnlab: failed: out of memory (" + Messages.forTerminal(e.getMessage()) + "); give the JVM more heap with "
          + "RNNLAB_JAVA_OPTS=-Xmx8g, or use a smaller model, corpus or batch");
      if (debug) {
        e.printStackTrace(err);
      }
      return FAILURE;
    }
  }

  /**
   * The message of a user error as the command line says it: a setting a record names by its
   * field ({@link InvalidSetting}) is named by the flag that sets it, the option whose Java field
   * has the record field's name. A setting no flag of this command sets keeps its field's name.
   */
  static String inFlags(Exception e, CommandLine command) {
    if (e instanceof InvalidSetting s) {
      for (OptionSpec o : command.getCommandSpec().options()) {
        if (o.userObject() instanceof Field f && f.getName().equals(s.field())) {
          return s.messageNaming(o.longestName());
        }
      }
    }
    return e.getMessage();
  }

  /** How a training run's end reads as an exit code. */
  static int exitCode(TrainRunner.Status status) {
    return switch (status) {
      case COMPLETED -> OK;
      case DIVERGED -> FAILURE;
      case INTERRUPTED -> INTERRUPTED;
    };
  }

  static String describe(Throwable t) {
    Throwable e = t instanceof java.io.UncheckedIOException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof java.io.IOException io && io.getMessage() != null) {
      return Messages.reason(io); // says what failed and why; the class name adds nothing
    }
    String m = e.getMessage();
    return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}

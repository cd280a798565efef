package io.rnnlab.reliability;

import io.rnnlab.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

/** {@code rnnlab} in this JVM through {@link Main#run}: fast, for everything a kill need not observe. */
record Cli(int code, String out, String err) {
  static Cli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code;
    try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
      code = Main.run(args, o, e);
    }
    return new Cli(code, out.toString(), err.toString());
  }

  static Cli run(List<String> args) {
    return run(args.toArray(String[]::new));
  }

  List<String> errLines() {
    return err.isEmpty() ? List.of() : Arrays.asList(err.split("\\R"));
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- stderr:\n" + err + "\n--- stdout (tail):\n"
        + (out.length() > 3000 ? out.substring(out.length() - 3000) : out);
  }
}

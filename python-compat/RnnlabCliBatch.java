import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * Runs many {@code rnnlab} command lines in one JVM, for python-compat's CLI tests: each one goes
 * through the launcher's own entry point ({@code Main.run(args, out, err)}: picocli parsing, the
 * commands, the exit-code and one-line-error mapping), only without a JVM start (≈5 s) per call.
 *
 * <p>A single-file source program, run as {@code java -cp rnnlab.jar RnnlabCliBatch.java JAR
 * REQUESTS.json RESULTS.json}: REQUESTS is a JSON list of argument lists, RESULTS a list of
 * {@code {"rc", "stdout", "stderr", "seconds"}} in the same order. The entry class is the jar's
 * Main-Class, found through its manifest, so this file depends on no rnnlab package name.
 */
public final class RnnlabCliBatch {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: RnnlabCliBatch JAR REQUESTS.json RESULTS.json");
    }
    String mainClass;
    try (JarFile jar = new JarFile(args[0])) {
      mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
    }
    Method run = Class.forName(mainClass).getMethod("run", String[].class, PrintWriter.class, PrintWriter.class);
    ObjectMapper json = new ObjectMapper();
    JsonNode requests = json.readTree(Path.of(args[1]).toFile()); // UTF-8: prompts keep their characters
    ArrayNode results = json.createArrayNode();
    for (JsonNode request : requests) {
      String[] argv = new String[request.size()];
      for (int i = 0; i < argv.length; i++) {
        argv[i] = request.get(i).asText();
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      long start = System.nanoTime();
      int code;
      try {
        code = (Integer) run.invoke(null, argv, new PrintWriter(out, true), new PrintWriter(err, true));
      } catch (InvocationTargetException e) { // Main.run maps everything; this would be a bug there
        code = -1;
        StringWriter trace = new StringWriter();
        e.getCause().printStackTrace(new PrintWriter(trace, true));
        err.append("RnnlabCliBatch: uncaught ").append(trace.toString());
      }
      ObjectNode r = results.addObject();
      r.put("rc", code);
      r.put("stdout", out.toString());
      r.put("stderr", err.toString());
      r.put("seconds", (System.nanoTime() - start) / 1e9);
    }
    json.writerWithDefaultPrettyPrinter().writeValue(Path.of(args[2]).toFile(), results);
  }
}

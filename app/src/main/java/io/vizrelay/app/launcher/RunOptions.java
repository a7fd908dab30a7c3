package io.vizrelay.app.launcher;

import io.vizrelay.common.config.VizConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arguments of {@code vizrelay run}, checked: every mistake is a {@link UsageException} before
 * anything starts.
 *
 * @param server the server's base URL, without a trailing slash ({@code --server} or {@code
 *     VIZRELAY_SERVER})
 * @param taskId the task ({@code --task} or {@code VIZRELAY_TASK_ID})
 * @param project the project, or null ({@code --project})
 * @param kind train, test or eval, or null for the server's default ({@code --kind})
 * @param meta extra {@code key=value} pairs for the task's meta ({@code --meta}, repeatable)
 * @param apiKey the API key, or null ({@code --api-key-file} or {@code VIZRELAY_API_KEY})
 * @param graceSeconds how long the command may take to end after SIGTERM before SIGKILL
 * @param captureOutput mirror the command's output into the task's text window {@code console}
 * @param command the command and its arguments
 */
public record RunOptions(
    String server,
    String taskId,
    String project,
    String kind,
    Map<String, String> meta,
    String apiKey,
    int graceSeconds,
    boolean captureOutput,
    List<String> command) {

  public static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar vizrelay.jar run --server URL --task ID [--project P] [--kind train|test|eval]",
          "           [--meta key=value]... [--api-key-file F] [--grace-seconds 30] [--capture-output] -- CMD ARGS...",
          "  VIZRELAY_SERVER, VIZRELAY_TASK_ID and VIZRELAY_API_KEY stand in for --server, --task and the key file.");
  static final int DEFAULT_GRACE_SECONDS = 30;
  static final int MAX_GRACE_SECONDS = 3600;

  /** A mistake in the arguments: the launcher prints it with {@link #USAGE} and exits 64. */
  public static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** Parses {@code args} (after the word {@code run}); {@code env} supplies the defaults. */
  public static RunOptions parse(List<String> args, Map<String, String> env) throws UsageException {
    Parser p = new Parser(env);
    int i = 0;
    while (i < args.size()) {
      String arg = args.get(i);
      if (arg.equals("--")) {
        i++;
        break;
      }
      if (!arg.startsWith("--")) {
        break;
      }
      if (arg.equals("--capture-output")) {
        p.capture = true;
        i++;
        continue;
      }
      if (i + 1 >= args.size()) {
        throw new UsageException(arg + " needs a value");
      }
      p.option(arg, args.get(i + 1));
      i += 2;
    }
    return p.build(args.subList(i, args.size()));
  }

  /** Collects the options one by one. */
  private static final class Parser {
    private String server;
    private String taskId;
    private String project;
    private String kind;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private String apiKey;
    private Path apiKeyFile;
    private int grace = DEFAULT_GRACE_SECONDS;
    private boolean capture;

    Parser(Map<String, String> env) {
      server = env.get("VIZRELAY_SERVER");
      taskId = env.get("VIZRELAY_TASK_ID");
      apiKey = env.get("VIZRELAY_API_KEY");
    }

    void option(String name, String value) throws UsageException {
      switch (name) {
        case "--server" -> server = value;
        case "--task" -> taskId = value;
        case "--project" -> project = value;
        case "--kind" -> kind = value;
        case "--meta" -> metaPair(value);
        case "--api-key-file" -> apiKeyFile = Path.of(value);
        case "--grace-seconds" -> grace = graceSeconds(value);
        default -> throw new UsageException("unknown option " + name);
      }
    }

    private void metaPair(String pair) throws UsageException {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageException("--meta wants key=value, got " + pair);
      }
      meta.put(pair.substring(0, eq), pair.substring(eq + 1));
    }

    private static int graceSeconds(String value) throws UsageException {
      try {
        int seconds = Integer.parseInt(value);
        if (seconds >= 0 && seconds <= MAX_GRACE_SECONDS) {
          return seconds;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new UsageException("--grace-seconds wants 0-" + MAX_GRACE_SECONDS + ", got " + value);
    }

    RunOptions build(List<String> command) throws UsageException {
      if (command.isEmpty()) {
        throw new UsageException("no command to run (put it after --)");
      }
      if (server == null || server.isBlank()) {
        throw new UsageException("--server (or VIZRELAY_SERVER) is required");
      }
      if (taskId == null || !VizConfig.isValidTaskId(taskId)) {
        throw new UsageException(
            taskId == null
                ? "--task (or VIZRELAY_TASK_ID) is required"
                : "task id must be 1-128 letters, digits or . _ : @ - (starting with a letter or digit): "
                    + taskId);
      }
      if (project != null && !VizConfig.isValidTaskId(project)) {
        throw new UsageException(
            "--project must be 1-128 letters, digits or . _ : @ -: " + project);
      }
      if (kind != null && !List.of("train", "test", "eval").contains(kind)) {
        throw new UsageException("--kind must be train, test or eval, got " + kind);
      }
      return new RunOptions(
          serverUrl(server),
          taskId,
          project,
          kind,
          Map.copyOf(meta),
          key(),
          grace,
          capture,
          List.copyOf(new ArrayList<>(command)));
    }

    private static String serverUrl(String url) throws UsageException {
      String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
      try {
        URI uri = URI.create(trimmed);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            && uri.getHost() != null) {
          return trimmed;
        }
      } catch (IllegalArgumentException e) {
        // reported below
      }
      throw new UsageException("--server must be an http(s) URL, got " + url);
    }

    private String key() throws UsageException {
      if (apiKeyFile == null) {
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
      }
      try {
        String text = java.nio.file.Files.readString(apiKeyFile).trim();
        if (text.isEmpty()) {
          throw new UsageException("--api-key-file " + apiKeyFile + " is empty");
        }
        return text.lines().findFirst().orElseThrow().trim();
      } catch (java.io.IOException e) {
        throw new UsageException(
            "cannot read --api-key-file " + apiKeyFile + ": " + e.getMessage());
      }
    }
  }
}

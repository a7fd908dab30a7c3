package io.vizrelay.app;

import io.vizrelay.common.auth.ApiKeys;
import io.vizrelay.common.auth.UsersFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Manages the built-in sign-in's users file and the API keys file:
 *
 * <pre>
 *   java -cp app/target/vizrelay.jar io.vizrelay.app.UsersCli add &lt;users-file&gt; &lt;user&gt; [role,role]   (password on stdin)
 *   java -cp app/target/vizrelay.jar io.vizrelay.app.UsersCli apikey &lt;keys-file&gt; &lt;user&gt; [task=&lt;id&gt;|project=&lt;p&gt;]
 *   java -cp app/target/vizrelay.jar io.vizrelay.app.UsersCli apikey revoke &lt;keys-file&gt; &lt;key|key id&gt;
 *   java -cp app/target/vizrelay.jar io.vizrelay.app.UsersCli apikey id &lt;key&gt;
 * </pre>
 *
 * {@code add} reads the password from the first line of standard input (so it never appears in the
 * process list or shell history) and adds or replaces the user; {@code apikey} appends a new key
 * and prints it once (only its hash is stored; its id goes to standard error); {@code apikey
 * revoke} removes a key from the file (servers re-read it within a second); {@code apikey id}
 * prints a key's id (for {@code DELETE /api/auth/api-keys/<id>}).
 */
public final class UsersCli {
  static final String USAGE =
      "usage: UsersCli add <users-file> <user> [role,role]   (password on stdin)\n"
          + "       UsersCli apikey <keys-file> <user> [task=<id>|project=<p>]\n"
          + "       UsersCli apikey revoke <keys-file> <key|key id>\n"
          + "       UsersCli apikey id <key>";

  private UsersCli() {}

  public static void main(String[] args) throws Exception {
    System.exit(
        run(
            args,
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
            System.out,
            System.err));
  }

  static int run(String[] args, BufferedReader in, PrintStream out, PrintStream err) {
    try {
      if (args.length >= 3 && args.length <= 4 && args[0].equals("add")) {
        String password = in.readLine();
        if (password == null || password.isEmpty()) {
          err.println("no password on standard input");
          return 2;
        }
        Set<String> roles = new LinkedHashSet<>();
        if (args.length == 4) {
          Arrays.stream(args[3].split(","))
              .map(String::trim)
              .filter(r -> !r.isEmpty())
              .forEach(roles::add);
        }
        UsersFile.put(Path.of(args[1]), args[2], password, roles);
        out.println("user " + args[2] + " written to " + args[1]);
        return 0;
      }
      if (args.length == 4 && args[0].equals("apikey") && args[1].equals("revoke")) {
        java.util.List<String> ids = ApiKeys.revoke(Path.of(args[2]), args[3]);
        if (ids.isEmpty()) {
          err.println("no key " + args[3] + " in " + args[2]);
          return 1;
        }
        ids.forEach(id -> out.println("revoked " + id));
        return 0;
      }
      if (args.length == 3 && args[0].equals("apikey") && args[1].equals("id")) {
        out.println(ApiKeys.id(args[2]));
        return 0;
      }
      if (args.length >= 3 && args.length <= 4 && args[0].equals("apikey")) {
        String key = ApiKeys.generate();
        ApiKeys.add(Path.of(args[1]), args[2], key, args.length == 4 ? args[3] : null);
        out.println(key);
        err.println("key id " + ApiKeys.id(key));
        return 0;
      }
      err.println(USAGE);
      return 2;
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      err.println("cannot write the file: " + e.getMessage());
      return 1;
    }
  }
}

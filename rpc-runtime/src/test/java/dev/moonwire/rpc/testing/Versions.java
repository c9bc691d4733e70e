package dev.moonwire.rpc.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.ToolProvider;

/**
 * Versions of the same classes, compiled apart from Java source at test time: what two builds
 * of one service look like to Moonwire during a rolling upgrade.
 */
public final class Versions {
  private Versions() {}

  /**
   * Compiles {@code sources} (class name to source) against the test class path into a new
   * directory under {@code root}, and returns that directory.
   */
  public static Path compile(Path root, String version, Map<String, String> sources) {
    try {
      Path src = Files.createDirectories(root.resolve(version + "-src"));
      Path out = Files.createDirectories(root.resolve(version));
      List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp",
          System.getProperty("java.class.path"), "--release", "21", "-proc:none"));
      for (var e : sources.entrySet()) {
        Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, e.getValue());
        args.add(file.toString());
      }
      int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null,
          args.toArray(String[]::new));
      if (rc != 0) {
        throw new IllegalStateException("javac failed for version " + version);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A class loader that sees {@code dir} first, then the test's classes. */
  public static ClassLoader loader(Path dir) {
    try {
      return new URLClassLoader(new URL[] {dir.toUri().toURL()},
          Versions.class.getClassLoader());
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }
}

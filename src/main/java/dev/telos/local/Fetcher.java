package dev.telos.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.mesos.v1.Protos.CommandInfo;

/**
 * The embedded agent's fetcher, as Mesos's: each {@code CommandInfo.URI} is downloaded ({@code
 * http(s)://}) or copied ({@code file://} or a local path) into the sandbox under its {@code
 * outputFile} or last path segment, reused from the agent's cache when {@code cache} is set, made
 * executable when {@code executable} is set, and otherwise, with {@code extract}, unpacked into the
 * sandbox when its name ends as an archive ({@code .tar}, {@code .tar.gz}, {@code .tgz}, {@code
 * .tar.bz2}, {@code .tbz2}, {@code .tar.xz}, {@code .txz}, {@code .zip}).
 */
final class Fetcher {
  private static final List<String> TARS =
      List.of(".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz");

  private Fetcher() {}

  static void fetch(CommandInfo.URI uri, Path sandbox, Path cacheDir) throws IOException {
    String value = uri.getValue();
    String bare = value.replaceAll("[?#].*$", "");
    String name =
        uri.hasOutputFile() && !uri.getOutputFile().isEmpty()
            ? uri.getOutputFile()
            : bare.substring(bare.lastIndexOf('/') + 1);
    if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")) {
      throw new IOException("cannot name the file fetched from '" + value + "'");
    }
    Path target = sandbox.resolve(name);
    Path cached = cacheDir.resolve(Integer.toHexString(value.hashCode()) + "-" + name);
    if (uri.getCache() && Files.exists(cached)) {
      Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
    } else {
      download(value, target);
      if (uri.getCache()) {
        Files.createDirectories(cacheDir);
        Files.copy(target, cached, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    if (uri.getExecutable()) {
      target.toFile().setExecutable(true);
    } else if (uri.getExtract()) {
      extract(target, sandbox);
    }
  }

  private static void extract(Path archive, Path sandbox) throws IOException {
    String name = archive.getFileName().toString();
    if (name.endsWith(".zip")) {
      unzip(archive, sandbox);
      return;
    }
    if (TARS.stream().noneMatch(name::endsWith)) {
      return; // not an archive: Mesos leaves it as it is
    }
    Process tar =
        new ProcessBuilder("tar", "-C", sandbox.toString(), "-xf", archive.toString())
            .redirectErrorStream(true)
            .start();
    try {
      String output = new String(tar.getInputStream().readAllBytes()).strip();
      if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
        tar.destroyForcibly();
        throw new IOException("Failed to extract '" + name + "': " + output);
      }
    } catch (InterruptedException e) {
      tar.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while extracting " + name, e);
    }
  }

  private static void unzip(Path archive, Path sandbox) throws IOException {
    Path root = sandbox.toAbsolutePath().normalize();
    try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
      ZipEntry e;
      while ((e = zip.getNextEntry()) != null) {
        Path out = root.resolve(e.getName()).normalize();
        if (!out.startsWith(root)) {
          throw new IOException(
              "Failed to extract '"
                  + archive.getFileName()
                  + "': entry '"
                  + e.getName()
                  + "' is outside the sandbox");
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(zip, out, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void download(String value, Path target) throws IOException {
    if (value.startsWith("http://") || value.startsWith("https://")) {
      try {
        HttpResponse<InputStream> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create(value))
                        .timeout(Duration.ofMinutes(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
          if (r.statusCode() != 200) {
            throw new IOException("Failed to fetch '" + value + "': HTTP " + r.statusCode());
          }
          Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + value, e);
      }
    } else {
      Path source = Path.of(value.startsWith("file://") ? URI.create(value).getPath() : value);
      if (!Files.isRegularFile(source)) {
        throw new IOException("Failed to fetch '" + value + "': no such file");
      }
      Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}

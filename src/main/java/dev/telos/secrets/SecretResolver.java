package dev.telos.secrets;

import dev.telos.manifest.App;
import dev.telos.manifest.Location;
import dev.telos.manifest.ManifestError;
import dev.telos.manifest.SecretRef;
import dev.telos.manifest.TaskSpec;
import dev.telos.manifest.YamlLimits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills in a commit's {@code spec.secrets}: each referenced SOPS file is read from the same commit
 * and decrypted once, each reference gets its value and version, and each app its spec hash again
 * (a new value rolls the app). A file that is missing, does not decrypt or whose MAC does not
 * verify, a key it does not have, or no {@code --age-key-file} at all, is an error at the reference
 * (its manifest's FILE:LINE:COLUMN, naming the SOPS file): the commit is rejected whole.
 */
public final class SecretResolver {
  /** A commit's files, by path from the repository's root; null when there is none. */
  public interface Files {
    byte[] read(String path) throws IOException;
  }

  /** The apps with their secrets decrypted, or the errors that reject the commit. */
  public record Result(List<App> apps, List<ManifestError> errors) {}

  private final AgeKeys keys;
  private final YamlLimits limits;

  /**
   * @param keys the identities, or null when Telos has none (a commit with secrets is then
   *     rejected, saying so)
   */
  public SecretResolver(AgeKeys keys, YamlLimits limits) {
    this.keys = keys;
    this.limits = limits;
  }

  /** Whether any app refers to a secret. */
  public static boolean needed(List<App> apps) {
    for (App a : apps) {
      if (!a.task().secrets().isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks the references without decrypting (no identity at hand): each named file exists, is a
   * SOPS file, and has a value at the key. What only decryption shows (a MAC, the value itself) is
   * left to a check with the key.
   */
  public static List<ManifestError> check(List<App> apps, Files files, YamlLimits limits) {
    List<ManifestError> errors = new ArrayList<>();
    Map<String, Object> opened = new HashMap<>();
    for (App app : apps) {
      for (SecretRef s : app.task().secrets()) { // pods' containers take none
        Location at = s.source() != null ? s.source() : new Location(s.file(), 1, 1);
        Object keys =
            opened.computeIfAbsent(
                s.file(),
                f -> {
                  try {
                    byte[] content = files.read(f);
                    return content == null ? "does not exist" : Sops.keys(content, limits);
                  } catch (IOException e) {
                    return "cannot be read: " + e.getMessage();
                  } catch (Sops.Failure e) {
                    return e.getMessage();
                  }
                });
        if (keys instanceof String problem) {
          errors.add(new ManifestError(at, label(s) + ": " + s.file() + " " + problem));
        } else if (!((java.util.Set<?>) keys).contains(s.key())) {
          errors.add(
              new ManifestError(
                  at, label(s) + ": " + s.file() + " has no value at '" + s.key() + "'"));
        }
      }
    }
    return errors;
  }

  private static String label(SecretRef s) {
    return switch (s.kind()) {
      case ENV -> "secrets." + s.name();
      case FILE -> "secretFiles." + s.name();
      case PULL_CONFIG -> "container.pullConfig";
    };
  }

  public Result resolve(List<App> apps, Files files) {
    List<ManifestError> errors = new ArrayList<>();
    Map<String, Object> opened = new HashMap<>(); // path → values, or the failure's message
    List<App> out = new ArrayList<>(apps.size());
    for (App app : apps) {
      if (app.task().secrets().isEmpty()) {
        out.add(app);
        continue;
      }
      out.add(app.withTasks(t -> resolved(t, files, opened, errors)));
    }
    return new Result(out, errors);
  }

  private TaskSpec resolved(
      TaskSpec task, Files files, Map<String, Object> opened, List<ManifestError> errors) {
    if (task.secrets().isEmpty()) {
      return task;
    }
    List<SecretRef> done = new ArrayList<>();
    for (SecretRef s : task.secrets()) {
      Location at = s.source() != null ? s.source() : new Location(s.file(), 1, 1);
      if (keys == null) {
        errors.add(
            new ManifestError(
                at,
                "secrets."
                    + s.name()
                    + ": "
                    + s.file()
                    + " is SOPS-encrypted and Telos has no key: give --age-key-file"));
        continue;
      }
      Object file = opened.computeIfAbsent(s.file(), f -> open(f, files));
      if (file instanceof String problem) {
        errors.add(new ManifestError(at, "secrets." + s.name() + ": " + s.file() + " " + problem));
        continue;
      }
      @SuppressWarnings("unchecked")
      byte[] value = ((Map<String, byte[]>) file).get(s.key());
      if (value == null) {
        errors.add(
            new ManifestError(
                at,
                "secrets." + s.name() + ": " + s.file() + " has no value at '" + s.key() + "'"));
        continue;
      }
      for (byte b : value) {
        if (b == 0) {
          errors.add(
              new ManifestError(
                  at,
                  "secrets."
                      + s.name()
                      + ": the value at '"
                      + s.key()
                      + "' of "
                      + s.file()
                      + " holds a NUL byte, which no environment variable can"));
          break;
        }
      }
      done.add(s.resolved(value, keys.version(value)));
    }
    return task.withSecrets(done);
  }

  /** A file's values, or why it cannot be opened (a message naming no value). */
  private Object open(String path, Files files) {
    byte[] content;
    try {
      content = files.read(path);
    } catch (IOException e) {
      return "cannot be read: " + e.getMessage();
    }
    if (content == null) {
      return "does not exist at this commit";
    }
    try {
      return Sops.decrypt(content, keys, limits);
    } catch (Sops.Failure f) {
      return f.getMessage();
    }
  }
}

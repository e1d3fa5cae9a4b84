package dev.telos.git;

import dev.telos.manifest.App;
import dev.telos.manifest.ManifestError;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Several repositories (or branches, or paths) as one desired state: {@code --source} given more
 * than once. Each source owns a set of namespaces, and its apps must stay inside them, so no source
 * can replace or prune another's apps. The desired state is the union of every source's newest
 * valid commit; a source whose newest commit is invalid, or which cannot be read, keeps its last
 * valid commit in that union while the others move on.
 *
 * <p>The composed revision names each source's commit: {@code NAME@SHA,NAME@SHA,...} in the order
 * the sources were given. Until every source has had one valid commit (read now or restored from
 * the local mirrors), there is no desired state: Telos does not know what the missing source's
 * namespaces should run, so it changes nothing there or elsewhere.
 */
public final class SourceSet implements ManifestSource {
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?-?\\*?");

  /**
   * One source.
   *
   * @param name a DNS label, unique among the sources
   * @param source the repository reader
   * @param namespaces the namespaces its apps may use: exact names, or {@code prefix*}
   */
  public record Member(String name, GitSource source, List<String> namespaces) {
    public Member {
      Objects.requireNonNull(source, "source");
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "source name '" + name + "' must be a DNS label ([a-z0-9-], at most 63 characters)");
      }
      namespaces = List.copyOf(namespaces.isEmpty() ? List.of(name) : namespaces);
      for (String ns : namespaces) {
        if (!NAMESPACE.matcher(ns).matches() || ns.equals("*")) {
          throw new IllegalArgumentException(
              "source "
                  + name
                  + ": namespace '"
                  + ns
                  + "' must be a name or a prefix ending in * ([a-z0-9-])");
        }
      }
    }

    /** Whether apps of {@code namespace} belong to this source. */
    public boolean owns(String namespace) {
      return SourceSet.owns(namespaces, namespace);
    }
  }

  /** Whether {@code namespace} is one of {@code patterns} (names, or prefixes ending in *). */
  public static boolean owns(List<String> patterns, String namespace) {
    for (String ns : patterns) {
      if (ns.endsWith("*")
          ? namespace.startsWith(ns.substring(0, ns.length() - 1))
          : namespace.equals(ns)) {
        return true;
      }
    }
    return false;
  }

  /** What one source contributes now. */
  private static final class Slot {
    final Member member;
    Snapshot good;
    PollResult.Invalid invalid;
    String failure;

    Slot(Member member) {
      this.member = member;
    }
  }

  private final List<Slot> slots = new ArrayList<>();

  /** The source whose valid commit changed last: the composed commit speaks for it. */
  private Slot lastChanged;

  private Snapshot composed;
  private volatile List<SourceState> states = List.of();

  public SourceSet(List<Member> members) {
    if (members.isEmpty()) {
      throw new IllegalArgumentException("no source");
    }
    for (Member m : members) {
      for (Slot other : slots) {
        if (other.member.name().equals(m.name())) {
          throw new IllegalArgumentException("two sources are named " + m.name());
        }
        for (String ns : m.namespaces()) {
          for (String theirs : other.member.namespaces()) {
            if (overlap(ns, theirs)) {
              throw new IllegalArgumentException(
                  "sources "
                      + other.member.name()
                      + " and "
                      + m.name()
                      + " share namespaces ("
                      + theirs
                      + ", "
                      + ns
                      + "): each namespace belongs to one source");
            }
          }
        }
      }
      slots.add(new Slot(m));
    }
    publish();
  }

  /** Whether some namespace matches both patterns. */
  static boolean overlap(String a, String b) {
    boolean pa = a.endsWith("*");
    boolean pb = b.endsWith("*");
    String sa = pa ? a.substring(0, a.length() - 1) : a;
    String sb = pb ? b.substring(0, b.length() - 1) : b;
    if (pa && pb) {
      return sa.startsWith(sb) || sb.startsWith(sa);
    }
    if (pa) {
      return sb.startsWith(sa);
    }
    if (pb) {
      return sa.startsWith(sb);
    }
    return sa.equals(sb);
  }

  @Override
  public synchronized PollResult poll() {
    for (Slot slot : slots) {
      take(slot, slot.member.source().poll());
    }
    publish();
    return result();
  }

  /** Records what one source's poll found. */
  private void take(Slot slot, PollResult r) {
    if (r instanceof PollResult.Failed f) {
      slot.failure = "source " + slot.member.name() + ": " + f.message();
      return;
    }
    slot.failure = null;
    if (r instanceof PollResult.Invalid inv) {
      slot.invalid = new PollResult.Invalid(inv.commit(), named(slot.member, inv.errors()));
      return;
    }
    Snapshot s =
        r instanceof PollResult.Updated u ? u.snapshot() : ((PollResult.Unchanged) r).snapshot();
    if (slot.invalid != null && slot.invalid.commit().sha().equals(s.commit().sha())) {
      return; // a commit this set rejected (outside the namespaces): still rejected
    }
    List<ManifestError> outside = outsideNamespaces(slot.member, s);
    if (!outside.isEmpty()) {
      slot.invalid = new PollResult.Invalid(s.commit(), named(slot.member, outside));
      return;
    }
    slot.invalid = null;
    if (slot.good == null || !slot.good.commit().sha().equals(s.commit().sha())) {
      lastChanged = slot;
    }
    slot.good = s;
  }

  /** The errors with the source named: {@code FILE:LINE:COLUMN: source NAME: message}. */
  private static List<ManifestError> named(Member m, List<ManifestError> errors) {
    List<ManifestError> out = new ArrayList<>();
    for (ManifestError e : errors) {
      out.add(new ManifestError(e.location(), "source " + m.name() + ": " + e.message()));
    }
    return out;
  }

  private static List<ManifestError> outsideNamespaces(Member m, Snapshot s) {
    List<ManifestError> errors = new ArrayList<>();
    for (App a : s.apps()) {
      String ns = a.metadata().namespace();
      if (!m.owns(ns)) {
        errors.add(
            new ManifestError(
                a.source(),
                "namespace '"
                    + ns
                    + "' is not one of this source's namespaces ("
                    + String.join(", ", m.namespaces())
                    + "); set metadata.namespace"));
      }
    }
    java.util.Collections.sort(errors);
    return errors;
  }

  /**
   * The composed snapshot when it changed; else the first source's rejected commit, else the
   * unreachable sources; else unchanged.
   */
  private PollResult result() {
    Snapshot next = compose();
    if (next != null
        && (composed == null || !composed.commit().sha().equals(next.commit().sha()))) {
      composed = next;
      return new PollResult.Updated(next);
    }
    for (Slot slot : slots) {
      if (slot.invalid != null && slot.failure == null) {
        return slot.invalid;
      }
    }
    List<String> failures = new ArrayList<>();
    for (Slot slot : slots) {
      if (slot.failure != null) {
        failures.add(slot.failure);
      } else if (slot.good == null) {
        failures.add("source " + slot.member.name() + ": no valid commit yet");
      }
    }
    if (!failures.isEmpty()) {
      return new PollResult.Failed(String.join("; ", failures));
    }
    return new PollResult.Unchanged(composed);
  }

  @Override
  public synchronized boolean problems() {
    for (Slot slot : slots) {
      if (slot.invalid != null || slot.failure != null) {
        return true;
      }
    }
    return false;
  }

  /** The union of every source's last valid snapshot, or null while one has none. */
  private Snapshot compose() {
    List<App> apps = new ArrayList<>();
    java.util.Map<String, java.util.Map<String, Object>> values = new java.util.TreeMap<>();
    StringBuilder revision = new StringBuilder();
    for (Slot slot : slots) {
      if (slot.good == null) {
        return null;
      }
      apps.addAll(slot.good.apps());
      values.putAll(slot.good.releaseValues());
      if (revision.length() > 0) {
        revision.append(',');
      }
      revision.append(slot.member.name()).append('@').append(slot.good.commit().sha());
    }
    // The composed commit speaks for the source that changed last: its author, time, message.
    Slot changed = lastChanged == null ? slots.get(0) : lastChanged;
    CommitInfo c = changed.good.commit();
    return new Snapshot(
        new CommitInfo(
            revision.toString(), c.author(), c.time(), changed.member.name() + ": " + c.message()),
        apps,
        values);
  }

  /**
   * Restores each source's commit of a composed revision from its mirror. Sources that cannot be
   * restored (the revision was composed of other sources, or a mirror lacks the commit) wait for
   * their first good poll.
   */
  @Override
  public synchronized Optional<Snapshot> restore(String revision) {
    for (String part : revision.split(",")) {
      int at = part.indexOf('@');
      for (Slot slot : slots) {
        if (at > 0 && part.substring(0, at).equals(slot.member.name())) {
          slot.member
              .source()
              .restore(part.substring(at + 1))
              .ifPresent(s -> take(slot, new PollResult.Updated(s)));
        }
      }
    }
    publish();
    composed = compose();
    return Optional.ofNullable(composed);
  }

  @Override
  public List<SourceState> states() {
    return states;
  }

  private void publish() {
    List<SourceState> out = new ArrayList<>();
    for (Slot slot : slots) {
      GitSource.Config c = slot.member.source().config();
      String error = slot.failure;
      String errorRevision = null;
      if (slot.invalid != null && slot.failure == null) { // what it reads now comes first
        ManifestError e = slot.invalid.errors().get(0);
        error =
            slot.invalid.errors().size() == 1
                ? e.toString()
                : e + " (and " + (slot.invalid.errors().size() - 1) + " more)";
        errorRevision = slot.invalid.commit().sha();
      }
      out.add(
          new SourceState(
              slot.member.name(),
              Redaction.url(c.url()),
              c.ref(),
              c.path(),
              slot.member.namespaces(),
              slot.good == null ? null : slot.good.commit().sha(),
              error,
              errorRevision));
    }
    states = List.copyOf(out);
  }

  @Override
  public void close() {
    for (Slot slot : slots) {
      slot.member.source().close();
    }
  }
}

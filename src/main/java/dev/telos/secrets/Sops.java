package dev.telos.secrets;

import com.exceptionfactory.jagged.framework.armor.ArmoredDecryptingChannelFactory;
import dev.telos.manifest.YamlLimits;
import dev.telos.manifest.YamlNode;
import dev.telos.manifest.YamlReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One SOPS file (YAML or JSON) decrypted in memory, as the {@code sops} tool does it: the data key
 * opened with an age identity (the file's {@code sops.age[].enc}), each value opened with
 * AES-256-GCM under the data key with its path ({@code db:password:}) as additional data, and the
 * file's MAC (SHA-512 over the values in document order, itself encrypted under the {@code
 * lastmodified} time) checked, so a value changed, added, removed or moved without the key makes
 * the whole file fail. Values are returned as bytes and never put in a message.
 */
public final class Sops {
  private static final Pattern ENC =
      Pattern.compile("^ENC\\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\\]$");

  private Sops() {}

  /** Why a file could not be decrypted; the message names the problem, never a value. */
  public static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Decrypts {@code content}; returns each value by its key path (keys joined by dots; list items
   * by their index).
   */
  public static Map<String, byte[]> decrypt(byte[] content, AgeKeys keys, YamlLimits limits)
      throws Failure {
    YamlNode.MapNode root = root(content, limits);
    YamlNode.MapNode sops = (YamlNode.MapNode) root.entries().get("sops").value();
    Metadata m = metadata(sops);
    byte[] dataKey = dataKey(sops, keys);
    MessageDigest hash = sha512();
    if (m.macOnlyEncrypted()) {
      hash.update(MAC_ONLY_ENCRYPTED);
    }
    Map<String, byte[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, YamlNode.Entry> e : root.entries().entrySet()) {
      if (e.getKey().equals("sops")) {
        continue;
      }
      List<String> path = new ArrayList<>(List.of(e.getKey()));
      walk(e.getValue().value(), path, e.getKey(), m, dataKey, hash, values);
    }
    String expected = HexFormat.of().withUpperCase().formatHex(hash.digest());
    String stored = text(sops, "mac");
    String lastModified = text(sops, "lastmodified");
    if (stored == null || stored.isEmpty() || lastModified == null) {
      throw new Failure("has no MAC (sops.mac, sops.lastmodified): it cannot be verified");
    }
    byte[] mac;
    try {
      mac = open(stored, dataKey, lastModified);
    } catch (Failure f) {
      throw new Failure("its MAC does not verify (" + f.getMessage() + ")");
    }
    if (!MessageDigest.isEqual(mac, expected.getBytes(StandardCharsets.US_ASCII))) {
      throw new Failure(
          "its MAC does not verify: the file was changed without its key (edit it with sops)");
    }
    return values;
  }

  /**
   * The key paths of a SOPS file's values, read without a key (SOPS leaves keys in clear), for
   * checking references where no identity is at hand ({@code telos validate}).
   */
  public static java.util.Set<String> keys(byte[] content, YamlLimits limits) throws Failure {
    YamlNode.MapNode root = root(content, limits);
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (Map.Entry<String, YamlNode.Entry> entry : root.entries().entrySet()) {
      if (!entry.getKey().equals("sops")) {
        collect(entry.getValue().value(), entry.getKey(), out);
      }
    }
    return out;
  }

  /** A SOPS file's one mapping, read under the limits, with its {@code sops} metadata mapping. */
  private static YamlNode.MapNode root(byte[] content, YamlLimits limits) throws Failure {
    YamlReader.Result read = new YamlReader(limits).read("sops", content);
    if (read.error() != null) {
      throw new Failure("cannot be read: " + read.error().message());
    }
    if (read.documents().size() != 1
        || !(read.documents().get(0) instanceof YamlNode.MapNode root)) {
      throw new Failure("is not one YAML or JSON mapping");
    }
    YamlNode.Entry meta = root.entries().get("sops");
    if (meta == null || !(meta.value() instanceof YamlNode.MapNode)) {
      throw new Failure("is not encrypted with SOPS (it has no 'sops' metadata)");
    }
    return root;
  }

  private static void collect(YamlNode node, String key, java.util.Set<String> out) {
    if (node instanceof YamlNode.MapNode map) {
      map.entries().forEach((k, e) -> collect(e.value(), key + "." + k, out));
    } else if (node instanceof YamlNode.ListNode list) {
      for (int i = 0; i < list.items().size(); i++) {
        collect(list.items().get(i), key + "." + i, out);
      }
    } else if (!(node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Scalar.Kind.NULL)) {
      out.add(key);
    }
  }

  /** Bytes with which sops starts the MAC of a file whose MAC covers encrypted values only. */
  private static final byte[] MAC_ONLY_ENCRYPTED =
      HexFormat.of().parseHex("8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69");

  private record Metadata(
      String unencryptedSuffix,
      String encryptedSuffix,
      Pattern unencryptedRegex,
      Pattern encryptedRegex,
      boolean macOnlyEncrypted) {}

  private static Metadata metadata(YamlNode.MapNode sops) throws Failure {
    for (String unsupported :
        new String[] {"encrypted_comment_regex", "unencrypted_comment_regex"}) {
      if (text(sops, unsupported) != null) {
        throw new Failure("uses sops." + unsupported + ", which Telos does not read");
      }
    }
    YamlNode.Entry only = sops.entries().get("mac_only_encrypted");
    return new Metadata(
        text(sops, "unencrypted_suffix"),
        text(sops, "encrypted_suffix"),
        regex(sops, "unencrypted_regex"),
        regex(sops, "encrypted_regex"),
        only != null
            && only.value() instanceof YamlNode.Scalar s
            && s.text().equalsIgnoreCase("true"));
  }

  private static Pattern regex(YamlNode.MapNode sops, String key) throws Failure {
    String r = text(sops, key);
    if (r == null || r.isEmpty()) {
      return null;
    }
    try {
      return Pattern.compile(r);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new Failure("sops." + key + " is not a regular expression");
    }
  }

  private static String text(YamlNode.MapNode map, String key) {
    YamlNode.Entry e = map.entries().get(key);
    return e != null && e.value() instanceof YamlNode.Scalar s ? s.text() : null;
  }

  /** Whether the value at {@code path} is encrypted, by the file's suffix and regex rules. */
  private static boolean encrypted(List<String> path, Metadata m) {
    boolean encrypted = true;
    if (m.unencryptedSuffix() != null && !m.unencryptedSuffix().isEmpty()) {
      if (path.stream().anyMatch(k -> k.endsWith(m.unencryptedSuffix()))) {
        encrypted = false;
      }
    }
    if (m.encryptedSuffix() != null && !m.encryptedSuffix().isEmpty()) {
      encrypted = path.stream().anyMatch(k -> k.endsWith(m.encryptedSuffix()));
    }
    if (m.unencryptedRegex() != null
        && path.stream().anyMatch(k -> m.unencryptedRegex().matcher(k).find())) {
      encrypted = false;
    }
    if (m.encryptedRegex() != null) {
      encrypted = path.stream().anyMatch(k -> m.encryptedRegex().matcher(k).find());
    }
    return encrypted;
  }

  private static void walk(
      YamlNode node,
      List<String> path,
      String key,
      Metadata m,
      byte[] dataKey,
      MessageDigest hash,
      Map<String, byte[]> out)
      throws Failure {
    if (node instanceof YamlNode.MapNode map) {
      for (Map.Entry<String, YamlNode.Entry> e : map.entries().entrySet()) {
        path.add(e.getKey());
        walk(e.getValue().value(), path, key + "." + e.getKey(), m, dataKey, hash, out);
        path.remove(path.size() - 1);
      }
      return;
    }
    if (node instanceof YamlNode.ListNode list) {
      for (int i = 0; i < list.items().size(); i++) {
        // Items share their list's path in the additional data, as sops walks them.
        walk(list.items().get(i), path, key + "." + i, m, dataKey, hash, out);
      }
      return;
    }
    YamlNode.Scalar s = (YamlNode.Scalar) node;
    if (s.kind() == YamlNode.Scalar.Kind.NULL) {
      return;
    }
    boolean encrypted = encrypted(path, m);
    byte[] value;
    if (encrypted) {
      if (s.kind() != YamlNode.Scalar.Kind.STRING) {
        throw new Failure(key + " is not encrypted (ENC[...]) though the file says it is");
      }
      value =
          s.text().isEmpty()
              ? new byte[0]
              : open(s.text(), dataKey, String.join(":", path) + ":", key);
    } else {
      value = plainBytes(s);
    }
    if (!m.macOnlyEncrypted() || encrypted) {
      hash.update(value);
    }
    out.put(key, value);
  }

  /** A value sops did not encrypt, as sops hashes it ({@code True}, {@code 1.5}, text). */
  private static byte[] plainBytes(YamlNode.Scalar s) {
    String t = s.text();
    String canonical =
        switch (s.kind()) {
          case BOOLEAN ->
              Boolean.parseBoolean(t.toLowerCase(java.util.Locale.ROOT)) ? "True" : "False";
          case INTEGER -> {
            try {
              yield new BigInteger(t.replace("_", "").replace("+", "")).toString();
            } catch (NumberFormatException e) {
              yield t;
            }
          }
          case FLOAT -> {
            try {
              yield new BigDecimal(Double.toString(Double.parseDouble(t.replace("_", ""))))
                  .stripTrailingZeros()
                  .toPlainString();
            } catch (NumberFormatException e) {
              yield t;
            }
          }
          default -> t;
        };
    return canonical.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] open(String enc, byte[] dataKey, String aad, String key) throws Failure {
    try {
      return open(enc, dataKey, aad);
    } catch (Failure f) {
      throw new Failure(key + ": " + f.getMessage());
    }
  }

  /** One {@code ENC[AES256_GCM,...]} value opened with the data key and its additional data. */
  static byte[] open(String enc, byte[] dataKey, String aad) throws Failure {
    Matcher v = ENC.matcher(enc);
    if (!v.matches()) {
      throw new Failure("not an ENC[AES256_GCM,...] value");
    }
    try {
      Base64.Decoder b64 = Base64.getDecoder();
      byte[] data = b64.decode(v.group(1));
      byte[] iv = b64.decode(v.group(2));
      byte[] tag = b64.decode(v.group(3));
      if (tag.length != 16 || iv.length == 0) {
        throw new Failure("a malformed ENC value");
      }
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(dataKey, "AES"), new GCMParameterSpec(128, iv));
      gcm.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      ByteBuffer in = ByteBuffer.allocate(data.length + tag.length).put(data).put(tag);
      return gcm.doFinal(in.array());
    } catch (IllegalArgumentException e) {
      throw new Failure("a malformed ENC value (not base64)");
    } catch (GeneralSecurityException e) {
      throw new Failure("does not decrypt: changed, moved or encrypted with another key");
    }
  }

  /** The data key, from the first {@code sops.age[]} entry an identity opens. */
  private static byte[] dataKey(YamlNode.MapNode sops, AgeKeys keys) throws Failure {
    YamlNode.Entry age = sops.entries().get("age");
    List<String> recipients = new ArrayList<>();
    if (age != null && age.value() instanceof YamlNode.ListNode entries) {
      for (YamlNode item : entries.items()) {
        if (!(item instanceof YamlNode.MapNode e)) {
          continue;
        }
        String recipient = text(e, "recipient");
        String enc = text(e, "enc");
        if (recipient != null) {
          recipients.add(recipient);
        }
        if (enc == null) {
          continue;
        }
        byte[] key = ageDecrypt(enc, keys);
        if (key != null) {
          if (key.length != 32) {
            throw new Failure("its data key is " + key.length + " bytes, not 32");
          }
          return key;
        }
      }
    }
    if (recipients.isEmpty()) {
      throw new Failure("is not encrypted for any age recipient (Telos decrypts age only)");
    }
    throw new Failure(
        "no identity of --age-key-file opens it (its recipients: "
            + String.join(", ", recipients)
            + ")");
  }

  /** An armored age file opened with any of the identities, or null when none opens it. */
  private static byte[] ageDecrypt(String armored, AgeKeys keys) {
    try (ReadableByteChannel in =
        new ArmoredDecryptingChannelFactory()
            .newDecryptingChannel(
                Channels.newChannel(
                    new ByteArrayInputStream(armored.getBytes(StandardCharsets.US_ASCII))),
                keys.readers())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(256);
      while (in.read(buffer) >= 0) {
        buffer.flip();
        out.write(buffer.array(), 0, buffer.limit());
        buffer.clear();
        if (out.size() > 1024) {
          return null; // not a data key
        }
      }
      return out.toByteArray();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}

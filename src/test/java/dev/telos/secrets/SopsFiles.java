package dev.telos.secrets;

import com.exceptionfactory.jagged.framework.armor.ArmoredEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes SOPS files for tests as {@code sops --encrypt --age RECIPIENT} does (string values; keys
 * ending in {@code _unencrypted} left plain). {@link SopsTest} checks {@link Sops} against a file
 * the sops tool itself wrote; these files then vary what that one cannot (values, keys, MACs).
 */
public final class SopsFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private SopsFiles() {}

  /** A new age key pair: {identity (AGE-SECRET-KEY-1...), recipient (age1...)}. */
  public static String[] keyPair() throws Exception {
    KeyPair pair = new X25519KeyPairGenerator().generateKeyPair();
    return new String[] {pair.getPrivate().toString(), pair.getPublic().toString()};
  }

  /** {@code tree} (maps of strings) encrypted for {@code recipient}, as YAML. */
  public static String encrypt(Map<String, Object> tree, String recipient) throws Exception {
    byte[] dataKey = new byte[32];
    RANDOM.nextBytes(dataKey);
    MessageDigest hash = MessageDigest.getInstance("SHA-512");
    Map<String, Object> out = walk(tree, new ArrayList<>(), dataKey, hash);
    String lastModified = "2026-11-28T12:00:00Z";
    String mac = HexFormat.of().withUpperCase().formatHex(hash.digest());
    ByteArrayOutputStream armored = new ByteArrayOutputStream();
    try (WritableByteChannel channel =
        new ArmoredEncryptingChannelFactory()
            .newEncryptingChannel(
                Channels.newChannel(armored),
                List.of(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient)))) {
      channel.write(ByteBuffer.wrap(dataKey));
    }
    Map<String, Object> sops = new LinkedHashMap<>();
    sops.put(
        "age",
        List.of(
            Map.of("recipient", recipient, "enc", armored.toString(StandardCharsets.US_ASCII))));
    sops.put("lastmodified", lastModified);
    sops.put("mac", seal(mac.getBytes(StandardCharsets.US_ASCII), dataKey, lastModified));
    sops.put("unencrypted_suffix", "_unencrypted");
    sops.put("version", "3.9.0");
    out.put("sops", sops);
    return YAML.writeValueAsString(out);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> walk(
      Map<String, Object> tree, List<String> path, byte[] dataKey, MessageDigest hash)
      throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      path.add(e.getKey());
      if (e.getValue() instanceof Map<?, ?> m) {
        out.put(e.getKey(), walk((Map<String, Object>) m, path, dataKey, hash));
      } else {
        String v = String.valueOf(e.getValue());
        hash.update(v.getBytes(StandardCharsets.UTF_8));
        boolean plain = path.stream().anyMatch(k -> k.endsWith("_unencrypted"));
        out.put(
            e.getKey(),
            plain
                ? v
                : seal(v.getBytes(StandardCharsets.UTF_8), dataKey, String.join(":", path) + ":"));
      }
      path.remove(path.size() - 1);
    }
    return out;
  }

  static String seal(byte[] plain, byte[] key, String aad) throws Exception {
    byte[] iv = new byte[32];
    RANDOM.nextBytes(iv);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    gcm.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
    byte[] sealed = gcm.doFinal(plain);
    Base64.Encoder b64 = Base64.getEncoder();
    return "ENC[AES256_GCM,data:"
        + b64.encodeToString(java.util.Arrays.copyOf(sealed, sealed.length - 16))
        + ",iv:"
        + b64.encodeToString(iv)
        + ",tag:"
        + b64.encodeToString(
            java.util.Arrays.copyOfRange(sealed, sealed.length - 16, sealed.length))
        + ",type:str]";
  }
}

/**
 * Secrets kept in git encrypted with SOPS and age: {@link dev.telos.secrets.AgeKeys} (the
 * identities of {@code --age-key-file}), {@link dev.telos.secrets.Sops} (one file decrypted in
 * memory, its MAC verified) and {@link dev.telos.secrets.SecretResolver} (a commit's {@code
 * spec.secrets} references filled in, or the commit rejected naming the file).
 */
package dev.telos.secrets;

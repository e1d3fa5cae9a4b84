package dev.telos.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.telos.testing.Archives;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded agent's fetcher against real files and archives. */
class FetcherTest {
  @TempDir Path tmp;
  Path sandbox;
  Path cache;

  @BeforeEach
  void setUp() throws IOException {
    sandbox = Files.createDirectories(tmp.resolve("sandbox"));
    cache = tmp.resolve("cache");
  }

  static CommandInfo.URI uri(String value) {
    return CommandInfo.URI.newBuilder().setValue(value).build();
  }

  @Test
  void mesosExtractsByDefault() {
    assertThat(uri("x.tgz").getExtract()).as("CommandInfo.URI.extract defaults to true").isTrue();
  }

  Path tarball() throws Exception {
    Path src = Files.createDirectories(tmp.resolve("src/app"));
    Files.writeString(src.resolve("run.sh"), "echo hi\n");
    Path tgz = Archives.tarGz(tmp.resolve("src"), "app", tmp.resolve("app.tar.gz"));
    return tgz;
  }

  @Test
  void anArchiveIsExtractedIntoTheSandboxAndKept() throws Exception {
    Path tgz = tarball();
    Fetcher.fetch(uri(tgz.toString()).toBuilder().setExtract(true).build(), sandbox, cache);
    assertThat(sandbox.resolve("app/run.sh")).hasContent("echo hi");
    assertThat(sandbox.resolve("app.tar.gz")).exists();
  }

  @Test
  void withoutExtractOrWhenExecutableTheFileIsLeftAsItIs() throws Exception {
    Path tgz = tarball();
    Fetcher.fetch(
        uri("file://" + tgz).toBuilder().setOutputFile("a.tgz").setExtract(false).build(),
        sandbox,
        cache);
    assertThat(sandbox.resolve("a.tgz")).exists();
    assertThat(sandbox.resolve("app")).doesNotExist();
    Path script = Files.writeString(tmp.resolve("probe"), "#!/bin/sh\necho ok\n");
    Fetcher.fetch(uri(script.toString()).toBuilder().setExecutable(true).build(), sandbox, cache);
    assertThat(Files.isExecutable(sandbox.resolve("probe"))).isTrue();
  }

  @Test
  void aZipIsExtractedAndAnEntryOutsideTheSandboxRefused() throws Exception {
    Path zip = tmp.resolve("site.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new ZipEntry("site/index.html"));
      out.write("<h1>hi</h1>".getBytes());
      out.closeEntry();
    }
    Fetcher.fetch(uri(zip.toString()).toBuilder().setExtract(true).build(), sandbox, cache);
    assertThat(sandbox.resolve("site/index.html")).hasContent("<h1>hi</h1>");

    Path evil = tmp.resolve("evil.zip");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(evil))) {
      out.putNextEntry(new ZipEntry("../../escaped"));
      out.write(1);
      out.closeEntry();
    }
    assertThatThrownBy(
            () ->
                Fetcher.fetch(
                    uri(evil.toString()).toBuilder().setExtract(true).build(), sandbox, cache))
        .hasMessageContaining("outside the sandbox");
    assertThat(tmp.resolve("escaped")).doesNotExist();
  }

  @Test
  void aCachedUriIsReusedWhenItsSourceIsGone() throws Exception {
    Path file = Files.writeString(tmp.resolve("tool"), "v1");
    CommandInfo.URI cached = uri(file.toString()).toBuilder().setCache(true).build();
    Fetcher.fetch(cached, sandbox, cache);
    Files.delete(file);
    Path second = Files.createDirectories(tmp.resolve("sandbox2"));
    Fetcher.fetch(cached, second, cache);
    assertThat(second.resolve("tool")).hasContent("v1");
    assertThatThrownBy(() -> Fetcher.fetch(uri(file.toString()), second, cache))
        .hasMessage("Failed to fetch '" + file + "': no such file");
  }

  @Test
  void aBrokenArchiveFails() throws Exception {
    Path bad = Files.writeString(tmp.resolve("bad.tar.gz"), "not gzip");
    assertThatThrownBy(
            () ->
                Fetcher.fetch(
                    uri(bad.toString()).toBuilder().setExtract(true).build(), sandbox, cache))
        .hasMessageStartingWith("Failed to extract 'bad.tar.gz': ");
  }
}

package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RecordIoDecoderTest {

  @Property(tries = 300)
  void everySplitOfAStreamDecodesToTheSameRecords(
      @ForAll("records") List<byte[]> records, @ForAll("cuts") List<Integer> cuts)
      throws Exception {
    byte[] stream = concat(records);
    List<byte[]> decoded = new ArrayList<>();
    RecordIoDecoder decoder = new RecordIoDecoder(1 << 20, decoded::add);
    int offset = 0;
    for (int cut : cuts) {
      int size = Math.min(cut, stream.length - offset);
      decoder.feed(stream, offset, size);
      offset += size;
    }
    decoder.feed(stream, offset, stream.length - offset);
    decoder.finish();
    assertThat(decoded).hasSameSizeAs(records);
    for (int i = 0; i < records.size(); i++) {
      assertThat(decoded.get(i)).isEqualTo(records.get(i));
    }
  }

  @Property(tries = 100)
  void byteByByteDecodesTheSameAsAllAtOnce(@ForAll("records") List<byte[]> records)
      throws Exception {
    byte[] stream = concat(records);
    List<byte[]> oneByOne = new ArrayList<>();
    RecordIoDecoder decoder = new RecordIoDecoder(1 << 20, oneByOne::add);
    for (int i = 0; i < stream.length; i++) {
      decoder.feed(stream, i, 1);
    }
    List<byte[]> whole = new ArrayList<>();
    new RecordIoDecoder(1 << 20, whole::add).feed(stream);
    assertThat(oneByOne).containsExactlyElementsOf(whole);
  }

  @Property(tries = 50)
  void aStreamCutInsideARecordIsReportedAtFinish(
      @ForAll("records") @Size(min = 1) List<byte[]> records, @ForAll @IntRange(min = 1) int back)
      throws Exception {
    byte[] stream = concat(records);
    int keep = stream.length - 1 - (back % stream.length);
    RecordIoDecoder decoder = new RecordIoDecoder(1 << 20, r -> {});
    decoder.feed(stream, 0, keep);
    if (decoder.atRecordBoundary()) {
      decoder.finish();
    } else {
      assertThatThrownBy(decoder::finish)
          .isInstanceOf(RecordIoException.class)
          .hasMessageContaining("stream ended inside a record");
    }
  }

  @Provide
  Arbitrary<List<byte[]>> records() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300).list().ofMaxSize(20);
  }

  @Provide
  Arbitrary<List<Integer>> cuts() {
    return Arbitraries.integers().between(0, 64).list().ofMaxSize(80);
  }

  @Test
  void aNonDigitInTheLengthPrefixIsMalformed() {
    RecordIoDecoder decoder = new RecordIoDecoder(100, r -> {});
    assertThatThrownBy(() -> decoder.feed("1x\nab".getBytes(StandardCharsets.US_ASCII)))
        .isInstanceOf(RecordIoException.class)
        .hasMessageContaining("malformed record length prefix")
        .hasMessageContaining("0x78");
  }

  @Test
  void anEmptyOrZeroLengthIsMalformed() {
    assertThatThrownBy(() -> new RecordIoDecoder(100, r -> {}).feed("\nab".getBytes()))
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> new RecordIoDecoder(100, r -> {}).feed("0\n".getBytes()))
        .hasMessageContaining("never 0");
  }

  @Test
  void aRecordLargerThanTheMaximumIsRefusedBeforeBuffering() {
    RecordIoDecoder decoder = new RecordIoDecoder(1000, r -> {});
    assertThatThrownBy(() -> decoder.feed("1001".getBytes()))
        .isInstanceOf(RecordIoException.class)
        .hasMessageContaining("exceeds the maximum of 1000 bytes");
  }

  @Test
  void aHugePrefixDoesNotOverflow() {
    RecordIoDecoder decoder = new RecordIoDecoder(Integer.MAX_VALUE - 8, r -> {});
    assertThatThrownBy(() -> decoder.feed("99999999999999999999999".getBytes()))
        .isInstanceOf(RecordIoException.class);
  }

  @Test
  void aFailedDecoderRefusesMoreInput() throws Exception {
    RecordIoDecoder decoder = new RecordIoDecoder(100, r -> {});
    assertThatThrownBy(() -> decoder.feed("-1\n".getBytes())).isInstanceOf(RecordIoException.class);
    assertThatThrownBy(() -> decoder.feed("1\na".getBytes()))
        .hasMessageContaining("already failed");
  }

  @Test
  void encodeWritesTheDecimalLengthThenTheBytes() {
    assertThat(new String(RecordIoDecoder.encode("hello".getBytes()), StandardCharsets.US_ASCII))
        .isEqualTo("5\nhello");
  }

  private static byte[] concat(List<byte[]> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] r : records) {
      out.writeBytes(RecordIoDecoder.encode(r));
    }
    return out.toByteArray();
  }
}

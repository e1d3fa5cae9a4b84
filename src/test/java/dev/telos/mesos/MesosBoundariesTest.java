package dev.telos.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.junit.jupiter.api.Test;

/** The edges of the wire helpers' ranges, each on both sides (mutation survivors killed here). */
class MesosBoundariesTest {
  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aDecoderTakesOneByteUpToJustUnderTwoGibibytes() {
    assertThatThrownBy(() -> new RecordIoDecoder(0, r -> {}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(new RecordIoDecoder(1, r -> {})).isNotNull();
    assertThat(new RecordIoDecoder(Integer.MAX_VALUE - 8, r -> {})).isNotNull();
    assertThatThrownBy(() -> new RecordIoDecoder(Integer.MAX_VALUE - 7L, r -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void prefixesWithZerosAndNinesAreDigitsAndARecordOfExactlyTheMaximumPasses() throws Exception {
    List<String> records = new ArrayList<>();
    RecordIoDecoder d =
        new RecordIoDecoder(10, r -> records.add(new String(r, StandardCharsets.US_ASCII)));
    d.feed(ascii("10\n0123456789" + "9\nabcdefghi" + "09\n987654321"));
    assertThat(records).containsExactly("0123456789", "abcdefghi", "987654321");
    assertThatThrownBy(() -> d.feed(ascii("11\n"))).isInstanceOf(RecordIoException.class);
    // a prefix of 19 digits (leading zeros) is read; a 20th digit is refused
    records.clear();
    new RecordIoDecoder(10, r -> records.add(new String(r, StandardCharsets.US_ASCII)))
        .feed(ascii("0".repeat(18) + "3\nabc"));
    assertThat(records).containsExactly("abc");
    assertThatThrownBy(() -> new RecordIoDecoder(10, r -> {}).feed(ascii("0".repeat(20) + "\n")))
        .hasMessageContaining("more than 19 digits");
    // the bytes just outside '0'..'9' are not digits
    assertThatThrownBy(() -> new RecordIoDecoder(10, r -> {}).feed(ascii("/\n")))
        .hasMessageContaining("0x2f");
    assertThatThrownBy(() -> new RecordIoDecoder(10, r -> {}).feed(ascii(":\n")))
        .hasMessageContaining("0x3a");
  }

  @Test
  void aPrincipalMayNotStartWithAColon() {
    assertThatThrownBy(() -> Credentials.of(":telos", "s"))
        .hasMessage("Mesos principal must not contain ':'");
    assertThat(Credentials.of("t", "s")).isNotNull();
  }

  @Test
  void aBackoffMayBeFlatAndItsBoundDoublesOncePerAttempt() {
    BackoffPolicy flat = new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertThat(flat.delay(5, () -> 0.999_999)).isLessThanOrEqualTo(Duration.ofSeconds(1));
    BackoffPolicy p = new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60));
    // with random 0 the wait is a tenth of the bound: 1 s, 2 s, 4 s bounds for attempts 0, 1, 2
    assertThat(p.delay(0, () -> 0)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.delay(1, () -> 0)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.delay(2, () -> 0)).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  void acceptNeedsAnOffer() {
    assertThatThrownBy(
            () ->
                Calls.accept(
                    FrameworkID.newBuilder().setValue("f").build(), List.of(), List.of(), null))
        .hasMessage("ACCEPT needs at least one offer");
  }

  @Test
  void mediaTypesAreMesossOwn() {
    assertThat(ContentType.PROTOBUF.mediaType()).isEqualTo("application/x-protobuf");
    assertThat(ContentType.JSON.mediaType()).isEqualTo("application/json");
    assertThat(ContentType.PROTOBUF.okHttpMediaType().toString())
        .isEqualTo("application/x-protobuf");
    assertThat(ContentType.JSON.okHttpMediaType().subtype()).isEqualTo("json");
  }
}

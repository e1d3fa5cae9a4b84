package dev.telos.mesos;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * An incremental decoder of RecordIO framing ({@code <decimal length>\n<bytes>}), as Mesos uses on
 * its streaming endpoints.
 *
 * <p>Bytes are fed as they arrive; chunk boundaries carry no meaning, so a record may be split
 * anywhere, including inside its length prefix. Each complete record is handed to the consumer in
 * order. A length prefix that is empty, not decimal, zero, or larger than the maximum record size
 * is an error, after which the decoder refuses further input. Not thread-safe: one stream, one
 * reader.
 */
public final class RecordIoDecoder {
  /** The longest length prefix accepted: enough digits for any size below the maximum. */
  private static final int MAX_PREFIX_DIGITS = 19;

  private final long maxRecordBytes;
  private final Consumer<byte[]> records;

  private long length;
  private int digits;
  private byte[] body;
  private int filled;
  private boolean failed;

  /**
   * Creates a decoder.
   *
   * @param maxRecordBytes the largest record accepted; a larger length prefix is an error before
   *     any of its bytes are buffered
   * @param records receives each complete record, in stream order
   */
  public RecordIoDecoder(long maxRecordBytes, Consumer<byte[]> records) {
    if (maxRecordBytes <= 0 || maxRecordBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "maxRecordBytes must be in 1.." + (Integer.MAX_VALUE - 8) + ", got " + maxRecordBytes);
    }
    this.maxRecordBytes = maxRecordBytes;
    this.records = Objects.requireNonNull(records, "records");
  }

  /**
   * Feeds {@code count} bytes of {@code buffer} starting at {@code offset}.
   *
   * @throws RecordIoException on a malformed or oversized length prefix; the decoder then stays
   *     failed
   */
  public void feed(byte[] buffer, int offset, int count) throws RecordIoException {
    Objects.checkFromIndexSize(offset, count, buffer.length);
    if (failed) {
      throw new RecordIoException("decoder already failed on this stream");
    }
    int i = offset;
    int end = offset + count;
    while (i < end) {
      if (body == null) {
        byte b = buffer[i++];
        if (b == '\n') {
          startBody();
        } else if (b >= '0' && b <= '9') {
          if (++digits > MAX_PREFIX_DIGITS) {
            throw fail("record length prefix has more than " + MAX_PREFIX_DIGITS + " digits");
          }
          length = length * 10 + (b - '0');
          if (length > maxRecordBytes) {
            throw fail(
                "record length exceeds the maximum of "
                    + maxRecordBytes
                    + " bytes (prefix so far: "
                    + length
                    + ")");
          }
        } else {
          throw fail("malformed record length prefix: unexpected byte 0x" + hex(b));
        }
      } else {
        int n = Math.min(end - i, body.length - filled);
        System.arraycopy(buffer, i, body, filled, n);
        filled += n;
        i += n;
        if (filled == body.length) {
          byte[] record = body;
          body = null;
          length = 0;
          digits = 0;
          records.accept(record);
        }
      }
    }
  }

  /** Feeds a whole array. */
  public void feed(byte[] buffer) throws RecordIoException {
    feed(buffer, 0, buffer.length);
  }

  /**
   * Declares the end of the stream.
   *
   * @throws RecordIoException when the stream ended inside a record
   */
  public void finish() throws RecordIoException {
    if (failed) {
      return;
    }
    if (body != null) {
      throw fail("stream ended inside a record (" + filled + " of " + body.length + " bytes)");
    }
    if (digits > 0) {
      throw fail("stream ended inside a record length prefix");
    }
  }

  /** Returns whether the decoder is between records (no partial record buffered). */
  public boolean atRecordBoundary() {
    return body == null && digits == 0;
  }

  private void startBody() throws RecordIoException {
    if (digits == 0) {
      throw fail("malformed record length prefix: empty");
    }
    if (length == 0) {
      throw fail("malformed record length prefix: a record length is never 0");
    }
    body = new byte[(int) length];
    filled = 0;
  }

  private RecordIoException fail(String message) {
    failed = true;
    body = null;
    return new RecordIoException(message);
  }

  private static String hex(byte b) {
    return String.format("%02x", b & 0xff);
  }

  /** Frames one record: its decimal length, a newline, then the bytes. */
  public static byte[] encode(byte[] record) {
    if (record.length == 0) {
      throw new IllegalArgumentException("a RecordIO record is never empty");
    }
    byte[] prefix = (record.length + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] framed = new byte[prefix.length + record.length];
    System.arraycopy(prefix, 0, framed, 0, prefix.length);
    System.arraycopy(record, 0, framed, prefix.length, record.length);
    return framed;
  }
}

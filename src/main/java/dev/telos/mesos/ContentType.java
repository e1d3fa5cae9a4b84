package dev.telos.mesos;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;
import okhttp3.MediaType;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * The two encodings the Mesos scheduler API accepts. JSON uses Mesos's own field names (the proto
 * names, snake_case), enum names, and Base64 for {@code bytes} fields, as the master does.
 */
public enum ContentType {
  PROTOBUF("application/x-protobuf"),
  JSON("application/json");

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final String mediaType;

  /** Parsed once: OkHttp parses a media type with regular expressions, once per call otherwise. */
  private final MediaType okHttpMediaType;

  ContentType(String mediaType) {
    this.mediaType = mediaType;
    this.okHttpMediaType = MediaType.get(mediaType);
  }

  /** The media type, as sent in {@code Content-Type} and {@code Accept}. */
  public String mediaType() {
    return mediaType;
  }

  MediaType okHttpMediaType() {
    return okHttpMediaType;
  }

  /** Encodes a call in this content type. */
  public byte[] encode(Call call) {
    return switch (this) {
      case PROTOBUF -> call.toByteArray();
      case JSON -> printJson(call).getBytes(StandardCharsets.UTF_8);
    };
  }

  /** Decodes one event record of this content type. */
  public Event decodeEvent(byte[] record) throws InvalidProtocolBufferException {
    return switch (this) {
      case PROTOBUF -> Event.parseFrom(record);
      case JSON -> {
        Event.Builder builder = Event.newBuilder();
        PARSER.merge(new String(record, StandardCharsets.UTF_8), builder);
        yield builder.build();
      }
    };
  }

  private static String printJson(com.google.protobuf.MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown type URLs fail to print; Mesos messages have none.
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }
}

package dev.telos.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/** The master's side of the two encodings: protobuf and JSON with Mesos's snake_case names. */
enum Wire {
  PROTOBUF("application/x-protobuf"),
  JSON("application/json");

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  final String mediaType;

  Wire(String mediaType) {
    this.mediaType = mediaType;
  }

  /** The encoding named by a Content-Type header, or null when unsupported. */
  static Wire ofContentType(String header) {
    String type = mediaTypeOnly(header);
    for (Wire w : values()) {
      if (w.mediaType.equals(type)) {
        return w;
      }
    }
    return null;
  }

  /**
   * The encoding an Accept header asks for: JSON when absent or {@code *}{@code /*}, as Mesos does;
   * null when none is supported.
   */
  static Wire ofAccept(String header) {
    if (header == null || header.isBlank()) {
      return JSON;
    }
    for (String part : header.split(",")) {
      String type = mediaTypeOnly(part);
      if (type.equals("*/*") || type.equals("application/*")) {
        return JSON;
      }
      for (Wire w : values()) {
        if (w.mediaType.equals(type)) {
          return w;
        }
      }
    }
    return null;
  }

  private static String mediaTypeOnly(String header) {
    if (header == null) {
      return "";
    }
    int semi = header.indexOf(';');
    return (semi >= 0 ? header.substring(0, semi) : header).trim().toLowerCase();
  }

  Call decodeCall(byte[] body) throws InvalidProtocolBufferException {
    if (this == PROTOBUF) {
      return Call.parseFrom(body);
    }
    Call.Builder b = Call.newBuilder();
    PARSER.merge(new String(body, StandardCharsets.UTF_8), b);
    return b.build();
  }

  byte[] encode(Event event) {
    return encode((com.google.protobuf.Message) event);
  }

  /** Any message in this encoding (the executor API's events too). */
  byte[] encode(com.google.protobuf.Message message) {
    return this == PROTOBUF
        ? message.toByteArray()
        : json(message).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Prints a message as Mesos does: proto field names, and 64-bit integers as JSON numbers (the
   * proto3 JSON mapping that protobuf-java follows would quote them, Mesos does not).
   */
  static String json(MessageOrBuilder message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      unquote64(tree, message.getDescriptorForType());
      return MAPPER.writeValueAsString(tree);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static void unquote64(JsonNode node, Descriptors.Descriptor type) {
    if (!(node instanceof ObjectNode object)) {
      return;
    }
    for (Descriptors.FieldDescriptor field : type.getFields()) {
      JsonNode value = object.get(field.getName());
      if (value == null) {
        continue;
      }
      if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        if (value.isArray()) {
          value.forEach(v -> unquote64(v, field.getMessageType()));
        } else {
          unquote64(value, field.getMessageType());
        }
      } else if (field.getJavaType() == Descriptors.FieldDescriptor.JavaType.LONG) {
        if (value.isArray()) {
          ArrayNode array = (ArrayNode) value;
          for (int i = 0; i < array.size(); i++) {
            array.set(i, number(array.get(i)));
          }
        } else {
          object.set(field.getName(), number(value));
        }
      }
    }
  }

  private static JsonNode number(JsonNode value) {
    return value.isTextual()
        ? JsonNodeFactory.instance.numberNode(new BigInteger(value.asText()))
        : value;
  }
}

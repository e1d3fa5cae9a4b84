package dev.telos.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads {@code BEGIN-END} port ranges such as {@code 31000-32000} for picocli. */
final class PortRangeConverter implements ITypeConverter<PortRangeConverter.PortRange> {
  /** An inclusive range of ports. */
  record PortRange(int begin, int end) {}

  @Override
  public PortRange convert(String value) {
    String[] parts = value.split("-", 2);
    try {
      if (parts.length == 2) {
        int begin = Integer.parseInt(parts[0].trim());
        int end = Integer.parseInt(parts[1].trim());
        if (begin >= 1 && end <= 65535 && begin <= end) {
          return new PortRange(begin, end);
        }
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TypeConversionException(
        "'" + value + "' is not a port range; write BEGIN-END within 1-65535, like 31000-32000");
  }
}

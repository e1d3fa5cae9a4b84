package dev.telos.manifest;

import java.util.Objects;

/**
 * A placement rule, as Marathon writes them: on {@code hostname} or an agent attribute.
 *
 * <ul>
 *   <li>{@code UNIQUE}: at most one task per value of the field.
 *   <li>{@code CLUSTER value}: only where the field equals the value.
 *   <li>{@code GROUP_BY [n]}: spread evenly over the field's values (over {@code n} of them).
 *   <li>{@code LIKE regex} / {@code UNLIKE regex}: only where the field matches / does not.
 *   <li>{@code MAX_PER n}: at most {@code n} tasks per value of the field.
 * </ul>
 *
 * @param value null where the operator takes none
 */
public record Constraint(String field, Operator operator, String value) {
  /** The constraint operators. */
  public enum Operator {
    UNIQUE,
    CLUSTER,
    GROUP_BY,
    LIKE,
    UNLIKE,
    MAX_PER
  }

  public Constraint {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(operator, "operator");
  }
}

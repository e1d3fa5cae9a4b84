package dev.telos.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Aligned text columns for people; colour only when writing to a terminal. */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  Table(String... header) {
    this.columns = header.length;
    rows.add(header);
  }

  Table row(Object... cells) {
    String[] r = new String[columns];
    for (int i = 0; i < columns; i++) {
      r[i] = i < cells.length && cells[i] != null ? String.valueOf(cells[i]) : "-";
    }
    rows.add(r);
    return this;
  }

  void print(PrintWriter out, boolean colour, int statusColumn) {
    int[] width = new int[columns];
    for (String[] r : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (int n = 0; n < rows.size(); n++) {
      String[] r = rows.get(n);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        String cell = r[i];
        String padded = i == columns - 1 ? cell : String.format("%-" + width[i] + "s", cell);
        if (colour && n > 0 && i == statusColumn) {
          padded = paint(cell) + padded.substring(cell.length());
        }
        line.append(padded).append(i == columns - 1 ? "" : "  ");
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  static String paint(String status) {
    String code =
        switch (status) {
          case "Synced", "Succeeded", "Healthy" -> "32";
          case "Progressing", "Running", "Scheduled", "Pruning", "Suspended" -> "33";
          case "Error",
              "Failed",
              "Degraded",
              "RolledBack",
              "OutOfSync",
              "PruneHeld",
              "Invalid",
              "Missing" ->
              "31";
          default -> null;
        };
    return code == null ? status : "\u001b[" + code + "m" + status + "\u001b[0m";
  }

  /** Whether stdout is a terminal a person reads (and NO_COLOR is not set). */
  static boolean colour() {
    return System.console() != null && System.getenv("NO_COLOR") == null;
  }
}

package dev.telos.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --agent-disk TYPE:MB}, shared by {@code telos cluster} and {@code telos local}. */
final class AgentDisksOption {
  @Option(
      names = "--agent-disk",
      paramLabel = "PATH:MB|MOUNT:MB",
      description =
          "A PATH or MOUNT disk every process agent has besides its own (repeatable), offered as"
              + " disk with that source, for persistent volumes of that type; a MOUNT disk is"
              + " only taken whole.")
  List<String> disks = new ArrayList<>();
}

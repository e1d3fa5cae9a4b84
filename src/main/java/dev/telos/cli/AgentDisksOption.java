package dev.telos.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --agent-disk TYPE:MB}, {@code --agent-attributes ATTRS} and {@code --agent-reserved RES},
 * shared by {@code telos cluster} and {@code telos local}.
 */
final class AgentDisksOption {
  @Option(
      names = "--agent-disk",
      paramLabel = "PATH:MB|MOUNT:MB",
      description =
          "A PATH or MOUNT disk every process agent has besides its own (repeatable), offered as"
              + " disk with that source, for persistent volumes of that type; a MOUNT disk is"
              + " only taken whole.")
  List<String> disks = new ArrayList<>();

  @Option(
      names = "--agent-attributes",
      paramLabel = "NAME:VALUE[;NAME:VALUE...]",
      description =
          "The attributes of each process agent in turn (repeat the flag per agent), as a Mesos"
              + " agent's --attributes: rack:r1;zone:a (a number is a SCALAR attribute); for"
              + " placement constraints.")
  List<String> attributes = new ArrayList<>();

  @Option(
      names = "--agent-reserved",
      paramLabel = "NAME(ROLE):AMOUNT[;...]",
      description =
          "Resources statically reserved for roles on every process agent, on top of its own, as"
              + " a Mesos agent's --resources: cpus(ops):2;mem(ops):1024. Offered only to those"
              + " roles, with a STATIC reservation.")
  String reserved = "";
}

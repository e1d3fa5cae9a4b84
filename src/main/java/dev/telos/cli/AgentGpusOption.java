package dev.telos.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --agent-gpus N[,N...]}, shared by {@code telos cluster} and {@code telos local}. */
final class AgentGpusOption {
  @Option(
      names = "--agent-gpus",
      split = ",",
      paramLabel = "N[,N...]",
      description =
          "GPUs of each process agent in turn, e.g. 2,0 (the others have none). Only frameworks"
              + " with the GPU_RESOURCES capability get offers of an agent with GPUs, as in Mesos.")
  List<Integer> gpus = new ArrayList<>();
}

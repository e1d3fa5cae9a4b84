package dev.telos.manifest;

/** What one task needs. Defaults: {@code cpus: 0.1}, {@code mem: 128} MiB, {@code disk: 0} MiB. */
public record TaskResources(double cpus, double mem, double disk, int gpus) {
  public static final TaskResources DEFAULT = new TaskResources(0.1, 128, 0);

  public TaskResources {
    if (!(cpus > 0) || !(mem > 0) || !(disk >= 0) || gpus < 0) {
      throw new IllegalArgumentException("cpus and mem must be > 0, disk and gpus >= 0");
    }
  }

  /** No GPUs. */
  public TaskResources(double cpus, double mem, double disk) {
    this(cpus, mem, disk, 0);
  }
}

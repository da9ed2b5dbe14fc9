/// Load generator (placeholder until the module lands).
public enum ContonBenchModule {}

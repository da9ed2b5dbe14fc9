/// Brazilian rules (placeholder until the module lands).
public enum ContonBrazilModule {}

/// Mail delivery (placeholder until the module lands).
public enum ContonMailModule {}

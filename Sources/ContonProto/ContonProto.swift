import ContonProtosC
public enum ContonProto {}

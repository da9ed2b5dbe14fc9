public enum ContonTLSPlaceholder {}

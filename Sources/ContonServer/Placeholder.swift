public enum ContonServerPlaceholder {}

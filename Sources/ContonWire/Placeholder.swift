public enum ContonWirePlaceholder {}

public enum ContonStorePlaceholder {}

public enum ContonKitPlaceholder {}

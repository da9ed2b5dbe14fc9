public enum ContonTransportPlaceholder {}

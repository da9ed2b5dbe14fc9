public enum ExamplePluginPlaceholder {}

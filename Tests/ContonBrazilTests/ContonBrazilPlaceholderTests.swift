import Testing
@testable import ContonBrazil

@Suite struct ContonBrazilPlaceholderTests {
    @Test func moduleLinks() { _ = ContonBrazilModule.self }
}

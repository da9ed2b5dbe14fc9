import Testing
@testable import ContonMail

@Suite struct ContonMailPlaceholderTests {
    @Test func moduleLinks() { _ = ContonMailModule.self }
}

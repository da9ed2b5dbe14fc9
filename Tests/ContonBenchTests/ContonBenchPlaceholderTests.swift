import Testing
@testable import ContonBench

@Suite struct ContonBenchPlaceholderTests {
    @Test func moduleLinks() { _ = ContonBenchModule.self }
}

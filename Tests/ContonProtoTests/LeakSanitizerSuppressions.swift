/// LeakSanitizer's default-suppressions hook, read when a `--sanitize address` test run starts.
///
/// XCTest's own harness (which `swift test` runs before Swift Testing, even with no XCTest tests)
/// leaks 144 bytes on Linux with Swift 6.3.1, which would fail every ASan run. Only allocations
/// whose stack passes through libXCTest are suppressed; leaks in ContOn's code are still reported.
/// The symbol is looked up weakly by the sanitizer runtime, so it is inert in normal builds.
@_cdecl("__lsan_default_suppressions")
func leakSanitizerDefaultSuppressions() -> UnsafePointer<CChar> {
    let text: StaticString = "leak:libXCTest.so\n"
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

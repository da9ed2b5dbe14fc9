import ContonKit
import FilesPlugin
import Testing

@Suite struct FilesPluginTests {
    @Test func pluginID() {
        #expect(FilesPlugin().id == "files")
    }
}

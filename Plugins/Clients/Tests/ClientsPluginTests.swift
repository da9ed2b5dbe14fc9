import ClientsPlugin
import ContonKit
import Testing

@Suite struct ClientsPluginTests {
    @Test func pluginID() {
        #expect(ClientsPlugin().id == "clients")
    }
}

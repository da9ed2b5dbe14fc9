import ContonBench
import Testing

@Suite struct ServerProcessTests {
    @Test func waitsForTheReadyLineAndStopsWithSIGTERM() async throws {
        let server = try await ServerProcess.launch(
            executable: "/bin/sh",
            arguments: ["-c", "echo 'development CA: /x/ca.pem'; sleep 0.2; echo 'listening on 127.0.0.1:4321'; exec sleep 30"])
        #expect(server.host == "127.0.0.1")
        #expect(server.port == 4321)
        #expect(server.pid > 0)
        #expect(server.isRunning)
        #expect(server.output.first == "development CA: /x/ca.pem")
        #expect(CPUMeter.process(server.pid).read() != nil)
        let status = await server.stop()
        #expect(!server.isRunning)
        #expect(status == 15)  // terminated by SIGTERM
    }

    @Test func aServerThatExitsFirstIsAnError() async {
        await #expect(throws: BenchError.self) {
            _ = try await ServerProcess.launch(executable: "/bin/sh", arguments: ["-c", "echo starting; exit 3"])
        }
        await #expect(throws: BenchError.self) {
            _ = try await ServerProcess.launch(executable: "/nonexistent/conton", arguments: [])
        }
    }

    @Test func parsesAddresses() {
        #expect(ServerProcess.parseAddress("127.0.0.1:7443")! == ("127.0.0.1", 7443))
        #expect(ServerProcess.parseAddress("[::1]:80 (tls)")! == ("::1", 80))
        #expect(ServerProcess.parseAddress("nowhere") == nil)
    }
}

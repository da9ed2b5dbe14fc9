// swift-tools-version:6.1
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder: the main package's identity is whatever the
/// clone's folder is called (`main`, `conton`, …).
let mainPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .lastPathComponent.lowercased()

/// Benchmarks that need dependencies the main package must not carry (BoringSSL, HTTP/2):
/// `conton-bench-h2` drives the same `TestService` over grpc-swift's own HTTP/2 + TLS transport
/// with the same load generator as `conton bench`. Not built by `make test`; `make bench` builds it.
let package = Package(
    name: "ContonBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        /// `conton-bench-h2`: TestService over `HTTP2ServerTransport.Posix` + TLS in a child process,
        /// loaded over `HTTP2ClientTransport.Posix` + TLS by `ContonBench.LoadGenerator`.
        .executableTarget(
            name: "conton-bench-h2",
            dependencies: [
                .product(name: "ContonBench", package: mainPackage),
                .product(name: "ContonServer", package: mainPackage),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [
                .swiftLanguageMode(.v6),
                .enableUpcomingFeature("ExistentialAny"),
            ]
        ),
    ]
)

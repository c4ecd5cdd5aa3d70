// swift-tools-version:6.1
// libFuzzer targets for the Volunteer Records Service. A package of its own so that the root
// package (and CI's debug build) never compiles them; see docs/FUZZING.md and Fuzz/run.sh.
//
// Build (debug, the configuration run.sh uses; the targets `@testable import` the root
// modules, which SwiftPM compiles with testability only in debug):
//   swift build --package-path Fuzz --scratch-path Fuzz/.build-fuzz \
//     --sanitize=fuzzer --sanitize=address
import PackageDescription

let swiftSettings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
  name: "volunteer-records-fuzz",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "fuzz-preface", targets: ["fuzz-preface"]),
    .executable(name: "fuzz-frames", targets: ["fuzz-frames"]),
    .executable(name: "fuzz-requests", targets: ["fuzz-requests"]),
  ],
  dependencies: [
    // The root package: WireProtocol (preface, frame decoder and encoder) and VolunteerService
    // (the RPC services and their validation).
    .package(name: "volunteer-records-service", path: ".."),
    // The same exact versions the root Package.swift pins.
    .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
    .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
  ],
  targets: [
    // The connection preface (docs/PROTOCOL.md §4), fed byte by byte.
    .executableTarget(
      name: "fuzz-preface",
      dependencies: [
        .product(name: "WireProtocol", package: "volunteer-records-service"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    // The frame decoder (§5) over arbitrary byte streams in arbitrary chunkings.
    .executableTarget(
      name: "fuzz-frames",
      dependencies: [
        .product(name: "WireProtocol", package: "volunteer-records-service"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: swiftSettings
    ),
    // Every request message of every RPC method, through the service's own handlers.
    .executableTarget(
      name: "fuzz-requests",
      dependencies: [
        .product(name: "WireProtocol", package: "volunteer-records-service"),
        .product(name: "VolunteerService", package: "volunteer-records-service"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)

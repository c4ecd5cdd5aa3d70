// swift-tools-version:6.1
// Load generators for the Volunteer Records Service. A package of its own so that the root
// package (and CI's debug build) never compiles them; see docs/BENCHMARKS.md.
import PackageDescription

let package = Package(
  name: "volunteer-records-benchmarks",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "wire-load", targets: ["wire-load"]),
    .executable(name: "evaluation-cost", targets: ["evaluation-cost"]),
    .executable(name: "store-load", targets: ["store-load"]),
  ],
  dependencies: [
    // The root package: WireProtocol for the client, and its volunteer-service product, so
    // `swift build --package-path Benchmarks --product volunteer-service` builds the server
    // with the same release settings.
    .package(name: "volunteer-records-service", path: ".."),
    // The same exact versions the root Package.swift pins.
    .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
    .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
  ],
  targets: [
    // What both load generators share; tiny, so each executable stays self-explanatory.
    .target(name: "BenchmarkSupport", swiftSettings: [.swiftLanguageMode(.v6)]),
    .executableTarget(
      name: "wire-load",
      dependencies: [
        "BenchmarkSupport",
        .product(name: "WireProtocol", package: "volunteer-records-service"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .executableTarget(
      name: "store-load",
      dependencies: [
        "BenchmarkSupport",
        .product(name: "VolunteerService", package: "volunteer-records-service"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
    .executableTarget(
      name: "evaluation-cost",
      dependencies: [.product(name: "VolunteerService", package: "volunteer-records-service")],
      swiftSettings: [.swiftLanguageMode(.v6)]
    ),
  ]
)

// swift-tools-version:6.0
import PackageDescription
import Foundation

// Layering (see README "Architecture"): the model has no dependencies; each stage
// depends on the model and on at most one C library; only Pipeline composes stages;
// the two executables are thin.
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

// The programs allocate through jemalloc (Debian's libjemalloc2) instead of glibc's malloc: a national night
// allocates and frees millions of small strings and arrays from two threads, where glibc's malloc was ~8 % of the
// CPU; measured on a 2,000-notice national night, 0.87× the CPU and 0.83× the peak memory.
let fastAllocator: [LinkerSetting] = [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]

var targets: [Target] = [
    // C libraries, each imported by exactly one Swift target.
    .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
    .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
    // zlib: TED daily packages (.tar.gz) read in memory by the parser, the store's compressed JSON and raw bodies.
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // zstd: the outbox's e-mails, stored compressed (a national night's 3.1 GB of messages, 4× smaller at level 1).
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

    // The parse benchmark's baseline, a plain libxml2 reader walk in C; only vigie-bench uses it.
    .target(name: "CXMLWalk", dependencies: ["CLibXML2"]),

    .target(name: "Notices", swiftSettings: strict),
    // The only Swift target that imports CCurl: libcurl behind Swift types (easy and multi handles, typed
    // options, callbacks as closures), for the fetcher (HTTP) and the mail stage (SMTP).
    .target(name: "Curl", dependencies: ["CCurl"], swiftSettings: strict),
    // MIME messages and SMTP delivery; knows nothing of notices, rules or digests.
    .target(name: "Mail", dependencies: ["Curl"], swiftSettings: strict),
    // A small HTTP/1.1 server on loopback (POSIX sockets) with scripted faults, for the
    // fetcher's tests and `vigie-bench fetch`: real HTTP, no network.
    .target(name: "LoopbackHTTP", swiftSettings: strict),
    // The only Swift target that imports CZlib and CZstd: deflate, inflate and zstd behind Swift types, for the
    // parser and the store.
    .target(name: "Compression", dependencies: ["CZlib", "CZstd"], swiftSettings: strict),
    .target(name: "Parser", dependencies: ["Notices", "CLibXML2", "Compression"], swiftSettings: strict),
    .target(
        name: "Fetcher",
        dependencies: [
            "Notices", "Curl", .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: strict),
    // SQLite through GRDB (its own system-library target links Debian's libsqlite3, which has FTS5).
    .target(
        name: "Store", dependencies: ["Notices", "Compression", .product(name: "GRDB", package: "GRDB.swift")],
        swiftSettings: strict),
    .target(
        name: "Classifier",
        dependencies: ["Notices", .product(name: "Yams", package: "Yams")],
        swiftSettings: strict),
    .target(name: "Digest", dependencies: ["Notices"], swiftSettings: strict),
    .target(
        name: "Pipeline",
        dependencies: [
            "Notices", "Parser", "Fetcher", "Store", "Classifier", "Digest", "Mail",
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: strict),
    // The command line: commands, shared option groups, argument types, the log format. A library so that the
    // tests parse commands and read their help without a process; the `vigie` executable only calls it.
    .target(
        name: "VigieCLI",
        dependencies: [
            "Pipeline", "Notices", "Parser", "Fetcher", "Store", "Classifier", "Digest", "Mail",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: strict),
    .executableTarget(
        name: "vigie", dependencies: ["VigieCLI"], swiftSettings: strict, linkerSettings: fastAllocator),
    .executableTarget(
        name: "vigie-bench",
        dependencies: [
            "Pipeline", "Notices", "Parser", "Fetcher", "Store", "Classifier", "Digest", "LoopbackHTTP",
            "CXMLWalk", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
        ],
        swiftSettings: strict, linkerSettings: fastAllocator),

    // Helpers any test target may use: a real SMTP server on loopback (python3 + aiosmtpd) with scripted faults,
    // and Python's `email` package as an independent reader of messages.
    .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["smtp_sink.py", "parse_mail.py"]),
    .testTarget(name: "NoticesTests", dependencies: ["Notices", "TestSupport"]),
    .testTarget(name: "MailTests", dependencies: ["Mail", "TestSupport"]),
    .testTarget(name: "CompressionTests", dependencies: ["Compression"]),
    .testTarget(
        name: "ParserTests", dependencies: ["Parser", "Notices", "TestSupport"], resources: [.copy("Fixtures")]),
    .testTarget(name: "FetcherTests", dependencies: ["Fetcher", "Notices", "LoopbackHTTP", "TestSupport"]),
    // GRDB too: the tests build stores the way older builds did (raw SQL) and hold transactions open.
    .testTarget(
        name: "StoreTests",
        dependencies: [
            "Store", "Compression", "Notices", "TestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    .testTarget(
        name: "ClassifierTests", dependencies: ["Classifier", "Notices", "Parser", "TestSupport"],
        resources: [.copy("Fixtures")]),
    .testTarget(
        name: "DigestTests", dependencies: ["Digest", "Notices", "Parser", "TestSupport"], resources: [.copy("Golden")]),
    .testTarget(
        name: "PipelineTests",
        dependencies: [
            "Pipeline", "Notices", "Parser", "Fetcher", "Store", "Classifier", "Digest", "LoopbackHTTP", "TestSupport",
        ]),
    .testTarget(
        name: "VigieCLITests",
        dependencies: [
            "VigieCLI", "Notices", "LoopbackHTTP", "TestSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
]

// The libFuzzer target links only when built with `-sanitize=fuzzer`, so it exists
// only when asked for: `VIGIE_FUZZ=1 swift build -c release -Xswiftc -sanitize=fuzzer,address ...`.
if ProcessInfo.processInfo.environment["VIGIE_FUZZ"] == "1" {
    targets.append(.executableTarget(name: "vigie-fuzz-parser", dependencies: ["Parser"], path: "Fuzz/ParserFuzz"))
}

let package = Package(
    name: "Vigie",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vigie", targets: ["vigie"]),
        .executable(name: "vigie-bench", targets: ["vigie-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    ],
    targets: targets,
    swiftLanguageModes: [.v6]
)

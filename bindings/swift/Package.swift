// swift-tools-version:5.7
// The Swift binding of libopenai: COpenAI, a system-library target whose module map covers the
// installed openai.h and links libopenai, both found through pkg-config (`openai.pc`, installed
// with the library by `cargo cinstall`); OpenAI, a thin Swift layer over it (async/await over the
// C callback form, AsyncSequence streams, the generated resource tree).
// NOTE: never built where it was written (no Swift toolchain there); see README.md.
import PackageDescription

let package = Package(
    name: "OpenAI",
    platforms: [.macOS(.v10_15), .iOS(.v13)],
    products: [
        .library(name: "OpenAI", targets: ["OpenAI"]),
    ],
    targets: [
        // No system package manager ships libopenai yet, so no `providers:` are named (SwiftPM
        // would print them as install hints): install it with cargo-c (README.md).
        .systemLibrary(name: "COpenAI", path: "Sources/COpenAI", pkgConfig: "openai"),
        .target(name: "OpenAI", dependencies: ["COpenAI"], path: "Sources/OpenAI"),
        .testTarget(name: "OpenAITests", dependencies: ["OpenAI"], path: "Tests/OpenAITests"),
    ]
)

// swift-tools-version:5.7
// The Swift binding of libopenai: COpenAI, a system-library target whose module map covers the
// repository's include/openai.h and links libopenai; OpenAI, a thin Swift layer over it
// (async/await over the C callback form, AsyncSequence streams, generated per-operation methods).
// NOTE: never built where it was written (no Swift toolchain there); see README.md.
import PackageDescription

let package = Package(
    name: "OpenAI",
    platforms: [.macOS(.v10_15), .iOS(.v13)],
    products: [
        .library(name: "OpenAI", targets: ["OpenAI"]),
    ],
    targets: [
        .systemLibrary(name: "COpenAI", path: "Sources/COpenAI"),
        .target(name: "OpenAI", dependencies: ["COpenAI"], path: "Sources/OpenAI"),
        .testTarget(name: "OpenAITests", dependencies: ["OpenAI"], path: "Tests/OpenAITests"),
    ]
)

// swift-tools-version:6.0
import PackageDescription

// Each system library is a module map plus a header, found through pkg-config (see Sources/C*/).
let package = Package(
    name: "mnistbook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mnistbook", targets: ["mnistbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
        .systemLibrary(name: "CGraphviz", path: "Sources/CGraphviz", pkgConfig: "libgvc",
                       providers: [.apt(["libgraphviz-dev"])]),
        .systemLibrary(name: "CMark", path: "Sources/CMark", pkgConfig: "libcmark-gfm",
                       providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CTurboJPEG", pkgConfig: "libturbojpeg",
                       providers: [.apt(["libturbojpeg0-dev"])]),

        // The inference network's dense kernel (AVX-512 where the CPU has it), beside oneDNN's.
        .target(name: "CKernels"),
        // What the input side (Datasets, Notebook) and the output side (Report) both need and may not take
        // from each other: the C library's file calls under one name, and escaping text scalar by scalar.
        .target(name: "Basics"),
        .target(name: "Tensor", dependencies: ["CDNNL", "CKernels"]),
        .target(name: "NeuralNet", dependencies: ["Tensor"]),
        .target(name: "Datasets", dependencies: ["Basics", "NeuralNet", "CZlib", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Notebook", dependencies: ["Basics", "CMark", "Yams"]),
        .target(name: "Report", dependencies: ["Basics", "CGraphviz", "CPNG", "CMark"],
                resources: [.copy("Resources/digit-pad.js"), .copy("Resources/digit-model.js")]),
        .target(name: "Stages", dependencies: ["NeuralNet", "Datasets", "Notebook", "Report", "Inference"]),
        .target(name: "Inference", dependencies: ["NeuralNet", "Datasets", "Report", "Tensor", "CTurboJPEG"]),
        // Finished render outputs read back: compare, collate.
        .target(name: "Runs", dependencies: ["Report", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Serve", dependencies: [
            "Inference", "NeuralNet", "Datasets", "Report",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "mnistbook", dependencies: [
            "Stages", "NeuralNet", "Datasets", "Notebook", "Report", "Inference", "Runs", "Serve",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "Tensor", "Datasets"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "Stages"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "NeuralNet", "Datasets", "Report", "Tensor"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "ServeTests", dependencies: ["Serve", "Inference", "NeuralNet", "Datasets", "Report", "Tensor"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Stages", "Runs", "mnistbook"]),
    ],
    // Swift 5 mode: the engine shares buffers with C libraries across threads it does not own.
    swiftLanguageModes: [.v5]
)

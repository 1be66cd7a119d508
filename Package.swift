// swift-tools-version: 6.1
import PackageDescription

let package = Package(
  name: "Tacit",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "tacit", targets: ["tacit"]),
    .library(name: "TacitPipeline", targets: ["TacitPipeline"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    // Test-only: property-based tests of the `tacit` command line (FuzzTests).
    .package(url: "https://github.com/x-sheep/swift-property-based", exact: "2.0.1"),
  ],
  targets: [
    .systemLibrary(
      name: "CBLAS",
      pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .target(
      name: "TacitTensor",
      dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .target(name: "TacitNN", dependencies: ["TacitTensor"]),
    .target(
      name: "TacitMath",
      dependencies: [.product(name: "RealModule", package: "swift-numerics")]
    ),
    .target(
      name: "TacitPrivacy",
      dependencies: ["TacitMath", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .target(
      name: "TacitAudit",
      dependencies: ["TacitMath", .product(name: "RealModule", package: "swift-numerics")]
    ),
    .target(name: "TacitData", dependencies: ["TacitTensor", "CZlib"]),
    .target(name: "TacitTraining", dependencies: ["TacitNN", "TacitData", "TacitPrivacy"]),
    .target(name: "TacitRecipe", dependencies: [.product(name: "Yams", package: "Yams")]),
    // Text records and tokenizers: Foundation only, no tensors (see TacitText.swift).
    .target(name: "TacitText"),
    .target(name: "TacitReport", dependencies: ["TacitAudit", "TacitPrivacy"]),
    .target(
      name: "TacitPipeline",
      dependencies: [
        "TacitTraining", "TacitRecipe", "TacitData", "TacitText", "TacitNN", "TacitTensor", "TacitPrivacy", "TacitAudit",
        "TacitReport",
      ]
    ),
    .executableTarget(
      name: "tacit",
      dependencies: [
        "TacitPipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(name: "TacitTensorTests", dependencies: ["TacitTensor"]),
    .testTarget(name: "TacitNNTests", dependencies: ["TacitNN"]),
    .testTarget(name: "TacitDataTests", dependencies: ["TacitData"], resources: [.copy("Fixtures")]),
    .testTarget(name: "TacitTrainingTests", dependencies: ["TacitTraining", "TacitPrivacy"]),
    .testTarget(name: "TacitRecipeTests", dependencies: ["TacitRecipe"]),
    .testTarget(name: "TacitTextTests", dependencies: ["TacitText"], resources: [.copy("Fixtures")]),
    .testTarget(
      name: "TacitPrivacyTests", dependencies: ["TacitPrivacy", "TacitMath"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "TacitAuditTests", dependencies: ["TacitAudit", "TacitMath"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(name: "TacitReportTests", dependencies: ["TacitReport", "TacitAudit", "TacitPrivacy"]),
    .testTarget(
      name: "TacitPipelineTests",
      dependencies: ["TacitPipeline", "tacit", .product(name: "PropertyBased", package: "swift-property-based")],
      resources: [.copy("Fixtures")]
    ),
  ],
  swiftLanguageModes: [.v6]
)

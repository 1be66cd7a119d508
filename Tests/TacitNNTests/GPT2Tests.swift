import Foundation
import TacitNN
import TacitTensor
import Testing

@Suite struct GPT2Tests {
  static let lengths = [9, 3, 6, 1, 7, 4]

  static func configuration(tied: Bool, width: Int = 8, layers: Int = 2) throws -> GPT2Configuration {
    try GPT2Configuration(
      vocabularySize: 20, contextLength: 9, width: width, layerCount: layers, headCount: 2, tieEmbeddings: tied)
  }

  /// A tiny model with parameters scaled up from GPT-2's initialisation (weights N(0, 0.4²),
  /// biases and LayerNorm offsets N(0, 0.2²), LayerNorm scales 1 + N(0, 0.2²)) so that every
  /// layer is visibly non-linear and every gradient is far from 0.
  static func makeModel(tied: Bool, seed: UInt64 = 141) throws -> GPT2 {
    var generator = SeededGenerator(seed: seed)
    let model = GPT2(configuration: try configuration(tied: tied), generator: &generator)
    for (index, (name, parameter)) in model.namedParameters.enumerated() {
      let noise = randomTensor(parameter.value.shape, seed: seed &+ UInt64(index) &+ 1)
      let isNormScale = name.contains("ln_") && name.hasSuffix("weight")
      let scale: Float = name.hasSuffix("bias") || isNormScale ? 0.2 : 0.4
      parameter.value.scalars = noise.scalars.map { (isNormScale ? 1 : 0) + scale * $0 }
    }
    return model
  }

  static func lossGradient(_ logits: Tensor, _ tokens: Tensor) -> Tensor {
    NextTokenCrossEntropy().lossesAndGradient(logits: logits, tokens: tokens).gradient
  }

  static func tokens(_ lengths: [Int] = lengths, positions: Int = 9, seed: UInt64 = 142) -> Tensor {
    paddedTokens(lengths: lengths, positions: positions, vocabulary: 20, seed: seed)
  }

  @Test func configurationIsValidated() throws {
    #expect(throws: ShapeError.self) {
      try GPT2Configuration(vocabularySize: 20, contextLength: 9, width: 10, layerCount: 2, headCount: 4)
    }
    #expect(throws: ShapeError.self) {
      try GPT2Configuration(vocabularySize: 0, contextLength: 9, width: 8, layerCount: 2, headCount: 2)
    }
    #expect(throws: ShapeError.self) {
      try GPT2Configuration(vocabularySize: 20, contextLength: 9, width: 8, layerCount: 2, headCount: 2, layerNormEpsilon: -1)
    }
    let configuration = try Self.configuration(tied: false)
    let decoded = try JSONDecoder().decode(GPT2Configuration.self, from: JSONEncoder().encode(configuration))
    #expect(decoded == configuration)
    let minimal = #"{"vocabularySize": 20, "contextLength": 9, "width": 8, "layerCount": 2, "headCount": 2}"#
    let defaults = try JSONDecoder().decode(GPT2Configuration.self, from: Data(minimal.utf8))
    #expect(defaults.layerNormEpsilon == 1e-5 && defaults.tieEmbeddings)
    let invalid = #"{"vocabularySize": 20, "contextLength": 9, "width": 8, "layerCount": 2, "headCount": 3}"#
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(GPT2Configuration.self, from: Data(invalid.utf8)) }
  }

  @Test(arguments: [true, false])
  func parametersAreNamedAndOrderedAsHuggingFace(tied: Bool) throws {
    var generator = SeededGenerator(seed: 143)
    let model = GPT2(configuration: try Self.configuration(tied: tied, layers: 2), generator: &generator)
    var expected: [(String, [Int])] = [("wte.weight", [20, 8]), ("wpe.weight", [9, 8])]
    for i in 0..<2 {
      expected += [
        ("h.\(i).ln_1.weight", [8]), ("h.\(i).ln_1.bias", [8]), ("h.\(i).attn.c_attn.weight", [24, 8]),
        ("h.\(i).attn.c_attn.bias", [24]), ("h.\(i).attn.c_proj.weight", [8, 8]), ("h.\(i).attn.c_proj.bias", [8]),
        ("h.\(i).ln_2.weight", [8]), ("h.\(i).ln_2.bias", [8]), ("h.\(i).mlp.c_fc.weight", [32, 8]),
        ("h.\(i).mlp.c_fc.bias", [32]), ("h.\(i).mlp.c_proj.weight", [8, 32]), ("h.\(i).mlp.c_proj.bias", [8]),
      ]
    }
    expected += [("ln_f.weight", [8]), ("ln_f.bias", [8])]
    if !tied { expected.append(("lm_head.weight", [20, 8])) }
    #expect(model.namedParameters.map(\.name) == expected.map(\.0))
    #expect(model.namedParameters.map(\.parameter.value.shape) == expected.map(\.1))
    let identities = model.parameters.map(ObjectIdentifier.init)
    #expect(model.namedParameters.map { ObjectIdentifier($0.parameter) } == identities)
    #expect(model.trainableLeaves.flatMap(\.parameters).map(ObjectIdentifier.init) == identities)
    #expect(model.trainableLeaves.count == 2 + 6 * 2 + 1 + (tied ? 0 : 1))
    let outputShape = try model.outputShape(forInput: [9])
    #expect(model.kind == "gpt2" && outputShape == [9, 20])
    #expect(throws: ShapeError.self) { try model.outputShape(forInput: [10]) }
    let sequential = try Sequential([model], inputShape: [9])
    #expect(sequential.namedParameters.first?.name == "layers.0.wte.weight")
    #expect(sequential.namedParameters.count == expected.count && sequential.outputShape == [9, 20])
  }

  @Test func initialisationFollowsGPT2() throws {
    var generator = SeededGenerator(seed: 144)
    let configuration = try GPT2Configuration(vocabularySize: 50, contextLength: 16, width: 32, layerCount: 2, headCount: 4)
    let model = GPT2(configuration: configuration, generator: &generator)
    func deviation(_ values: [Float]) -> Double {
      (values.reduce(0) { $0 + Double($1) * Double($1) } / Double(values.count)).squareRoot()
    }
    for (name, parameter) in model.namedParameters {
      let values = parameter.value.scalars
      if name.hasSuffix("bias") && !name.contains("ln_") {
        #expect(values.allSatisfy { $0 == 0 }, "\(name) is not zero")
      } else if name.contains("ln_") {
        #expect(values.allSatisfy { $0 == (name.hasSuffix("weight") ? 1 : 0) }, "\(name)")
      } else {
        let expected = name.hasSuffix("c_proj.weight") ? 0.02 / 2 : 0.02
        #expect(abs(deviation(values) - expected) < 0.12 * expected, "\(name): deviation \(deviation(values))")
      }
    }
  }

  @Test(arguments: [true, false])
  func gradientsMatchFiniteDifferences(tied: Bool) throws {
    checkFiniteDifferences(
      try Self.makeModel(tied: tied), input: Self.tokens([9, 4, 6]), maxCoordinates: 12, probesInput: false,
      tied ? "tied" : "untied")
  }

  @Test(arguments: sweep([("tied", true), ("untied", false)], [("groups of 1", 1), ("groups of 2", 2), ("groups of 3", 3)]))
  func groupNormsMatchBatchOfOneWithMixedLengths(_ sweepCase: Labelled<(Bool, Int)>) throws {
    let (tied, groupSize) = sweepCase.value
    let tokens = Self.tokens()
    let error = checkPaddedBookkeeping(
      try Self.makeModel(tied: tied), input: tokens, lengths: Self.lengths, groupSize: groupSize,
      outputGradient: { Self.lossGradient($0, tokens) }, recordGradient: Self.lossGradient, sweepCase.label)
    #expect(error <= 1e-4)
  }

  /// Extra padding columns, and non-zero output gradients at padding, change no logit of a real
  /// position, no norm and no gradient; logits at padding are 0.
  @Test(arguments: [true, false])
  func paddingIsInert(tied: Bool) throws {
    let model = try Self.makeModel(tied: tied)
    let lengths = [5, 2, 6]
    let short = Self.tokens(lengths, positions: 6)
    var longIds: [Float] = []
    for b in 0..<3 { longIds += Array(short.scalars[(b * 6)..<(b * 6 + 6)]) + [Float](repeating: -1, count: 3) }
    let long = Tensor(shape: [3, 9], scalars: longIds)
    func run(_ tokens: Tensor, padValue: Float) -> (logits: Tensor, norms: [Double], gradient: [Double]) {
      var generator = SeededGenerator(seed: 0)
      let logits = model.forward(tokens, mode: .training, generator: &generator)
      let gradient = Self.lossGradient(logits, tokens)
      _ = model.backward(settingPadding(gradient, lengths: lengths, to: padValue), needsInputGradient: false)
      var norms = [0.0, 0.0, 0.0]
      model.addGroupSquaredNorms(into: &norms, groupSize: 1)
      zeroGradients(model)
      model.accumulateGradients(weights: .perExample([0.3, 1, 0.7]))
      return (logits, norms, flatGradients(model))
    }
    let reference = run(short, padValue: 0)
    let padded = run(long, padValue: 5)
    #expect(padded.logits.shape == [3, 9, 20])
    for b in 0..<3 {
      #expect(recordPrefix(padded.logits, record: b, length: 6) == recordPrefix(reference.logits, record: b, length: 6))
    }
    #expect(settingPadding(padded.logits, lengths: lengths, to: 0) == padded.logits)
    #expect(padded.norms == reference.norms && padded.gradient == reference.gradient)
  }

  @Test(arguments: [true, false])
  func laterTokensDoNotChangeEarlierLogits(tied: Bool) throws {
    let model = try Self.makeModel(tied: tied)
    let tokens = Self.tokens([9, 7])
    var changed = tokens
    changed.scalars[5] = Float((Int(changed.scalars[5]) + 7) % 20)
    var generator = SeededGenerator(seed: 0)
    let before = model.forward(tokens, mode: .inference, generator: &generator)
    let after = model.forward(changed, mode: .inference, generator: &generator)
    expectClose(
      Array(after.scalars[0..<(5 * 20)]).map(Double.init), Array(before.scalars[0..<(5 * 20)]).map(Double.init),
      relative: 1e-6, absolute: 1e-7, "positions before the change")
    #expect(Array(after.scalars[(5 * 20)..<(9 * 20)]) != Array(before.scalars[(5 * 20)..<(9 * 20)]))
    #expect(Array(after.scalars[(9 * 20)...]) == Array(before.scalars[(9 * 20)...]))
  }

  @Test func emptyRecordsAndEmptyBatches() throws {
    let model = try Self.makeModel(tied: true)
    for tokens in [Tensor(shape: [2, 4], repeating: -1), Tensor(shape: [0, 4])] {
      var generator = SeededGenerator(seed: 0)
      let logits = model.forward(tokens, mode: .training, generator: &generator)
      #expect(logits.shape == [tokens.shape[0], 4, 20] && logits.scalars.allSatisfy { $0 == 0 })
      _ = model.backward(Tensor(shape: logits.shape, repeating: 1), needsInputGradient: false)
      var norms = [Double](repeating: 0, count: tokens.shape[0])
      model.addGroupSquaredNorms(into: &norms, groupSize: 1)
      #expect(norms.allSatisfy { $0 == 0 })
    }
  }
}

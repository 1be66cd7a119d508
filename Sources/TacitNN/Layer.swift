import TacitTensor

/// Whether a forward pass trains (dropout active, inputs kept for the backward pass) or infers.
public enum ForwardMode: Sendable {
  case training
  case inference
}

/// An error in a model's structure: a layer that cannot take the shape it is given.
public struct ShapeError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// A layer of a network, with the book-keeping DP-SGD needs (../shared/DESIGN.md §3).
///
/// The protocol splits the backward pass in two so that per-example clipping costs almost
/// nothing extra:
///
/// 1. `forward` keeps the layer input `A` (training mode).
/// 2. `backward` receives the gradient of the *per-example* losses with respect to the output,
///    `G` (not averaged over the batch), keeps it, and returns the gradient with respect to the
///    input. It does not touch parameter gradients.
/// 3. `addGroupSquaredNorms` adds ‖∇θ ℓ_b‖² of this layer's parameters, per example `b` (or per
///    group of consecutive examples), computed from `A` and `G` without materialising per-example
///    gradients where that is cheaper.
/// 4. `accumulateGradients(weights:)` adds `Σ_b c_b ∇θ ℓ_b` to each parameter's gradient, in one
///    GEMM for linear layers.
///
/// Shapes: the leading dimension of every tensor is the batch `B` (which may be 0). Images are
/// `[B, H, W, C]` (channels last).
public protocol Layer: AnyObject {
  /// The recipe name of the layer kind (`dense`, `conv2d`, …).
  var kind: String { get }

  /// The trainable parameters in a fixed order; empty for parameter-free layers. A composite
  /// layer's parameters are its trainable leaves' parameters, concatenated in leaf order.
  var parameters: [Parameter] { get }

  /// `parameters` with their names inside this layer, in the same order: the parameter's own
  /// `name` for a simple layer (the default), a path such as `h.0.attn.c_attn.weight` for a
  /// composite one. `Sequential` prefixes these with `layers.<index>.`.
  var namedParameters: [(name: String, parameter: Parameter)] { get }

  /// The layers whose parameters per-layer clipping bounds one by one (DESIGN.md §8): `[self]`
  /// for a layer with parameters, `[]` for a parameter-free one (the default), and, for a
  /// composite layer (a transformer block holding attention and MLP projections), its
  /// parameterised sub-layers, recursively flattened.
  ///
  /// Contract: the leaves' `parameters`, concatenated, are this layer's `parameters` in the same
  /// order, and after a backward pass of this layer each leaf answers `addGroupSquaredNorms` and
  /// `accumulateGradients` for its own parameters alone, so clipping leaf by leaf is clipping
  /// this layer's parameter gradient in blocks.
  var trainableLeaves: [Layer] { get }

  /// The per-example output shape for a per-example input shape (no batch dimension).
  func outputShape(forInput inputShape: [Int]) throws(ShapeError) -> [Int]

  /// The layer output for a batch. In training mode, keeps what `backward` needs.
  func forward(_ input: Tensor, mode: ForwardMode, generator: inout SeededGenerator) -> Tensor

  /// Keeps `outputGradient` (per-example loss gradients w.r.t. the output, shape of the output)
  /// and returns the gradient w.r.t. the input, or `nil` when `needsInputGradient` is false (the
  /// first layer skips that work).
  func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor?

  /// Adds ‖Σ_{b ∈ group g} ∇θ ℓ_b‖² over this layer's parameters to `norms[g]`, for the groups
  /// of `groupSize` consecutive examples of the last backward pass (`norms.count` = B /
  /// `groupSize`). Group size 1 gives the per-example norms; larger groups are the K augmented
  /// copies of one record under augmentation multiplicity (De et al. 2022), whose gradients are
  /// summed before clipping. Parameter-free layers add nothing.
  func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int)

  /// Adds `Σ_b weights[b] · ∇θ ℓ_b` to every parameter's `gradient`.
  func accumulateGradients(weights: ExampleWeights)

  /// Drops the tensors kept for the backward pass.
  func releaseCaches()
}

extension Layer {
  public var parameters: [Parameter] { [] }
  public var namedParameters: [(name: String, parameter: Parameter)] { parameters.map { (name: $0.name, parameter: $0) } }
  public var trainableLeaves: [Layer] { parameters.isEmpty ? [] : [self] }
  public func addGroupSquaredNorms(into norms: inout [Double], groupSize: Int) {}

  /// Adds ‖∇θ ℓ_b‖² over this layer's parameters to `norms[b]` for every example of the last
  /// backward pass (groups of one).
  public func addPerExampleSquaredNorms(into norms: inout [Double]) {
    addGroupSquaredNorms(into: &norms, groupSize: 1)
  }
  public func accumulateGradients(weights: ExampleWeights) {}
}

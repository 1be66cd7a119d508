/// `training.optimizer`: the update rule, chosen by `type`, with the keys valid for that type.
///
/// ```yaml
/// optimizer: {type: sgd, learning_rate: 0.1, momentum: 0.9, nesterov: false}
/// optimizer: {type: adam, learning_rate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-8}
/// optimizer: {type: adamw, learning_rate: 0.001, weight_decay: 0.01}
/// ```
///
/// `learning_rate` > 0 for every type, default 0.1 for `sgd` and 0.001 for `adam`/`adamw`.
/// A key of another type (`momentum` with `adam`, `weight_decay` with `sgd`) is an error.
public enum OptimizerSpec: Sendable, Equatable {
  /// `type: sgd` (default): stochastic gradient descent with heavy-ball momentum
  /// v ← μ·v + g, w ← w − η·v (PyTorch's form), or Nesterov's w ← w − η·(g + μ·v).
  case sgd(SGD)
  /// `type: adam`: Adam (Kingma & Ba 2015) with bias correction.
  case adam(Adam)
  /// `type: adamw`: Adam with decoupled weight decay w ← w − η·λ·w (Loshchilov & Hutter 2019).
  case adamw(Adam, weightDecay: Double)

  /// Keys of `type: sgd`.
  public struct SGD: Sendable, Equatable {
    /// `learning_rate` η > 0, default 0.1.
    public var learningRate: Double
    /// `momentum` μ in [0, 1), default 0.9.
    public var momentum: Double
    /// `nesterov`: Nesterov momentum, default false.
    public var nesterov: Bool

    /// SGD with every value given.
    public init(learningRate: Double, momentum: Double, nesterov: Bool) {
      self.learningRate = learningRate
      self.momentum = momentum
      self.nesterov = nesterov
    }
  }

  /// Keys shared by `type: adam` and `type: adamw`.
  public struct Adam: Sendable, Equatable {
    /// `learning_rate` η > 0, default 0.001.
    public var learningRate: Double
    /// `beta1`: first-moment decay in [0, 1), default 0.9.
    public var beta1: Double
    /// `beta2`: second-moment decay in [0, 1), default 0.999.
    public var beta2: Double
    /// `epsilon` > 0 added to the denominator, default 1e-8.
    public var epsilon: Double
  }

  /// The spellings of `type`.
  enum Kind: String, CaseIterable {
    case sgd, adam, adamw
  }

  /// The spelling of `type` in recipes.
  public var typeName: String {
    switch self {
    case .sgd: "sgd"
    case .adam: "adam"
    case .adamw: "adamw"
    }
  }

  /// The base learning rate η of any type.
  public var learningRate: Double {
    switch self {
    case .sgd(let settings): settings.learningRate
    case .adam(let settings), .adamw(let settings, _): settings.learningRate
    }
  }

  /// Reads `training.optimizer`.
  static func read(_ optimizer: MappingReader) -> OptimizerSpec {
    let allKeys = ["learning_rate", "momentum", "nesterov", "beta1", "beta2", "epsilon", "weight_decay"]
    let written = optimizer.optionalChoice("type", as: Kind.self)
    if written == nil, optimizer.nonNullValue("type") != nil {
      optimizer.ignore(allKeys)  // a misspelled type was reported; its keys cannot be checked
      optimizer.finish()
      return .sgd(SGD(learningRate: 0.1, momentum: 0.9, nesterov: false))
    }
    let kind = written ?? .sgd
    let notFor = "not valid for optimizer type \(kind.rawValue)"
    switch kind {
    case .sgd:
      optimizer.disallow(["beta1", "beta2", "epsilon"], reason: notFor + " (only adam, adamw)")
      optimizer.disallow(["weight_decay"], reason: notFor + " (only adamw)")
      let settings = SGD(
        learningRate: optimizer.number("learning_rate", default: 0.1, .greaterThan(0).representableInFloat),
        momentum: optimizer.number("momentum", default: 0.9, .halfOpen(0, 1)),
        nesterov: optimizer.boolean("nesterov", default: false))
      optimizer.finish()
      return .sgd(settings)
    case .adam, .adamw:
      optimizer.disallow(["momentum", "nesterov"], reason: notFor + " (only sgd)")
      if kind == .adam { optimizer.disallow(["weight_decay"], reason: notFor + " (only adamw)") }
      let settings = Adam(
        learningRate: optimizer.number("learning_rate", default: 0.001, .greaterThan(0).representableInFloat),
        beta1: optimizer.number("beta1", default: 0.9, .halfOpen(0, 1)),
        beta2: optimizer.number("beta2", default: 0.999, .halfOpen(0, 1)),
        epsilon: optimizer.number("epsilon", default: 1e-8, .greaterThan(0).representableInFloat))
      let weightDecay = kind == .adamw ? optimizer.number("weight_decay", default: 0.01, .atLeast(0).representableInFloat) : 0
      optimizer.finish()
      return kind == .adam ? .adam(settings) : .adamw(settings, weightDecay: weightDecay)
    }
  }
}

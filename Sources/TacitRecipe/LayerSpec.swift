/// One entry of the `model` list: a layer type and its options.
///
/// The model is a non-empty list of mappings, applied in order; each has a `type` and the
/// options of that type. Items are numbered from 0 in messages and overrides (`model[2].units`).
///
/// ```yaml
/// model:
///   - {type: conv2d, filters: 16, kernel_size: 5, padding: 2}
///   - {type: group_norm, groups: 4}
///   - {type: tempered_sigmoid}
///   - {type: avg_pool2d}
///   - {type: flatten}
///   - {type: dense, units: 10}
/// ```
///
/// `batch_norm` is rejected: it mixes the examples of a batch, so per-example gradients (and
/// DP-SGD's guarantee) break; `group_norm` normalises within each example instead.
public enum LayerSpec: Sendable, Equatable {
  /// `type: dense`: fully connected, `y = W x + b`. `units` (required, >= 1): outputs;
  /// `bias` (default true).
  case dense(units: Int, bias: Bool)
  /// `type: conv2d`: 2-D convolution over [height, width, channels] inputs, see `Convolution`.
  case conv2d(Convolution)
  /// `type: max_pool2d`: maximum over windows, see `Pooling`.
  case maxPool2d(Pooling)
  /// `type: avg_pool2d`: mean over windows, see `Pooling`.
  case avgPool2d(Pooling)
  /// `type: flatten`: [B, ...] to [B, features]. No options.
  case flatten
  /// `type: relu`: max(0, x). No options.
  case relu
  /// `type: tanh`: tanh(x). No options.
  case tanh
  /// `type: tempered_sigmoid`: `scale · σ(inverse_temperature · x) − offset`
  /// (Papernot et al. 2021, "Tempered Sigmoid Activations for Deep Learning with Differential
  /// Privacy"); the defaults scale 2, inverse_temperature 2, offset 1 give tanh. `scale` > 0,
  /// `inverse_temperature` > 0, `offset` any number.
  case temperedSigmoid(scale: Double, inverseTemperature: Double, offset: Double)
  /// `type: dropout`: zeroes each activation with probability `rate` during training, scaling
  /// the others by 1/(1 − rate). `rate` required, in [0, 1).
  case dropout(rate: Double)
  /// `type: group_norm`: normalises each example's channels in `groups` groups (Wu & He 2018),
  /// with a learned per-channel scale and shift. `groups` required, >= 1 (must divide the
  /// channel count); `epsilon` > 0, default 1e-5.
  case groupNorm(groups: Int, epsilon: Double)
  /// `type: gpt2`: a GPT-2-architecture language model over text records, see
  /// `LanguageModelSpec`. It is the whole model: the only entry of the list.
  case gpt2(LanguageModelSpec)
  /// `type: pretrained` (or the mapping `model: {from: PATH}`): a language model read from a
  /// Hugging Face GPT-2 folder (`config.json`, `model.safetensors`, a tokenizer) or a Tacit
  /// language-model run folder, fine-tuned on the recipe's text records. The only entry of the
  /// list.
  case pretrained(from: RecipeFilePath)

  /// Whether this entry is a whole language model (`gpt2` or `pretrained`).
  public var isLanguageModel: Bool {
    switch self {
    case .gpt2, .pretrained: true
    default: false
    }
  }

  /// The spelling of `type` in recipes.
  public var typeName: String {
    switch self {
    case .dense: "dense"
    case .conv2d: "conv2d"
    case .maxPool2d: "max_pool2d"
    case .avgPool2d: "avg_pool2d"
    case .flatten: "flatten"
    case .relu: "relu"
    case .tanh: "tanh"
    case .temperedSigmoid: "tempered_sigmoid"
    case .dropout: "dropout"
    case .groupNorm: "group_norm"
    case .gpt2: "gpt2"
    case .pretrained: "pretrained"
    }
  }

  /// Every valid `type`.
  public static let typeNames = [
    "dense", "conv2d", "max_pool2d", "avg_pool2d", "flatten", "relu", "tanh", "tempered_sigmoid", "dropout", "group_norm",
    "gpt2", "pretrained",
  ]

  /// Options of `type: conv2d`.
  ///
  /// Output size per spatial axis: ⌊(input + 2·padding − kernel_size) / stride⌋ + 1.
  public struct Convolution: Sendable, Equatable {
    /// `filters` (required, >= 1): output channels.
    public var filters: Int
    /// `kernel_size` (required, >= 1): square kernel side.
    public var kernelSize: Int
    /// `stride` (>= 1, default 1).
    public var stride: Int
    /// `padding` (>= 0, default 0): zeros added on each side.
    public var padding: Int
    /// `bias` (default true).
    public var bias: Bool

    /// A convolution with every option given.
    public init(filters: Int, kernelSize: Int, stride: Int, padding: Int, bias: Bool) {
      self.filters = filters
      self.kernelSize = kernelSize
      self.stride = stride
      self.padding = padding
      self.bias = bias
    }
  }

  /// Options of `type: max_pool2d` and `type: avg_pool2d`.
  public struct Pooling: Sendable, Equatable {
    /// `pool_size` (>= 1, default 2): square window side.
    public var poolSize: Int
    /// `stride` (>= 1, default `pool_size`: windows do not overlap).
    public var stride: Int

    /// A pooling layer with every option given.
    public init(poolSize: Int, stride: Int) {
      self.poolSize = poolSize
      self.stride = stride
    }
  }
}

/// The `audit` section: how the trained model is attacked after training (DESIGN.md §5).
///
/// ```yaml
/// audit:
///   enabled: true              # default true; false trains on the whole pool and audits nothing
///   member_fraction: 0.5       # (0, 1], default 0.5: the target trains on this random fraction of
///                              # the training pool; the rest are its non-members
///   reference_models: 0        # 0 … 1024, default 0: models trained like the target on random halves
///                              # of the pool (LiRA, RMIA and the learned attack need them)
///   attacks: [loss, ...]       # default: every attack the settings allow
///   queries: [identity, mirror]  # LiRA's query views; default [identity, mirror] for images, [identity] otherwise
///   population_size: 2000      # RMIA's population z: test records no model trains on
///   rmia_a: 0.3                # RMIA offline's a in [0, 1]
///   min_k: 0.2                 # Min-K% and Min-K%++'s fraction k in (0, 1] (language models)
///   reference_model: PATH      # the reference attack's model (language models; default: model.from)
///   confidence: 0.95           # of every ε lower bound, in (0.5, 1)
///   bootstrap: 200             # resamples for the AUC / TPR intervals, 0 … 100000
///   canaries: {count: 1000, kind: gradient}   # count: auto sizes them to the claim; guess_fraction: fixed guesses
/// ```
///
/// Population protocol (Carlini et al. 2022): the pool is the training records of `data`; the
/// target trains on `member_fraction` of them chosen at random; the rest are non-members. With
/// `member_fraction: 1` the target trains on the whole pool and only canary audits run.
public struct AuditSection: Sendable, Equatable {
  /// `audit.enabled`, default true.
  public var enabled: Bool = true
  /// `audit.member_fraction`, in (0, 1], default 0.5.
  public var memberFraction: Double = 0.5
  /// `audit.reference_models`, in [0, `maximumReferenceModels`], default 0.
  public var referenceModels: Int = 0
  /// The most reference models an audit trains: 1,024 (LiRA's paper uses up to 256); beyond,
  /// their per-record membership and score tables alone would exhaust memory.
  public static let maximumReferenceModels = 1024
  /// `audit.attacks`: the attacks to run, in this order.
  public var attacks: [Attack] = Attack.allCases
  /// `audit.queries`: LiRA's query augmentations.
  public var queries: [Query] = [.identity]
  /// `audit.population_size`: test records used as RMIA's population, >= 1, default 2000.
  public var populationSize: Int = 2000
  /// `audit.rmia_a`: offline RMIA's a, in [0, 1], default 0.3 (Zarifzadeh et al. 2024's choice
  /// for CIFAR-10-like data).
  public var rmiaA: Double = 0.3
  /// `audit.min_k`: the fraction k of a text's lowest-scored tokens that Min-K% and Min-K%++
  /// average, in (0, 1], default 0.2 (Shi et al. 2024; Zhang et al. 2025).
  public var minK: Double = 0.2
  /// `audit.reference_model`: the language model (a Tacit LM run or a Hugging Face GPT-2 folder)
  /// whose loss calibrates the `reference_ratio` attack; by default a fine-tuned run's `model.from`.
  public var referenceModel: RecipeFilePath?
  /// `audit.confidence`: confidence of the ε lower bounds, in (0.5, 1), default 0.95.
  public var confidence: Double = 0.95
  /// `audit.bootstrap`: bootstrap resamples for metric intervals, in [0, `maximumBootstrap`],
  /// default 200.
  public var bootstrap: Int = 200
  /// The most bootstrap resamples an audit draws: 100,000, far more than percentile intervals
  /// need (10,000 pin a 95% interval's ends to about ±0.5 percentile points); a larger count
  /// would only exhaust memory (one copy of every metric per resample).
  public static let maximumBootstrap = 100_000
  /// `audit.canaries`: the one-run canary audit, `nil` when `count` is 0.
  public var canaries: Canaries?
  /// `audit.secrets`: secret-sharer canaries (language models), `nil` when absent.
  public var secrets: Secrets?

  /// `audit.attacks` items.
  public enum Attack: String, Sendable, Equatable, CaseIterable {
    /// −loss (Yeom et al. 2018).
    case loss
    /// The true label's softmax probability.
    case confidence
    /// −entropy of the prediction.
    case entropy
    /// −modified entropy (Song & Mittal 2021).
    case modifiedEntropy = "modified_entropy"
    /// Shokri et al. 2017's attack classifier trained on the reference models' outputs.
    case learned
    /// LiRA online (Carlini et al. 2022): IN and OUT Gaussians per record.
    case liraOnline = "lira_online"
    /// LiRA offline: a one-sided test against the OUT Gaussian.
    case liraOffline = "lira_offline"
    /// RMIA offline (Zarifzadeh et al. 2024), with `rmia_a`.
    case rmiaOffline = "rmia_offline"
    /// RMIA online: Pr(x) from all reference models.
    case rmiaOnline = "rmia_online"
    /// Min-K% (Shi et al. 2024): the mean of a text's k·n lowest token log-probabilities
    /// (`audit.min_k` is k). Language models only.
    case minK = "min_k"
    /// Min-K%++ (Zhang et al. 2025): Min-K% over log-probabilities standardised by the model's own
    /// next-token distribution at each position. Language models only.
    case minKPlusPlus = "min_k_plus_plus"
    /// −loss / zlib-compressed bytes of the text (Carlini et al. 2021). Language models only.
    case zlibRatio = "zlib_ratio"
    /// loss of the lower-cased text / loss of the text (Carlini et al. 2021). Language models only.
    case lowercaseRatio = "lowercase_ratio"
    /// loss(reference model) − loss(target) (Carlini et al. 2021's reference calibration), the
    /// reference `audit.reference_model` (by default a fine-tuned run's pre-trained model).
    case referenceRatio = "reference_ratio"

    /// Whether the attack reads a language model's per-record loss (`loss`, LiRA, RMIA: the
    /// perplexity attack and its calibrated forms); the others read a class distribution that
    /// text records do not have.
    public var appliesToLanguageModels: Bool {
      switch self {
      case .loss, .liraOnline, .liraOffline, .rmiaOffline, .rmiaOnline, .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio,
        .referenceRatio:
        true
      case .confidence, .entropy, .modifiedEntropy, .learned: false
      }
    }

    /// Whether the attack reads token log-probabilities or the text itself, which only a
    /// language model's records have.
    public var needsText: Bool {
      switch self {
      case .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio, .referenceRatio: true
      default: false
      }
    }

    /// Whether the attack needs reference models.
    public var needsReferenceModels: Bool {
      switch self {
      case .loss, .confidence, .entropy, .modifiedEntropy, .minK, .minKPlusPlus, .zlibRatio, .lowercaseRatio, .referenceRatio:
        false
      default: true
      }
    }
  }

  /// `audit.queries` items: the views of a record LiRA queries the models with.
  public enum Query: String, Sendable, Equatable, CaseIterable {
    /// The record as it is.
    case identity
    /// Mirrored left–right (images only).
    case mirror
    /// Shifted by one pixel right / left / down / up, zero-filled (images only).
    case shiftRight = "shift_right"
    case shiftLeft = "shift_left"
    case shiftDown = "shift_down"
    case shiftUp = "shift_up"
  }

  /// `audit.canaries`: m canaries, each included in training with probability ½, scored after
  /// training, for the one-run ε lower bound (`OneRunCanaryAudit`: Steinke, Nasr & Jagielski
  /// 2023 and Mahloujifar, Melis & Chaudhuri 2024).
  public struct Canaries: Sendable, Equatable {
    /// `count`: m, >= 2, or `auto`.
    public var count: Count
    /// `kind`.
    public var kind: Kind
    /// `guess_fraction`: a pre-registered fixed choice of guesses: IN for the top and OUT for the
    /// bottom `guess_fraction/2 · m` scores, abstaining on the rest, in (0, 1]. `nil` (the
    /// default): the guesses are chosen soundly after training by a Bonferroni grid over
    /// r = m, m/2, m/4, … (`OneRunGuessSelection.bonferroniGrid`).
    public var guessFraction: Double?

    public init(count: Count, kind: Kind, guessFraction: Double? = nil) {
      self.count = count
      self.kind = kind
      self.guessFraction = guessFraction
    }

    /// `audit.canaries.count`.
    public enum Count: Sendable, Equatable {
      /// m canaries, as written.
      case fixed(Int)
      /// `auto`: the smallest m of a ladder whose audit ceiling exceeds the claimed ε with a
      /// margin (`CanarySizing` in TacitPipeline, `OneRunCeiling.sized`), chosen before training.
      case automatic

      /// The recipe text: the number, or `auto`.
      public var text: String {
        switch self {
        case .fixed(let count): String(count)
        case .automatic: "auto"
        }
      }
    }

    /// `audit.canaries.kind`.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
      /// White-box Dirac gradient canaries (DP-SGD only): a gradient of norm C on one parameter
      /// coordinate each, Poisson-sampled like any record; scored by the sum over steps of the
      /// privatised update at that coordinate.
      case gradient
      /// Black-box input canaries: pool records given a wrong random label, scored by −loss on
      /// that label.
      case mislabeled
    }
  }
}

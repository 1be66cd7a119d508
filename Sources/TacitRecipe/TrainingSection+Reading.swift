import Foundation
import Yams

extension TrainingSection {
  /// Reads `training`, resolving every default.
  /// - Parameter isPrivate: the recipe has a `privacy` section: sampling defaults to Poisson, and
  ///   `sampling: shuffle` is refused with the reason.
  static func read(_ section: MappingReader, isPrivate: Bool = false) -> TrainingSection {
    let epochs = section.integer("epochs", default: 10, .atLeast(1))
    let batchSize = section.integer("batch_size", default: 256, .atLeast(1))
    let optimizer = OptimizerSpec.read(section.child("optimizer"))
    let schedule = ScheduleSpec.read(section.child("schedule"), epochs: epochs, learningRate: optimizer.learningRate)
    let regularizationSection = section.child("regularization")
    let regularization = RegularizationSpec(
      l1: regularizationSection.number("l1", default: 0, .atLeast(0).representableInFloat),
      l2: regularizationSection.number("l2", default: 0, .atLeast(0).representableInFloat),
      labelSmoothing: regularizationSection.number("label_smoothing", default: 0, .halfOpen(0, 1)))
    regularizationSection.finish()
    var earlyStopping: EarlyStoppingSpec?
    if section.nonNullValue("early_stopping") != nil {
      earlyStopping = EarlyStoppingSpec.read(section.child("early_stopping"))
    }
    let evaluateTrain = section.boolean("evaluate_train", default: true)
    var sampling = section.choice("sampling", default: isPrivate ? Sampling.poisson : Sampling.shuffle)
    if isPrivate && sampling == .shuffle {
      section.report(
        "DP-SGD needs poisson: the accountants' guarantee is for Poisson sampling, and shuffled fixed-size batches "
          + "can have a several times larger ε than the one they would claim; remove training.sampling or set it to poisson",
        key: "sampling")
      sampling = .poisson
    }
    let emaDecay = section.optionalNumber("ema_decay", .open(0, 1))
    var augmentation: AugmentationSpec?
    if section.nonNullValue("augmentation") != nil {
      let child = section.child("augmentation")
      augmentation = AugmentationSpec(
        cropPadding: child.integer("crop_padding", default: 0, .atLeast(0)), flip: child.boolean("flip", default: false),
        cutout: child.integer("cutout", default: 0, .atLeast(0)),
        noiseStandardDeviation: child.number("noise_std", default: 0, .atLeast(0).representableInFloat),
        multiplicity: child.integer("multiplicity", default: 1, .atLeast(1)))
      if let spec = augmentation, spec.multiplicity > 1 {
        if !isPrivate {
          child.report(
            "averages a record's augmented copies before DP-SGD's clipping; it needs a privacy section (without privacy, use a larger batch)",
            key: "multiplicity")
        } else if spec.cropPadding == 0 && !spec.flip && spec.cutout == 0 && spec.noiseStandardDeviation == 0 {
          child.report(
            "needs at least one transform (crop_padding, flip, cutout or noise_std): the copies would be identical",
            key: "multiplicity")
        }
      }
      child.finish()
    }
    section.finish()
    return TrainingSection(
      epochs: epochs, batchSize: batchSize, optimizer: optimizer, schedule: schedule, regularization: regularization,
      earlyStopping: earlyStopping, evaluateTrain: evaluateTrain, sampling: sampling, emaDecay: emaDecay,
      augmentation: augmentation)
  }
}

extension ScheduleSpec {
  /// The spellings of `type`.
  enum KindName: String, CaseIterable {
    case constant, step, cosine
  }

  /// Reads `training.schedule`; `epochs` and `learningRate` bound `warmup_epochs` and
  /// `min_learning_rate`.
  static func read(_ schedule: MappingReader, epochs: Int, learningRate: Double) -> ScheduleSpec {
    let written = schedule.optionalChoice("type", as: KindName.self)
    let typeIsBad = written == nil && schedule.nonNullValue("type") != nil
    let name = written ?? .constant
    var warmupEpochs = schedule.number("warmup_epochs", default: 0, .atLeast(0))
    if warmupEpochs > Double(epochs) {
      schedule.report("must be at most training.epochs (\(epochs)), got \(warmupEpochs)", key: "warmup_epochs")
      warmupEpochs = 0
    }
    let notFor = { (owner: String) in "not valid for schedule type \(name.rawValue) (only \(owner))" }
    var kind = Kind.constant
    if typeIsBad {
      schedule.ignore(["step_epochs", "gamma", "min_learning_rate"])
    } else {
      if name != .step { schedule.disallow(["step_epochs", "gamma"], reason: notFor("step")) }
      if name != .cosine { schedule.disallow(["min_learning_rate"], reason: notFor("cosine")) }
      switch name {
      case .constant:
        kind = .constant
      case .step:
        let stepEpochs = schedule.integer("step_epochs", default: 10, .atLeast(1))
        let gamma = schedule.number("gamma", default: 0.1, .greaterThan(0).representableInFloat)
        if let problem = decayProblem(learningRate: learningRate, gamma: gamma, stepEpochs: stepEpochs, epochs: epochs) {
          schedule.report(problem, key: "gamma")
        }
        kind = .step(stepEpochs: stepEpochs, gamma: gamma)
      case .cosine:
        var minimum = schedule.number("min_learning_rate", default: 0, .atLeast(0).representableInFloat)
        if minimum > learningRate {
          schedule.report(
            "must be at most training.optimizer.learning_rate (\(learningRate)), got \(minimum)", key: "min_learning_rate")
          minimum = 0
        }
        kind = .cosine(minLearningRate: minimum)
      }
    }
    schedule.finish()
    return ScheduleSpec(kind: kind, warmupEpochs: warmupEpochs)
  }
}

extension ScheduleSpec {
  /// Why a step schedule cannot run in 32-bit training, or `nil`: its last epoch's rate
  /// `η·γ^k`, k = ⌊(epochs − 1) / step_epochs⌋ decays, must be a normal `Float` (at least 1.2e-38,
  /// below which it is subnormal or 0 and the steps stop moving, or crawl through subnormal
  /// arithmetic) and at most 3.4e38 (above it, ∞). Computed in log space, since `γ^k` itself
  /// may underflow or overflow `Double`.
  static func decayProblem(learningRate: Double, gamma: Double, stepEpochs: Int, epochs: Int) -> String? {
    guard learningRate > 0, learningRate.isFinite, gamma > 0, gamma.isFinite, gamma != 1, stepEpochs >= 1, epochs >= 1
    else { return nil }
    let decays = Double((epochs - 1) / stepEpochs)
    let logRate = Foundation.log10(learningRate) + decays * Foundation.log10(gamma)
    let smallest = Foundation.log10(Double(Float.leastNormalMagnitude))
    let largest = Foundation.log10(Double(Float.greatestFiniteMagnitude))
    guard logRate < smallest || logRate > largest else { return nil }
    let reached = String(format: "1e%.0f", logRate.rounded(.down))
    let every = stepEpochs == 1 ? "every epoch" : "every \(stepEpochs) epochs"
    let bound =
      logRate < smallest
      ? "below what 32-bit training can represent (at least 1.2e-38)"
      : "beyond what 32-bit training can represent (at most 3.4e38)"
    return "\(gamma) \(every) takes training.optimizer.learning_rate \(learningRate) to about \(reached)"
      + " by epoch \(epochs) (\(Int(decays)) decays), \(bound); use a gamma nearer 1, a larger step_epochs or fewer epochs"
  }
}

extension EarlyStoppingSpec {
  /// Reads `training.early_stopping` (present and not null).
  static func read(_ settings: MappingReader) -> EarlyStoppingSpec {
    let stopping = EarlyStoppingSpec(
      monitor: settings.choice("monitor", default: Monitor.validationLoss),
      patience: settings.integer("patience", default: 3, .atLeast(1)),
      minDelta: settings.number("min_delta", default: 0, .atLeast(0)),
      restoreBest: settings.boolean("restore_best", default: true))
    settings.finish()
    return stopping
  }
}

import Foundation

/// `summary.json`, `metrics.json` and the terminal table.
///
/// Keys: `name`, `seed`, `threads`, `test_accuracy`, `test_loss`, `train_accuracy`, `train_loss`,
/// `validation_accuracy` (null without a validation split), `epochs_run`, `final_epoch`,
/// `stopped_early`, `parameter_count`, `training_records`, `training_seconds`,
/// `training_examples_per_second`, `seconds` (the whole run), and `privacy`: null for a
/// non-private run, else `{epsilon, delta, accountant, noise_multiplier, sample_rate, steps,
/// max_grad_norm, noise}` (the full account is in `privacy.json`); `audit`: null when the recipe
/// turns the audit off, else `{verdict, epsilon_claimed, epsilon_lower_bound, confidence,
/// ceiling, attacks: {NAME: {auc, tpr_at_fpr: {"0.1", "0.01", "0.001"}, advantage}},
/// mechanism_checks: [{kind, measured, accounted, standard_error, observations, status}],
/// caveats}` (details in `audit.json`).
extension RunSummary {
  /// `summary.json` (without the final newline).
  public func json() -> String { JSONText.encode(jsonObject) }

  /// The object `json()` encodes.
  public var jsonObject: [String: Any] {
    let examples = Double(trainingRecords * history.epochs.count)
    var object: [String: Any] = [
      "name": name,
      "seed": seed,
      "threads": threads,
      "test_accuracy": test.accuracy,
      "test_loss": test.loss,
      "train_accuracy": train.accuracy,
      "train_loss": train.loss,
      "validation_accuracy": validation.map { $0.accuracy as Any } ?? NSNull(),
      "epochs_run": history.epochs.count,
      "final_epoch": history.finalEpoch,
      "stopped_early": history.stoppedEarly,
      "parameter_count": parameterCount,
      "training_records": trainingRecords,
      "training_seconds": rounded(trainingSeconds),
      "training_examples_per_second": rounded(examples / max(trainingSeconds, 1e-9)),
      "seconds": rounded(seconds),
      "privacy": privacy.map { $0.summaryObject as Any } ?? NSNull(),
      "audit": audit.map { $0.summaryObject as Any } ?? NSNull(),
    ]
    if !compressorBitsPerByte.isEmpty {
      object["test_compressor_bits_per_byte"] = Dictionary(
        compressorBitsPerByte.map { ($0.compressor, $0.bitsPerByte) }, uniquingKeysWith: { first, _ in first })
    }
    // A language model's figures: loss per token (nats), perplexity, bits per byte.
    for (prefix, figures) in [("test", test), ("train", train)] where figures.isLanguageModel {
      object[prefix + "_perplexity"] = figures.perplexity.map { $0 as Any } ?? NSNull()
      object[prefix + "_bits_per_byte"] = figures.bitsPerByte.map { $0 as Any } ?? NSNull()
    }
    return object
  }

  /// The per-epoch curves for `metrics.json`.
  public static func metricsJSON(_ history: TrainingCurves) -> String {
    let epochs: [[String: Any]] = history.epochs.map { epoch in
      var row: [String: Any] = [
        "epoch": epoch.epoch,
        "learning_rate": epoch.learningRate,
        "running_loss": epoch.runningLoss,
        "running_accuracy": epoch.runningAccuracy,
        "train_loss": epoch.train.map { $0.loss as Any } ?? NSNull(),
        "train_accuracy": epoch.train.map { $0.accuracy as Any } ?? NSNull(),
        "validation_loss": epoch.validation.map { $0.loss as Any } ?? NSNull(),
        "validation_accuracy": epoch.validation.map { $0.accuracy as Any } ?? NSNull(),
        "seconds": epoch.seconds,
      ]
      if let test = epoch.test {
        row["test_loss"] = test.loss
        row["test_accuracy"] = test.accuracy
        if let perplexity = test.perplexity { row["test_perplexity"] = perplexity }
        if let bitsPerByte = test.bitsPerByte { row["test_bits_per_byte"] = bitsPerByte }
      }
      // Adaptive clipping: the norm at the end of the epoch.
      if let clipNorm = epoch.clipNorm { row["max_grad_norm"] = clipNorm }
      return row
    }
    let object: [String: Any] = [
      "epochs": epochs, "final_epoch": history.finalEpoch, "stopped_early": history.stoppedEarly,
    ]
    return JSONText.encode(object) + "\n"
  }

  /// The table `tacit run` prints at the end.
  public func terminalTable(directory: String) -> String {
    var lines = ["", "  \(name)"]
    if test.isLanguageModel {
      for (label, figures) in [("test ", test), ("train", train)] {
        lines.append(
          String(format: "  \(label) perplexity    %.3f", figures.perplexity ?? .nan)
            + (figures.bitsPerByte.map { String(format: ", %.4f bits per byte", $0) } ?? "")
            + String(format: " (loss %.4f nats per token, next-token accuracy %.2f%%)", figures.loss, 100 * figures.accuracy))
      }
      for baseline in compressorBitsPerByte {
        lines.append(
          String(
            format: "  test  %-14@ %.4f bits per byte (same test text)", baseline.compressor as NSString, baseline.bitsPerByte))
      }
    } else {
      lines.append(String(format: "  test accuracy       %6.2f%%", 100 * test.accuracy))
      lines.append(String(format: "  train accuracy      %6.2f%%", 100 * train.accuracy))
      if let validation { lines.append(String(format: "  validation accuracy %6.2f%%", 100 * validation.accuracy)) }
    }
    lines.append(
      "  epochs              \(history.epochs.count)\(history.stoppedEarly ? " (stopped early; kept epoch \(history.finalEpoch))" : "")"
    )
    lines.append(String(format: "  time                %.1f s", seconds))
    if let privacy {
      lines.append(
        String(format: "  privacy             ε = %.3f, δ = %.1e (", privacy.claimedEpsilon, privacy.plan.delta)
          + privacy.plan.accountant + ")"
          + (privacy.plan.featureNormalization == nil ? "" : ", feature normalisation and DP-SGD composed")
          + (privacy.plan.isSeededNoise ? ", seeded noise: NOT FOR RELEASE" : ""))
    } else {
      lines.append("  privacy             none (not trained with DP-SGD)")
    }
    if let audit {
      let claim = audit.epsilonClaimed.map { String(format: " vs claimed %.3f", $0) } ?? ""
      let ceiling = audit.ceiling.map { String(format: " (ceiling %.3f)", $0) } ?? ""
      lines.append(
        String(format: "  audit               ε ≥ %.3f at %.0f%%", audit.epsilonLowerBound, 100 * audit.confidence) + claim
          + ceiling + ": " + audit.verdict.rawValue)
      if audit.verdict == .untestable {
        lines.append("  WARNING             the claimed ε is above what this audit can show: no evidence for the claim")
      }
      if let failed = audit.canaries?.failedChecks, !failed.isEmpty {
        lines.append("  MECHANISM CHECK     FAILED: " + failed.map(\.kind.rawValue).joined(separator: ", "))
      }
      if let strongest = audit.strongestAttack {
        lines.append(
          String(
            format: "  strongest attack    %@: AUC %.4f, TPR %.4f at 0.1%% FPR", strongest.name as NSString,
            strongest.metrics.auc, strongest.metrics.tprAtFPR["0.001"] ?? .nan))
      }
    } else {
      lines.append("  audit               off (audit.enabled: false)")
    }
    lines.append("")
    lines.append("  run folder: \(directory)")
    lines.append("  report:     \(directory)/report.html")
    return lines.joined(separator: "\n")
  }

  private func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

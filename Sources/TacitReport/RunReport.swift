import Foundation
import TacitPrivacy

/// The self-contained `report.html` of a run: no scripts, no network; charts are inline SVG.
///
/// Sections: headline numbers, learning curves (loss and accuracy per epoch for the training and
/// validation records), the privacy account of a DP run (ε by accountant, the mechanism, the
/// caveats), the audit (verdict, ε bound against the claim, attacks, ROC curves, histograms,
/// canaries), the model, the resolved recipe.
public enum RunReport {
  /// The report of the run `summary` of the recipe `recipeName` (seed `seed`), with the model
  /// described by `modelDescription` (one line per layer) and the resolved recipe as YAML text.
  /// The model's quality lines of the summary table: accuracy for a classifier; perplexity, bits
  /// per byte and their train–test gap for a language model.
  static func headlineFigures(_ summary: RunSummary) -> [(String, String)] {
    let test = summary.test
    let train = summary.train
    guard test.isLanguageModel else {
      return [
        ("test accuracy", String(format: "%.2f%%", 100 * test.accuracy)),
        ("train accuracy", String(format: "%.2f%%", 100 * train.accuracy)),
        ("generalisation gap", String(format: "%.2f points", 100 * (train.accuracy - test.accuracy))),
      ]
    }
    func figures(_ value: LossAndAccuracy) -> String {
      String(format: "perplexity %.3f, ", value.perplexity ?? .nan)
        + (value.bitsPerByte.map { String(format: "%.4f bits per byte, ", $0) } ?? "")
        + String(format: "loss %.4f nats per token, next-token accuracy %.2f%%", value.loss, 100 * value.accuracy)
    }
    let baselines = summary.compressorBitsPerByte.map {
      ("test text, \($0.compressor)", String(format: "%.4f bits per byte", $0.bitsPerByte))
    }
    return [("test", figures(test))] + baselines + [
      ("train", figures(train)),
      ("generalisation gap", String(format: "%.4f nats per token (test − train loss)", test.loss - train.loss)),
    ]
  }

  /// The learning curves' series: loss and accuracy per epoch for the running (training-batch)
  /// figures and for the training, validation and test evaluations the history holds.
  static func learningCurves(_ history: TrainingCurves) -> (loss: [Chart.Series], accuracy: [Chart.Series]) {
    let epochs = history.epochs.map { Double($0.epoch) }
    var lossSeries: [Chart.Series] = [
      .init(name: "running (train batches)", points: zip(epochs, history.epochs.map(\.runningLoss)).map { $0 }, color: "#9aa5b1")
    ]
    // A language model's steps have no running accuracy (NaN): its curve would be empty.
    var accuracySeries: [Chart.Series] =
      history.epochs.allSatisfy { $0.runningAccuracy.isNaN }
      ? []
      : [
        .init(
          name: "running (train batches)", points: zip(epochs, history.epochs.map(\.runningAccuracy)).map { $0 },
          color: "#9aa5b1")
      ]
    let evaluations: [(String, String, (EpochRecord) -> LossAndAccuracy?)] = [
      ("train", "#1f77b4", { $0.train }), ("validation", "#d62728", { $0.validation }), ("test", "#2ca02c", { $0.test }),
    ]
    for (name, color, figures) in evaluations where history.epochs.first.flatMap(figures) != nil {
      lossSeries.append(
        .init(name: name, points: zip(epochs, history.epochs.map { figures($0)?.loss ?? .nan }).map { $0 }, color: color))
      accuracySeries.append(
        .init(name: name, points: zip(epochs, history.epochs.map { figures($0)?.accuracy ?? .nan }).map { $0 }, color: color))
    }
    return (lossSeries, accuracySeries)
  }

  public static func html(
    recipeName: String, seed: UInt64, summary: RunSummary, modelDescription: String, resolvedRecipe: String
  ) -> String {
    let history = summary.history
    let (lossSeries, accuracySeries) = learningCurves(history)
    let headline =
      headlineFigures(summary) + [
        ("epochs", "\(history.epochs.count)\(history.stoppedEarly ? " (early stop, kept \(history.finalEpoch))" : "")"),
        ("parameters", "\(summary.parameterCount)"),
        ("training records", "\(summary.trainingRecords)"),
        ("time", String(format: "%.1f s", summary.seconds)),
        (
          "privacy",
          summary.privacy.map { privacy in
            String(format: "ε = %.3f, δ = %.1e, ", privacy.claimedEpsilon, privacy.plan.delta)
              + "claimed by the \(privacy.plan.accountant) accountant"
              + (privacy.plan.isSeededNoise ? " (seeded noise: NOT FOR RELEASE)" : "")
          } ?? "none: not trained with DP-SGD, no ε guarantee"
        ),
      ]
    let rows = headline.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(separator: "\n")
    return """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>Tacit run: \(escape(recipeName))</title>
      <style>
      body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #1d2733; }
      h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #d8dee4; }
      table.summary th { text-align: left; padding-right: 2em; font-weight: 600; } td, th { padding: 2px 6px; }
      pre { background: #f4f6f8; padding: 1em; overflow-x: auto; font-size: 12px; }
      .charts { display: flex; flex-wrap: wrap; gap: 1em; } .muted { color: #66727f; }
      </style></head><body>
      <h1>\(escape(recipeName))</h1>
      <p class="muted">Tacit run report · seed \(seed) · \(summary.threads) thread(s)</p>
      <h2>Summary</h2>
      <table class="summary">\(rows)</table>
      <h2>Learning curves</h2>
      <div class="charts">
      \(Chart.lines(title: "loss", series: lossSeries, xLabel: "epoch", yLabel: summary.test.isLanguageModel ? "nats per token (running: per record)" : "mean cross-entropy"))
      \(Chart.lines(title: summary.test.isLanguageModel ? "next-token accuracy" : "accuracy", series: accuracySeries, xLabel: "epoch", yLabel: "accuracy"))
      </div>
      \(privacySection(summary.privacy))
      \(auditSection(summary.audit))
      <h2>Model</h2>
      <pre>\(escape(modelDescription))</pre>
      <h2>Resolved recipe</h2>
      <pre>\(escape(resolvedRecipe))</pre>
      </body></html>
      """
  }

  /// The privacy account: ε from every accountant, the mechanism, and what ε does not cover.
  static func privacySection(_ privacy: PrivacyReport?) -> String {
    guard let privacy else { return "" }
    let plan = privacy.plan
    let rows = privacy.figures.map { figure -> String in
      let value = figure.epsilon.map { String(format: "%.4f", $0) } ?? escape(figure.error ?? "n/a")
      let claimed = figure.accountant == plan.accountant ? " <strong>(claimed)</strong>" : ""
      let note = figure.isApproximation ? " <span class=\"muted\">approximation</span>" : ""
      return "<tr><th>ε (\(escape(figure.accountant)))</th><td>\(value)\(claimed)\(note)</td></tr>"
    }.joined(separator: "\n")
    var dpsgdRows = [
      ("δ", String(format: "%.2e", plan.delta)),
      ("noise multiplier σ", String(format: "%.4f", plan.noiseMultiplier)),
      (
        "sample rate q (Poisson)",
        String(format: "%.6f (expected batch %.1f of %d ", plan.sampleRate, plan.expectedBatchSize, plan.recordCount)
          + (plan.userRecordCount == nil ? "records)" : "users)")
      ),
      ("steps T", "\(plan.steps) (\(plan.stepsPerEpoch) per epoch)"),
      ("clipping norm C", String(format: "%g", plan.maxGradNorm) + " (\(plan.clipping))"),
      ("noise source", plan.noise),
      ("ledger (what the accountants analyse)", plan.event.ledgerText),
    ]
    if let records = plan.userRecordCount {
      let unit = "user: (ε, δ) protects all of one user's records at once (\(plan.recordCount) users, \(records) records)"
      dpsgdRows.insert(("privacy unit", unit), at: 4)
    }
    let normalizationRows = plan.featureNormalization.map(featureNormalizationRows) ?? []
    let mechanism = (dpsgdRows + normalizationRows).map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>" }.joined(
      separator: "\n")
    let caveats =
      privacy.caveats.isEmpty
      ? "<p>Nothing outside the accountant's analysis was used.</p>"
      : "<ul>" + privacy.caveats.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
    return """
      <h2>Privacy</h2>
      <table class="summary">\(rows)
      \(mechanism)</table>
      <h3>What ε does not cover</h3>
      \(caveats)
      """
  }

  /// The privacy table's rows of a private feature normalisation composed with DP-SGD.
  static func featureNormalizationRows(_ normalization: PrivacyReport.FeatureNormalization) -> [(String, String)] {
    func format(_ epsilon: Double?) -> String { epsilon.map { String(format: "%.4f", $0) } ?? "n/a" }
    return [
      (
        "feature normalisation (before training)",
        normalization.event.ledgerText
          + String(
            format: ": noisy sums of channel means (C_μ = %g) and mean squares (C₂ = %g) over all %d training records",
            normalization.meanClip, normalization.squareClip, normalization.recordCount)
      ),
      ("ε of the feature normalisation alone", format(normalization.epsilonAlone)),
      ("ε of DP-SGD alone", format(normalization.dpsgdEpsilonAlone)),
    ]
  }

  static func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
}

import Foundation

/// The log line of one epoch.
public enum EpochLine {
  public static func format(_ metrics: EpochRecord) -> String {
    var line = String(format: "epoch %3d  lr %.4g  loss %.4f", metrics.epoch, metrics.learningRate, metrics.runningLoss)
    // A language model's running accuracy is not defined (NaN): its evaluations give next-token accuracy.
    if !metrics.runningAccuracy.isNaN { line += String(format: "  acc %.2f%%", 100 * metrics.runningAccuracy) }
    if let train = metrics.train { line += String(format: "  train loss %.4f acc %.2f%%", train.loss, 100 * train.accuracy) }
    if let validation = metrics.validation {
      line += String(format: "  val loss %.4f acc %.2f%%", validation.loss, 100 * validation.accuracy)
    }
    if let test = metrics.test {
      line += String(format: "  test loss %.4f", test.loss)
      if let perplexity = test.perplexity { line += String(format: " ppl %.3f", perplexity) }
      if let bitsPerByte = test.bitsPerByte { line += String(format: " %.4f bits/byte", bitsPerByte) }
    }
    line += String(format: "  (%.1f s)", metrics.seconds)
    return line
  }
}

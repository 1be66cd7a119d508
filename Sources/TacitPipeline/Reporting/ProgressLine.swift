import Foundation
import TacitTraining

/// A one-line progress display on a terminal (standard error), redrawn at most ten times a second:
/// `epoch 3/30  45.2%  12,345 ex/s  ETA 0:41`. Silent when standard error is not a terminal.
public final class ProgressLine {
  private let enabled: Bool
  private var lastDraw = 0.0
  private var drawn = false

  public init(enabled: Bool = isatty(STDERR_FILENO) == 1) { self.enabled = enabled }

  /// Redraws the line for `progress` (rate-limited).
  public func update(_ progress: TrainingProgress) {
    guard enabled else { return }
    let now = Clock.seconds()
    if now - lastDraw < 0.1 && progress.examplesDone < progress.examplesTotal { return }
    lastDraw = now
    let percent = 100 * Double(progress.examplesDone) / Double(max(progress.examplesTotal, 1))
    let numbers = String(
      format: "\r  epoch %d/%d  %5.1f%%  %8.0f ex/s  ETA ", progress.epoch, progress.epochs, percent,
      progress.examplesPerSecond)
    let line = numbers + ProgressLine.duration(progress.secondsRemaining) + " "
    FileHandle.standardError.write(Data(line.utf8))
    drawn = true
  }

  /// Clears the line.
  public func finish() {
    guard enabled, drawn else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    drawn = false
  }

  /// `m:ss` or `h:mm:ss`.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "--:--" }
    let total = Int(seconds.rounded())
    let hours = total / 3600, minutes = (total % 3600) / 60, rest = total % 60
    return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
  }
}

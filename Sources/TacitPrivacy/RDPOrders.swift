/// Standard lists of Rényi orders α at which an `RDPAccountant` tracks the privacy loss.
///
/// The conversion to (ε, δ) minimises over these orders, so a finer or wider list can only
/// lower ε (at a cost linear in its length). Every order must be finite and > 1.
public enum RDPOrders {
  /// dp_accounting's `DEFAULT_RDP_ORDERS`: 1.1, 1.2, …, 10.9 (step 0.1), 11, 12, …, 63, and
  /// 128, 256, 512, 1024 (156 orders). Tacit's default.
  public static let dpAccounting: [Double] =
    (1..<100).map { 1 + Double($0) / 10 } + (11..<64).map(Double.init) + [128, 256, 512, 1024]

  /// Opacus' `RDPAccountant.DEFAULT_ALPHAS`: 1.1, 1.2, …, 10.9 (step 0.1), 12, 13, …, 63
  /// (151 orders; no 11, nothing above 63). Use it to reproduce Opacus' figures.
  public static let opacus: [Double] = (1..<100).map { 1 + Double($0) / 10 } + (12..<64).map(Double.init)
}

/// The accountants by name: how recipes (`privacy.accountant`), reports and the command line
/// (`--accountant`) choose one.
///
/// - `pld`: privacy loss distributions, tight numerical composition (`PLDAccountant`).
/// - `rdp`: Rényi DP with the improved conversion (`RDPAccountant`).
/// - `gdp`: Gaussian DP by the central limit theorem, an approximation (`GDPAccountant`).
///
/// The raw value is the accountant's `name`; `allCases` is the order reports list them in.
public enum AccountantKind: String, Sendable, Equatable, CaseIterable {
  case pld
  case rdp
  case gdp

  /// A fresh accountant of this kind, with its default settings.
  public var accountant: PrivacyAccountant {
    switch self {
    case .pld: return PLDAccountant()
    case .rdp: return RDPAccountant()
    case .gdp: return GDPAccountant()
    }
  }
}

import TacitPrivacy
import TacitRecipe

extension AccountantKind {
  /// The accountant a recipe's `privacy.accountant` names. TacitRecipe does not import
  /// TacitPrivacy, so its enum and this one meet here, case by case (same raw values).
  init(_ recipeAccountant: PrivacySection.Accountant) {
    switch recipeAccountant {
    case .pld: self = .pld
    case .rdp: self = .rdp
    case .gdp: self = .gdp
    }
  }
}

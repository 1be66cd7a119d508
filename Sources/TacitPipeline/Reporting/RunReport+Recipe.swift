import TacitNN
import TacitRecipe
import TacitReport
import TacitTraining

extension RunReport {
  /// `report.html` of a trained model: the summary's figures with the learning curves of
  /// `history`, `model` described layer by layer, and `recipe` (resolved) as YAML.
  static func html(recipe: Recipe, summary: RunSummary, history: TrainingHistory, model: Sequential) -> String {
    var summary = summary
    summary.history = TrainingCurves(history)
    return html(
      recipeName: recipe.name, seed: recipe.seed, summary: summary, modelDescription: ModelSummary.describe(model),
      resolvedRecipe: recipe.resolvedYAML())
  }
}

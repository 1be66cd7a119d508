import Testing

@testable import TacitRecipe

@Suite struct DataSectionTextTests {
  /// A recipe whose data section is `data` (flow or block text after `data:`).
  func recipe(_ data: String) -> String {
    "version: 1\nname: lm\ndata: \(data)\nmodel: [{type: dense, units: 2}]\n"
  }

  /// The text source of a recipe that must parse.
  func textSource(_ data: String, baseDirectory: String = "/recipes", sourceLocation: SourceLocation = #_sourceLocation)
    -> TextSource?
  {
    guard let parsed = parseRecipe(recipe(data), baseDirectory: baseDirectory, sourceLocation: sourceLocation) else { return nil }
    guard case .text(let text) = parsed.data.source else {
      Issue.record("expected source text, got \(parsed.data.source)", sourceLocation: sourceLocation)
      return nil
    }
    return text
  }

  @Test func fortuneNamesAndPathsResolve() throws {
    let text = try #require(textSource("{source: text, format: fortune, files: [wisdom, ./mine, ../data/x, /abs/y]}"))
    #expect(text.format == .fortune(directory: RecipeFilePath("/usr/share/games/fortunes", relativeTo: "/")))
    #expect(text.files.map(\.name) == ["wisdom", "./mine", "../data/x", "/abs/y"])
    #expect(text.files.map(\.path.absolute) == ["/usr/share/games/fortunes/wisdom", "/recipes/mine", "/data/x", "/abs/y"])
    #expect(text.files.map(\.isFortuneName) == [true, false, false, false])
    #expect(text.files.map(\.description) == ["wisdom", "/recipes/mine", "/data/x", "/abs/y"])
    #expect(text.maxBytes == nil && text.testFraction == 0.2 && text.longRecords == .truncate)
    let data = try #require(parseRecipe(recipe("{source: text, format: fortune, files: [wisdom]}"))).data
    #expect(data.normalize == .none && !data.flatten && data.trainSize == nil && data.validationSize == 0)
  }

  @Test func fortunesDirectoryIsRelativeToTheRecipe() throws {
    let text = try #require(
      textSource("{source: text, format: fortune, fortunes_directory: fixtures, files: [a, b], max_bytes: 256}"))
    #expect(text.files.map(\.path.absolute) == ["/recipes/fixtures/a", "/recipes/fixtures/b"])
    #expect(text.maxBytes == 256)
  }

  @Test func linesAndJSONLinesTakePathsAndAField() throws {
    let lines = try #require(textSource("{source: text, format: lines, files: [wisdom], test_fraction: 0.1, train_size: 100}"))
    #expect(lines.format == .lines && lines.testFraction == 0.1)
    #expect(lines.files.map(\.path.absolute) == ["/recipes/wisdom"] && lines.files[0].isFortuneName == false)
    let jsonl = try #require(textSource("{source: text, format: jsonl, files: [a.jsonl]}"))
    #expect(jsonl.format == .jsonl(field: "text"))
    let body = try #require(textSource("{source: text, format: jsonl, field: body, files: [a.jsonl]}"))
    #expect(body.format == .jsonl(field: "body"))
  }

  @Test func badKeysNameTheirPathAndTheFix() {
    let cases: [(String, String)] = [
      ("{source: text, files: [a]}", "data.format: missing required key; one of fortune, lines, jsonl"),
      ("{source: text, format: fortunes, files: [a]}", "data.format: unknown value 'fortunes'; did you mean fortune?"),
      (
        "{source: text, format: lines}",
        "data.files: missing required key; a list of fortune names or paths, e.g. [wisdom, literature]"
      ),
      (
        "{source: text, format: lines, files: a.txt}",
        "data.files: must be a list of fortune names or paths, e.g. [wisdom, literature]"
      ),
      ("{source: text, format: lines, files: []}", "data.files: must list at least one file"),
      ("{source: text, format: lines, files: [a, null]}", "data.files[1]: expected a string, got null"),
      ("{source: text, format: lines, files: [a, \"\"]}", "data.files[1]: must not be empty"),
      (
        "{source: text, format: fortune, files: [wisdom, /usr/share/games/fortunes/wisdom]}",
        "data.files[1]: names the same file as data.files[0] (/usr/share/games/fortunes/wisdom)"
      ),
      ("{source: text, format: lines, field: text, files: [a]}", "data.field: only valid with format jsonl, not lines"),
      ("{source: text, format: jsonl, field: \"\", files: [a]}", "data.field: must not be empty"),
      (
        "{source: text, format: jsonl, fortunes_directory: /x, files: [a]}",
        "data.fortunes_directory: only valid with format fortune, not jsonl"
      ),
      ("{source: text, format: lines, files: [a], max_bytes: 0}", "data.max_bytes: must be >= 1, got 0"),
      ("{source: text, format: lines, files: [a], test_fraction: 1}", "data.test_fraction: must be in (0, 1), got 1"),
      ("{source: text, format: lines, files: [a], max_byte: 9}", "data.max_byte: unknown key; did you mean max_bytes?"),
      (
        "{source: text, format: lines, files: [a], normalize: standard}",
        "data.normalize: must be none for text records (token ids are not scaled), got standard"
      ),
      (
        "{source: text, format: lines, files: [a], flatten: true}",
        "data.flatten: must be false for text records (flatten applies to images)"
      ),
      ("{source: text, format: lines, files: [a], path: x}", "data.path: only valid with source fashion_mnist or csv, not text"),
      (
        "{source: text, format: lines, files: [a], synthetic: {classes: 2}}",
        "data.synthetic: only valid with source synthetic, not text"
      ),
      ("{source: csv, path: a.csv, files: [a]}", "data.files: only valid with source text, not csv"),
      ("{source: fashion_mnist, max_bytes: 10}", "data.max_bytes: only valid with source text, not fashion_mnist"),
      (
        "{source: text, format: lines, files: [a], long_records: window}",
        "data.long_records: unknown value 'window'; did you mean windows?"
      ),
      (
        "{source: text, format: lines, files: [a], long_record: windows}",
        "data.long_record: unknown key; did you mean long_records?"
      ),
      ("{source: csv, path: a.csv, long_records: windows}", "data.long_records: only valid with source text, not csv"),
      (
        "{source: fashion_mnist, test_fraction: 0.1}",
        "data.test_fraction: only valid with source csv, synthetic or text, not fashion_mnist"
      ),
    ]
    for (data, message) in cases {
      let error = singleError(recipe(data))
      #expect(error.hasSuffix(": " + message), "\(data)\ngot: \(error)")
    }
  }

  @Test func everyProblemIsReportedAtOnce() {
    let errors = recipeErrors(recipe("{source: text, format: lines, field: x, files: [a, a], max_bytes: -1}"))
    #expect(errors.count == 3, "\(errors.map(\.description))")
  }

  @Test func privateTextRecipesNeedNoNormalisationKey() throws {
    let yaml = recipe("{source: text, format: fortune, files: [wisdom]}") + "privacy: {target_epsilon: 8, delta: 1.0e-5}\n"
    let parsed = try #require(parseRecipe(yaml))
    #expect(parsed.data.normalize == .none)
  }

  @Test func resolvedYAMLKeepsFortuneNamesAndWritesAbsolutePaths() throws {
    let parsed = try #require(
      parseRecipe(recipe("{source: text, format: fortune, fortunes_directory: f, files: [wisdom, ./x]}")))
    let resolved = parsed.resolvedYAML()
    for line in [
      "  source: text", "  format: fortune", "  fortunes_directory: \"/recipes/f\"", "  files: [\"wisdom\", \"/recipes/x\"]",
      "  max_bytes: null  # no limit", "  test_fraction: 0.2", "  normalize: none",
    ] {
      #expect(resolved.contains(line + "\n"), "missing '\(line)' in:\n\(resolved)")
    }
    let reloaded = try #require(parseRecipe(resolved, baseDirectory: "/elsewhere"))
    guard case .text(let text) = reloaded.data.source else { return }
    #expect(text.files.map(\.name) == ["wisdom", "/recipes/x"])
    #expect(text.files.map(\.isFortuneName) == [true, false])
  }

  @Test func longRecordsReadsEmitsAndRoundTrips() throws {
    let windows = try #require(textSource("{source: text, format: lines, files: [a], long_records: windows}"))
    #expect(windows.longRecords == .windows)
    let truncate = try #require(textSource("{source: text, format: lines, files: [a], long_records: truncate}"))
    #expect(truncate.longRecords == .truncate)
    for value in ["windows", "truncate"] {
      let parsed = try #require(parseRecipe(recipe("{source: text, format: lines, files: [a], long_records: \(value)}")))
      let resolved = parsed.resolvedYAML()
      #expect(resolved.contains("  long_records: \(value)\n"), "missing long_records in:\n\(resolved)")
      let reloaded = try #require(parseRecipe(resolved))
      #expect(reloaded.data == parsed.data)
    }
    // The default is written out too.
    let plain = try #require(parseRecipe(recipe("{source: text, format: lines, files: [a]}")))
    #expect(plain.resolvedYAML().contains("  long_records: truncate\n"))
    let overridden = try #require(
      parseRecipe(recipe("{source: text, format: lines, files: [a]}"), overrides: ["data.long_records=windows"]))
    guard case .text(let text) = overridden.data.source else { return }
    #expect(text.longRecords == .windows)
  }

  @Test func windowsRefuseAugmentationMultiplicity() {
    let yaml =
      recipe("{source: text, format: lines, files: [a], long_records: windows}")
      + "privacy: {target_epsilon: 8, delta: 1.0e-5}\ntraining: {augmentation: {noise_std: 0.1, multiplicity: 2}}\n"
    let error = singleError(yaml)
    #expect(
      error.hasSuffix(
        ": training.augmentation.multiplicity: must be 1 with data.long_records windows (a long record's windows already form its group of rows); set multiplicity: 1 or long_records: truncate"
      ), "got: \(error)")
  }
}

import Foundation

/// What a run may replace, and the clean-up of staging folders left by runs that did not finish.
///
/// A run replaces its whole folder, so `--output .`, `--set name=..` or a typo must never delete
/// someone's files. `checkReplaceable` refuses, before anything is written:
///
/// - a path that is a file or a symbolic link;
/// - the working directory and every folder holding it;
/// - a folder holding the recipe file (its folder and that folder's ancestors);
/// - `runs/` itself (the folder of the default run folders `runs/NAME`);
/// - a folder inside a folder Tacit wrote (a run folder must not nest in another, which the next
///   run there would replace);
/// - an existing folder that is not a Tacit folder of the kind written (`RunFolderMarker.check`:
///   the `.tacit-run` marker, or a folder from before the marker that holds `summary.json` or
///   `shard.json`, and in either case nothing but files Tacit writes), unless it is empty.
extension RunFolder {
  /// Throws a `PipelineError` naming `path` when a run of `kind` must not be written there (the
  /// rules in the extension's description); `recipePath` is the recipe the run reads.
  static func checkReplaceable(_ path: String, kind: RunFolderMarker.Kind, recipePath: String?) throws {
    let resolved = resolvedPath(path)
    if resolved == resolvedPath("runs") {
      throw PipelineError(
        "\(path): is runs/ itself, the folder that holds every run folder; a run needs a folder of its own, e.g. runs/NAME (--output)"
      )
    }
    var ancestor = URL(fileURLWithPath: resolved).deletingLastPathComponent()
    while ancestor.path != "/" && !ancestor.path.isEmpty {
      if RunFolderMarker.isTacitFolder(ancestor.path) {
        throw PipelineError(
          "\(path): is inside \(ancestor.path), a folder tacit wrote, which a later run there would replace; choose a folder outside it (--output)"
        )
      }
      ancestor.deleteLastPathComponent()
    }
    guard (try? FileManager.default.attributesOfItem(atPath: path)) != nil else { return }
    guard try RunFolderMarker.entryType(path) == .typeDirectory else {
      throw PipelineError("\(path): exists and is not a folder; choose another run folder (--output)")
    }
    let workingDirectory = resolvedPath(FileManager.default.currentDirectoryPath)
    if isInside(workingDirectory, orEqualTo: resolved) {
      throw PipelineError(
        "\(path): is \(workingDirectory == resolved ? "" : "a folder holding ")the working directory, which a run would replace; choose a folder of its own, e.g. runs/NAME (--output)"
      )
    }
    if let recipePath, isInside(resolvedPath(recipePath), orEqualTo: resolved) {
      throw PipelineError(
        "\(path): holds the recipe file \(recipePath), which a run would replace with its folder; choose another folder (--output)"
      )
    }
    try RunFolderMarker.check(path, holds: kind)
  }

  /// `path` made absolute, with `.` and `..` removed and symbolic links resolved (`realpath` of
  /// its longest existing prefix, the rest appended), so that two spellings of one folder compare
  /// equal.
  static func resolvedPath(_ path: String) -> String {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    if let resolved = realpath(url.path, nil) {
      defer { free(resolved) }
      return String(cString: resolved)
    }
    let parent = url.deletingLastPathComponent()
    guard parent.path != url.path, !parent.path.isEmpty else { return url.path }
    let resolvedParent = resolvedPath(parent.path)
    return resolvedParent == "/" ? "/" + url.lastPathComponent : resolvedParent + "/" + url.lastPathComponent
  }

  /// Whether `path` is `folder` or lies inside it (both resolved, `resolvedPath`).
  static func isInside(_ path: String, orEqualTo folder: String) -> Bool {
    path == folder || path.hasPrefix(folder == "/" ? "/" : folder + "/")
  }

  /// Removes the staging folders `.NAME.partial-PID` and `.NAME.replaced-PID` beside the folder
  /// at `path` (NAME its name) that were left by a process that is no longer running, when they
  /// hold only what Tacit writes (`isRemovableStaging`); those of running processes (another run
  /// into the same folder) are left alone. Returns one log line saying what was removed and what
  /// was left, `nil` when there was nothing of either.
  ///
  /// Only the staging folders of the same NAME are touched: another folder's staging folder may
  /// belong to a run on another machine writing to a shared file system, where its process is
  /// not visible here. This process's own PID counts as ended (its staging folder is made next).
  /// Resumable folders (an ended run's, holding a step ledger: `RunFolder+Resume.swift`) are kept.
  /// `sparing` names a staging folder to leave untouched (a resumed run's, already renamed to
  /// this process's name).
  static func removeStaleStagingFolders(beside path: String, sparing: String? = nil) -> String? {
    let url = URL(fileURLWithPath: path)
    let parent = url.deletingLastPathComponent().path
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return nil }
    let ownProcess = ProcessInfo.processInfo.processIdentifier
    var removed: [String] = []
    var kept: [String] = []
    var running: [String] = []
    var resumable: [String] = []
    for name in names.sorted() where name != sparing {
      guard let process = stagingProcess(name, of: url.lastPathComponent) else { continue }
      let stagingPath = parent + "/" + name
      if process != ownProcess && isRunning(process) {
        running.append(name)
      } else if process != ownProcess && holdsStepLedger(stagingPath) {
        resumable.append(name)
      } else if isRemovableStaging(stagingPath), (try? FileManager.default.removeItem(atPath: stagingPath)) != nil {
        removed.append(name)
      } else {
        kept.append(name)
      }
    }
    var parts: [String] = []
    if !removed.isEmpty { parts.append("removed \(removed.joined(separator: ", ")) (their process has ended)") }
    if !running.isEmpty { parts.append("left alone \(running.joined(separator: ", ")) (their process is still running)") }
    if !resumable.isEmpty {
      parts.append(
        "kept \(resumable.joined(separator: ", ")) (interrupted runs: `tacit run RECIPE --resume` continues one; remove it to discard it)"
      )
    }
    if !kept.isEmpty {
      parts.append("not removed \(kept.joined(separator: ", ")) (they hold files tacit does not write, or cannot be removed)")
    }
    return parts.isEmpty ? nil : "stale staging folders beside \(path): " + parts.joined(separator: "; ")
  }

  /// The process ID in `.NAME.partial-PID` or `.NAME.replaced-PID` (`stagingName`) for the folder
  /// `name`; `nil` for any other file name.
  static func stagingProcess(_ entry: String, of name: String) -> Int32? {
    for role in ["partial", "replaced"] {
      let prefix = ".\(name).\(role)-"
      guard entry.hasPrefix(prefix) else { continue }
      let digits = entry.dropFirst(prefix.count)
      guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let process = Int32(digits), process > 0
      else { return nil }
      return process
    }
    return nil
  }

  /// Whether process `process` exists: `kill(process, 0)` succeeds, or fails only for lack of
  /// permission (the process exists but belongs to another user).
  static func isRunning(_ process: Int32) -> Bool {
    kill(process, 0) == 0 || errno == EPERM
  }

  /// Whether a stale staging folder holds only what Tacit writes: nothing, or the files of a run
  /// or shard folder (`RunFolderMarker.firstForeignEntry`) of the kind its marker names (either
  /// kind without a marker, as written by versions before the marker). A staging folder need not
  /// be complete, so `summary.json` is not required.
  static func isRemovableStaging(_ path: String) -> Bool {
    guard (try? RunFolderMarker.entryType(path)) == .typeDirectory,
      let entries = try? RunFolderMarker.entries(of: path)
    else { return false }
    guard !entries.isEmpty else { return true }
    let kinds: [RunFolderMarker.Kind]
    do {
      kinds = try RunFolderMarker.markedKind(of: path).map { [$0] } ?? [.run, .shard]
    } catch {
      return false  // a marker this version cannot read: not ours to judge
    }
    return kinds.contains { kind in
      do {
        return try RunFolderMarker.firstForeignEntry(in: path, entries: entries, kind: kind) == nil
      } catch {
        return false
      }
    }
  }
}

import Notebook

/// The architecture diagram's file name without extension, for the build step at `index` of `steps`:
/// `model_architecture` when the notebook has one build step, else `model_architecture_<name>`, the
/// build's `name:` made file-safe (with `_line<N>` when two build steps share a name), so every model's
/// diagram is its own file and each caption names the file written.
func architectureFileStem(_ index: Int, in steps: [ValidatedStep]) -> String {
    let builds = steps.filter { $0.stage == StageName.build.rawValue }
    guard builds.count > 1, steps.indices.contains(index) else { return "model_architecture" }
    let step = steps[index]
    let name = fileSafe(step.params["name"]?.stringValue ?? "")
    let shared = builds.filter { fileSafe($0.params["name"]?.stringValue ?? "") == name }.count > 1
    return "model_architecture_" + (name.isEmpty ? "line\(step.line)" : name + (shared ? "_line\(step.line)" : ""))
}

/// ASCII letters, digits, `-` and `_` kept, anything else `_`, at most 64 characters (a model name may be any text).
private func fileSafe(_ name: String) -> String {
    String(name.unicodeScalars.prefix(64).map { scalar -> Character in
        let c = Character(scalar)
        return scalar.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") ? c : "_"
    })
}

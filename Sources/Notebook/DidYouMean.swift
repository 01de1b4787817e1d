/// Edit distance with adjacent transpositions counted as one edit (optimal string alignment),
/// so `trian` is one edit from `train` and `epocs` one from `epochs`.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}

/// The candidate a user most likely meant: the nearest within two edits (one edit for words of
/// three letters or fewer, where two edits reach almost anything), else the first candidate the word
/// is a prefix of (`epo` → `epochs`). Case is ignored. Ties go to the earlier candidate.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    guard !lowered.isEmpty else { return nil }
    let limit = lowered.count <= 3 ? 1 : 2
    var best: (name: String, distance: Int)?
    for candidate in candidates where candidate != word {
        let distance = editDistance(lowered, candidate.lowercased())
        if distance <= limit, distance < (best?.distance ?? Int.max) {
            best = (candidate, distance)
        }
    }
    if let best { return best.name }
    if lowered.count >= 2 {
        return candidates.first { $0.lowercased().hasPrefix(lowered) && $0 != word }
    }
    return nil
}

/// ` (did you mean 'x'?)`, or nothing when no candidate is close.
func didYouMean(_ word: String, _ candidates: [String]) -> String {
    closestMatch(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
}

/// ` (did you mean 'x'?)`, or ` (expected one of: a, b, c)` so the user always learns what is allowed.
func suggestionOrChoices(_ word: String, _ candidates: [String]) -> String {
    if let match = closestMatch(to: word, in: candidates) { return " (did you mean '\(match)'?)" }
    return " (expected one of: \(candidates.joined(separator: ", ")))"
}

/// Fence languages that are close to a stage name but are real languages, so never a typo.
private let languagesNearStages: Set<String> = ["ada", "lua", "make", "sass", "scss", "bash", "rust", "dart"]

/// The stage a fence's info string was probably meant to name, when it is not a stage itself.
///
/// The rule: a single word of letters, digits, `-` or `_` (any case) that is within one edit of a
/// short stage name (four letters or fewer: eda, load, save), within two edits of a longer one,
/// or that extends a stage name (`preprocessing`, `evaluation`, `loader`). Everything else
/// (python, text, bash, json, yaml, …) is an ordinary code block.
func misspelledStage(_ info: String, stages: [String]) -> String? {
    let word = info.lowercased()
    guard !word.isEmpty,
          word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }),
          !languagesNearStages.contains(word) else { return nil }
    var best: (name: String, distance: Int)?
    for stage in stages {
        let distance = editDistance(word, stage)
        let limit = stage.count <= 4 ? 1 : 2
        if distance <= limit, distance < (best?.distance ?? Int.max) { best = (stage, distance) }
    }
    if let best { return best.name }
    for stage in stages {
        let common = zip(word, stage).prefix { $0 == $1 }.count
        if common >= 4, common >= stage.count - 2 { return stage }
    }
    return nil
}

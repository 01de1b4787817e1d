/// A handout block: a fenced `question`, `answer`, `solution`, `note` or `warning` whose body is
/// Markdown, shown as a callout. `answer` is where a student writes; `solution` is left out of the
/// report unless it is rendered for the teacher.
public struct Callout: Equatable, Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case question, answer, solution, note, warning

        /// The label the report shows above the block.
        public var label: String {
            switch self {
            case .question: return "Question"
            case .answer: return "Your answer"
            case .solution: return "Solution"
            case .note: return "Note"
            case .warning: return "Warning"
            }
        }
    }

    public let kind: Kind
    /// The body as written (Markdown).
    public let text: String
    /// The body rendered to an HTML fragment (raw HTML omitted, as in prose).
    public let html: String
    /// Line and column of the opening fence.
    public let line: Int
    public let column: Int

    public init(kind: Kind, text: String, html: String, line: Int, column: Int) {
        self.kind = kind
        self.text = text
        self.html = html
        self.line = line
        self.column = column
    }

    /// Whether the student has written anything in an `answer` block.
    public var isBlank: Bool { text.allSatisfy(\.isWhitespace) }
}

extension Notebook {
    /// The handout blocks in order.
    public var callouts: [Callout] {
        blocks.compactMap { if case .callout(let callout) = $0 { return callout } else { return nil } }
    }

    /// Questions with no `answer` block after them before the next question (or the end).
    public var unansweredQuestions: [Callout] {
        var open: [Callout] = []
        var pending: Callout?
        for callout in callouts {
            switch callout.kind {
            case .question:
                if let pending { open.append(pending) }
                pending = callout
            case .answer:
                pending = nil
            default:
                break
            }
        }
        if let pending { open.append(pending) }
        return open
    }

    /// `check`'s count of the handout blocks: "3 questions (1 without an answer block: line 40)"; nil without questions.
    public var questionSummary: String? {
        let questions = callouts.filter { $0.kind == .question }.count
        guard questions > 0 else { return nil }
        let open = unansweredQuestions
        let counted = "\(questions) question\(questions == 1 ? "" : "s")"
        guard !open.isEmpty else { return counted + " (each with an answer block)" }
        let lines = open.map { "\($0.line)" }.joined(separator: ", ")
        return counted + " (\(open.count) without an answer block: line\(open.count == 1 ? "" : "s") \(lines))"
    }
}

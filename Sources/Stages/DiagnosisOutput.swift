import NeuralNet
import Report

/// The diagnosis notes in a step's outputs, one per rule that fired: finding, evidence, what to try.
/// Those that say the result cannot be trusted (divergence, chance level, a class never predicted) are warnings.
func diagnosisOutputs(_ notes: [DiagnosisNote]) -> [Output] {
    notes.map { note in
        let text = "Diagnosis, \(note.rule.rawValue): \(note.evidence) Try \(note.suggestion)"
        return note.severity == .warning ? .warning(text) : .note(text)
    }
}

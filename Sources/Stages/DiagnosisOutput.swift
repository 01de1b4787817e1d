import NeuralNet
import Report

/// The diagnosis notes in a step's outputs, one note per rule that fired: finding, evidence, what to try.
func diagnosisOutputs(_ notes: [DiagnosisNote]) -> [Output] {
    notes.map { .note("Diagnosis, \($0.rule.rawValue): \($0.evidence) Try \($0.suggestion)") }
}

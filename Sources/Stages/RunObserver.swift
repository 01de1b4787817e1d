import Foundation
import NeuralNet

/// Progress hooks for a render; the command line prints from them (every hook is optional).
public struct RunObserver {
    /// A step is about to run: its stage and the line of its fence.
    public var stepBegan: (_ stage: String, _ line: Int) -> Void
    /// A step finished (or failed) after `seconds`.
    public var stepEnded: (_ stage: String, _ seconds: Double, _ failed: Bool) -> Void
    /// Passed to `fit`, for Keras-style progress bars.
    public var training: TrainingObserver
    /// A line of progress ("loading mnist", "wrote output/x/x.html").
    public var message: (String) -> Void
    /// A step's outputs came from the cache (instead of `stepEnded`): when they were computed.
    public var stepCached: (_ stage: String, _ computedAt: Date) -> Void
    /// Something the user should know that does not stop the render (a damaged cache entry, ignored).
    /// Defaults to `message`.
    public var warning: (String) -> Void

    public init(stepBegan: @escaping (_ stage: String, _ line: Int) -> Void = { _, _ in },
                stepEnded: @escaping (_ stage: String, _ seconds: Double, _ failed: Bool) -> Void = { _, _, _ in },
                training: TrainingObserver = TrainingObserver(),
                message: @escaping (String) -> Void = { _ in },
                stepCached: @escaping (_ stage: String, _ computedAt: Date) -> Void = { _, _ in },
                warning: ((String) -> Void)? = nil) {
        self.stepBegan = stepBegan
        self.stepEnded = stepEnded
        self.training = training
        self.message = message
        self.stepCached = stepCached
        self.warning = warning ?? message
    }
}

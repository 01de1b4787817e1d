// The module and its main type are both called `Notebook`, so `Notebook.Heading` looks inside the
// struct, not the module. Where another module has a type of the same name (Report has `Heading`),
// these aliases let a file that imports both write `Notebook.Heading` or `NotebookHeading`.

public typealias NotebookBlock = Block
public typealias NotebookProse = Prose
public typealias NotebookHeading = Heading
public typealias NotebookCodeBlock = CodeBlock
public typealias NotebookStepBlock = StepBlock
public typealias NotebookDiagnostic = Diagnostic
public typealias NotebookDiagnosticList = DiagnosticList
public typealias NotebookSourcePosition = SourcePosition

extension Notebook {
    public typealias Block = NotebookBlock
    public typealias Prose = NotebookProse
    public typealias Heading = NotebookHeading
    public typealias CodeBlock = NotebookCodeBlock
    public typealias StepBlock = NotebookStepBlock
    public typealias Diagnostic = NotebookDiagnostic
    public typealias DiagnosticList = NotebookDiagnosticList
    public typealias SourcePosition = NotebookSourcePosition
}

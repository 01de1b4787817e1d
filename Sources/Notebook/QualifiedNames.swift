// The module and its main type are both called `Notebook`, so `Notebook.Heading` looks inside the
// struct, not the module. Report also has a `Heading`; in a file that imports both, these two
// aliases let Notebook's be written `Notebook.Heading` (the top-level one is only the indirection:
// inside the extension, `Heading` would name the alias itself). No other Notebook type shares a
// name with another module's, so no other needs one.
public typealias NotebookHeading = Heading

extension Notebook {
    public typealias Heading = NotebookHeading
}

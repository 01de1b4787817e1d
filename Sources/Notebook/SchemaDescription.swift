extension Schema {
    /// The text of `mnistbook steps [STAGE]`: every stage (or one stage, or one layer type) with its
    /// parameters, types, defaults and docs. A stage with a layer list also lists the layer types.
    /// For a name that is neither a stage nor a layer type it returns an `unknown stage …` line;
    /// check `spec(for:)` first to exit with an error.
    public func describe(stage: String? = nil) -> String {
        guard let stage else {
            let intro = """
                A step is a fenced block whose info string is a stage name; its body is YAML parameters
                (empty: all defaults). Steps run top to bottom. Override any parameter with --set stage.param=value.
                """
            return ([intro] + stages.map(describe(_:)) + [describeLayers()]).joined(separator: "\n\n") + "\n"
        }
        if let spec = spec(for: stage) {
            return describe(spec) + (spec.hasLayers ? "\n\n" + describeLayers() : "") + "\n"
        }
        if let layer = layerSpec(for: stage) {
            return describe(layer) + "\n"
        }
        return "unknown stage '\(stage)'\(suggestionOrChoices(stage, stageNames + layerTypes))\n"
    }

    private func describe(_ spec: StageSpec) -> String {
        "\(spec.name): \(spec.summary)\n" + table(rows(spec.parameters, prefix: ""))
            + (spec.results.isEmpty ? "" : "\n  results for expect: " + spec.results.joined(separator: ", "))
    }

    private func describe(_ layer: LayerSpec) -> String {
        "\(layer.type): \(layer.summary) (Keras \(layer.kerasClass))\n" + table(rows(layer.parameters, prefix: ""))
    }

    private func describeLayers() -> String {
        let owners = stages.flatMap { stage in stage.parameters.filter(\.isLayerList).map { "\(stage.name).\($0.name)" } }
        return "Layers for \(owners.joined(separator: ", ")), each item written '- type: {parameters}':\n\n"
            + layers.map(describe(_:)).joined(separator: "\n\n")
    }

    /// Name, type, default, doc; members of mapping parameters follow as `parent.member`.
    private func rows(_ specs: [ParameterSpec], prefix: String) -> [[String]] {
        specs.flatMap { spec -> [[String]] in
            let name = prefix + spec.name
            let row = [name, spec.type.summary, spec.defaultDescription, spec.doc]
            if case .map(let members, _) = spec.type {
                // The parent's default is the members' defaults: show them on their own lines instead.
                return [[name, spec.type.summary, "", spec.doc]] + rows(members, prefix: name + ".")
            }
            return [row]
        }
    }

    private func table(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        let widths = (0..<columns - 1).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            var line = " "
            for column in 0..<columns - 1 {
                line += " " + row[column] + String(repeating: " ", count: widths[column] - row[column].count + 1)
            }
            return (line + " " + row[columns - 1]).trimmingTrailingSpaces()
        }.joined(separator: "\n")
    }
}

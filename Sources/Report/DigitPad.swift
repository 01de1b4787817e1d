import Foundation

/// The digit pad's markup, style and scripts: one canvas widget shared by `mnistbook serve`'s page (the server
/// classifies) and the report's pad (the page runs the embedded model). No external URL anywhere.
public enum DigitPad {
    /// Resources/digit-pad.js: drawing, MNIST-style preparation, the 28×28 view and the bar chart.
    public static var padScript: String { resource("digit-pad") }
    /// Resources/digit-model.js: the sequential CNN in plain JavaScript.
    public static var modelScript: String { resource("digit-model") }

    static func resource(_ name: String) -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "js"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            // Only a broken installation lands here: the scripts ship inside the binary's resource bundle.
            return "console.error('mnistbook: the resource \(name).js is missing from this installation');"
        }
        return text
    }

    /// The widget: the canvas, its buttons, the digit as the model sees it and the ten bars.
    public static func markup(id: String) -> String {
        """
        <div class="pad" id="\(escapeHTML(id))" data-state="idle">
        <div class="pad-draw-area">
        <canvas class="pad-draw" width="280" height="280" tabindex="0" aria-label="Drawing area: draw one digit with a mouse, pen or finger"></canvas>
        <div class="pad-tools">
        <button type="button" class="pad-clear">Clear</button>
        <label class="pad-upload-label">Upload an image…<input type="file" class="pad-upload" accept="image/png,image/x-portable-graymap,.pgm,image/*"></label>
        </div>
        </div>
        <div class="pad-result">
        <p class="pad-answer" aria-live="polite">Draw a digit</p>
        <figure class="pad-seen-figure"><canvas class="pad-seen" width="28" height="28" role="img" aria-label="The 28×28 digit the model sees"></canvas>
        <figcaption>What the model sees: 28×28, centred by mass in a 20×20 box</figcaption></figure>
        <div class="pad-bars" role="list" aria-label="Probability of each class"></div>
        </div>
        </div>
        """
    }

    /// The pad's stylesheet: phone-width friendly, keyboard focus always visible.
    public static let css = #"""
    .pad { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
    .pad-draw-area { flex: 0 1 280px; max-width: 100%; }
    .pad-draw { display: block; width: 100%; max-width: 280px; aspect-ratio: 1; touch-action: none; cursor: crosshair;
      background: #fff; border: 2px solid #57606a; border-radius: 8px; }
    .pad-tools { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; }
    .pad button, .pad-upload-label { font: inherit; font-size: .95rem; padding: 6px 14px; border: 1px solid #57606a;
      border-radius: 6px; background: #f6f8fa; color: #1f2328; cursor: pointer; }
    .pad-upload-label { position: relative; }
    .pad-upload { position: absolute; inset: 0; opacity: 0; width: 100%; cursor: pointer; }
    .pad :focus-visible, .pad-upload-label:focus-within { outline: 3px solid #0969da; outline-offset: 2px; }
    .pad-result { flex: 1 1 240px; min-width: 0; }
    .pad-answer { font-size: 1.2rem; font-weight: 600; margin: 0 0 10px; }
    .pad-seen-figure { margin: 0 0 12px; display: flex; align-items: center; gap: 10px; font-size: .85rem; color: #57606a; }
    .pad-seen { width: 84px; height: 84px; image-rendering: pixelated; border: 1px solid #d0d7de; flex: none; }
    .pad-bar { display: grid; grid-template-columns: 1.6em 1fr 4em; gap: 8px; align-items: center; font-variant-numeric: tabular-nums; }
    .pad-bar-track { height: 14px; background: #eaeef2; border-radius: 3px; overflow: hidden; }
    .pad-bar-fill { display: block; height: 100%; width: 0; background: #8c959f; }
    .pad-bar-best .pad-bar-fill { background: #0969da; }
    .pad-bar-best { font-weight: 600; }
    .pad-bar-value { text-align: right; font-size: .9rem; }
    """#

    /// `mnistbook serve`'s page: the pad, classified by POST /predict; `about` is a line on the model.
    public static func servePage(title: String, about: String, classNames: [String]) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title))</title>
        <style>
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #eef0f3; }
        main { max-width: 760px; margin: 16px auto; padding: 20px; background: #fff; border-radius: 10px; }
        h1 { font-size: 1.5rem; margin: 0 0 4px; }
        .about { color: #57606a; margin: 0 0 18px; font-size: .95rem; }
        \(css)
        </style>
        </head>
        <body>
        <main>
        <h1>\(escapeHTML(title))</h1>
        <p class="about">\(escapeHTML(about))</p>
        \(markup(id: "pad"))
        </main>
        <script>
        \(padScript)
        </script>
        <script>
        (function () {
          "use strict";
          var classNames = \(jsonArray(classNames));
          function post(body, type) {
            return fetch("predict", { method: "POST", headers: { "Content-Type": type }, body: body }).then(function (response) {
              return response.json().then(function (json) {
                if (!response.ok) throw new Error(json.error || ("The server answered " + response.status));
                return json;
              });
            });
          }
          MnistbookPad.mount(document.getElementById("pad"), function (request) {
            if (request.file) {
              var pgm = /\\.pgm$/i.test(request.file.name);
              return post(request.file, pgm ? "image/x-portable-graymap" : (request.file.type || "image/png"));
            }
            if (!MnistbookPad.prepare(request.gray, 28, 20)) return null;
            return request.blob().then(function (blob) { return post(blob, "image/png"); });
          }, classNames);
        })();
        </script>
        </body>
        </html>

        """
    }

    /// The report's pad: the embedded model (`modelJSON`, from the Inference library) classifies in the page.
    public static func reportFragment(id: String, modelJSON: String, classNames: [String], side: Int) -> String {
        """
        <style>
        \(css)
        </style>
        \(markup(id: id))
        <script>
        \(padScript)
        </script>
        <script>
        \(modelScript)
        </script>
        <script>
        (function () {
          "use strict";
          var model = MnistbookModel.create(\(modelJSON));
          var side = \(side), box = \(Int((Double(side) * 20 / 28).rounded()));
          MnistbookPad.mount(document.getElementById(\(scriptJSONString(id))), function (request) {
            var gray = request.file ? MnistbookPad.decodeFile(request.file, 560) : Promise.resolve(request.gray);
            return gray.then(function (g) {
              var prepared = MnistbookPad.prepare(g, side, box);
              if (!prepared) { if (request.file) throw new Error("No digit found: the image is blank."); return null; }
              return { probabilities: model.predict(prepared), prepared: prepared };
            });
          }, \(jsonArray(classNames)));
        })();
        </script>
        """
    }

    static func jsonArray(_ items: [String]) -> String { "[" + items.map(scriptJSONString).joined(separator: ",") + "]" }
}

// The digit pad (serve's page and the report's) prints percentages by `predict`'s rule: never "100.0%" for a
// guess. Headless Chromium runs digit-pad.js as the pages ship it: its percent() against Prediction.percent, and
// a mounted pad's answer and bars after one classification.
import Foundation
import Inference
import Report
import XCTest

final class PadPercentTests: XCTestCase {
    /// None is an exact decimal tie at the digit kept (where toFixed and %f may differ by design).
    static let probabilities: [Double] = [1, 0, 0.5, 0.998, 0.9994, 0.9997, 0.99949, 0.99951, 0.99996, 0.9999999, 0.123456,
                                          0.0004, 0.00049, 0.00051, 0.00004, 1e-9, 0.05, 0.999_999_999_9]

    func testThePadRoundsLikePredict() throws {
        let chromium = try headlessChromium()
        let list = Self.probabilities.map { "\($0)" }.joined(separator: ", ")
        let page = """
            <!doctype html><html><head><meta charset="utf-8"></head><body><pre id="out">not run</pre>
            \(DigitPad.markup(id: "pad"))
            <script>\(DigitPad.padScript)</script>
            <script>
            (async function () {
              var out = document.getElementById("out");
              try {
                var table = [\(list)].map(MnistbookPad.percent);
                // One classification through the mounted pad: an upload, answered at once by a stand-in classifier.
                var probabilities = [0.00001, 0.00002, 0.00003, 0.00001, 0.00001, 0.00002, 0.00001, 0.99996, 0.00002, 0.00001];
                var root = document.getElementById("pad"), names = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
                MnistbookPad.mount(root, function () { return { probabilities: probabilities, prepared: new Uint8Array(784) }; }, names);
                var upload = root.querySelector(".pad-upload"), files = new DataTransfer();
                files.items.add(new File(["not read"], "seven.png", { type: "image/png" }));
                upload.files = files.files;
                upload.dispatchEvent(new Event("change"));
                for (var i = 0; i < 20 && root.dataset.state !== "idle"; i++) await null;
                for (i = 0; i < 5; i++) await null;
                var bars = Array.prototype.map.call(root.querySelectorAll(".pad-bar-value"), function (e) { return e.textContent; });
                out.textContent = JSON.stringify({ table: table, answer: root.querySelector(".pad-answer").textContent, bars: bars });
              } catch (e) { out.textContent = "error: " + e.message; }
            })();
            </script></body></html>
            """
        let text = try textLeftByPage(page, chromium: chromium)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
        let table = try XCTUnwrap(result["table"] as? [String], text)
        XCTAssertEqual(table, Self.probabilities.map(Prediction.percent))
        // The rule itself, not only agreement with Swift: neither side may round a guess to certainty.
        XCTAssertEqual(Array(table.prefix(10)), ["100%", "0%", "50.0%", "99.8%", "99.9%", "99.97%", "99.9%", "99.95%", ">99.99%", ">99.99%"])
        XCTAssertEqual(Array(table.dropFirst(10)), ["12.3%", "0.04%", "0.05%", "0.1%", "<0.01%", "<0.01%", "5.0%", ">99.99%"])
        XCTAssertEqual(result["answer"] as? String, "It looks like a 7 (>99.99%)")
        XCTAssertEqual(result["bars"] as? [String], ["<0.01%", "<0.01%", "<0.01%", "<0.01%", "<0.01%", "<0.01%", "<0.01%", ">99.99%",
                                                     "<0.01%", "<0.01%"])
    }
}

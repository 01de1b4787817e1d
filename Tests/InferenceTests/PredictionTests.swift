// What `predict` prints: the text line and the JSON, exactly.
import Inference
import XCTest

final class PredictionTests: XCTestCase {
    let seven = Prediction(file: "a.png", digit: "7", confidence: 0.99812345678, top3: [
        .init(className: "7", probability: 0.99812345678), .init(className: "1", probability: 0.0012),
        .init(className: "9", probability: 0.00001),
    ])

    func testLine() {
        XCTAssertEqual(seven.line, "a.png: 7 (99.8%)  top-3: 7 99.8%, 1 0.1%, 9 0.0%")
        XCTAssertEqual(Prediction(file: "b.png", error: "b.png: no such file").line, "b.png: b.png: no such file")
    }

    func testJSONRoundsToSixDecimalsAndSortsKeys() throws {
        let json = try Prediction.json([seven, Prediction(file: "dir/b.png", error: "dir/b.png: no such file")])
        XCTAssertEqual(json, """
            [
              {
                "confidence" : 0.998123,
                "digit" : "7",
                "file" : "a.png",
                "top3" : [
                  {
                    "class" : "7",
                    "probability" : 0.998123
                  },
                  {
                    "class" : "1",
                    "probability" : 0.0012
                  },
                  {
                    "class" : "9",
                    "probability" : 1e-05
                  }
                ]
              },
              {
                "error" : "dir/b.png: no such file",
                "file" : "dir/b.png"
              }
            ]
            """)
    }
}

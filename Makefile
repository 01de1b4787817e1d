# The two commands of the README's quick start: `make render` and `make test`.
.PHONY: deps render quickstart test bench

deps:
	@scripts/install-deps.sh

render: deps
	swift run -c release mnistbook render notebooks/mnist-lifecycle.md

quickstart: deps
	swift run -c release mnistbook render notebooks/quickstart.md

# Release build: the tests train a CNN on real MNIST, and debug Swift loops run 10-50x slower.
test: deps
	swift test -c release

bench: deps
	bench/compare.sh

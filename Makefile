# The README's commands. Each target installs what it needs, so a fresh clone works.
NPM ?= npm

.PHONY: install build test demo bench clean

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

build: install
	$(NPM) run build

test: build
	npx jest --ci

demo: build
	node scripts/demo.js

bench: build
	node scripts/bench.js
	node scripts/bench-iisreset.js
	node scripts/bench-pools.js

clean:
	rm -rf dist node_modules
